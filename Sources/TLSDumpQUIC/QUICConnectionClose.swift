/// A CONNECTION_CLOSE frame (RFC 9000 19.19).
public struct QUICConnectionClose: Sendable, Equatable {
    /// Frame type 0x1d: closed by the application (error code is the application's).
    public var isApplication: Bool
    public var errorCode: UInt64
    /// The frame type that caused the error (transport close only).
    public var frameType: UInt64?
    /// The reason phrase, cut to `maxReasonBytes`.
    public var reason: [UInt8]
    /// The reason phrase's full length on the wire.
    public var reasonLength: Int

    /// Reason phrases are kept up to this many bytes.
    public static let maxReasonBytes = 1024

    public init(isApplication: Bool, errorCode: UInt64, frameType: UInt64?, reason: [UInt8], reasonLength: Int) {
        self.isApplication = isApplication
        self.errorCode = errorCode
        self.frameType = frameType
        self.reason = reason
        self.reasonLength = reasonLength
    }

    /// A transport close with a crypto_error (0x0100-0x01ff) carries a TLS alert.
    public var tlsAlert: UInt8? {
        guard !isApplication, QUICTransportErrors.cryptoErrorRange.contains(errorCode) else { return nil }
        return UInt8(truncatingIfNeeded: errorCode - 0x100)
    }

    /// The transport error's name; nil for application closes and unknown codes.
    public var errorName: String? {
        isApplication ? nil : QUICTransportErrors.name(errorCode)
    }
}
