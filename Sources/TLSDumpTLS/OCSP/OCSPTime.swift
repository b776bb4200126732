/// A GeneralizedTime of an OCSP response: seconds since the Unix epoch and
/// its RFC 3339 UTC text (whole seconds, as certificate validity is written).
public struct OCSPTime: Sendable, Equatable {
    public let epochSeconds: Int64
    public let rfc3339: String

    public init(epochSeconds: Int64, rfc3339: String) {
        self.epochSeconds = epochSeconds
        self.rfc3339 = rfc3339
    }
}
