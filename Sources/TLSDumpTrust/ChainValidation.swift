/// The validation of one presented chain at the capture's time: the
/// `connection` event's `validation` object (docs/events.md).
public struct ChainValidation: Sendable, Equatable {
    public var status: ValidationStatus
    /// Why: for `not_checked`, what was missing; otherwise what the status rests on.
    public var reason: String?
    /// The path built, leaf first (the validated one, or the best attempt); empty when none was built.
    public var path: [PathCertificate]
    /// Everything found wrong, the status's own problem first; SHA-1/MD5 signatures are here too.
    public var problems: [ChainProblem]
    /// The peer's list was not in issuing order (each certificate followed by its issuer).
    public var outOfOrder: Bool
    /// An intermediate had to come from elsewhere or was missing (`incomplete_chain`).
    public var missingIntermediates: Bool
    /// Certificates the peer sent that the path did not use.
    public var unusedCertificates: Int
    /// The name checked against the leaf (the SNI), nil when none was (client chains, no SNI).
    public var checkedName: String?
    /// The leaf is self-issued and no trusted path was found (`cert.self_signed`).
    public var selfSigned: Bool
    /// "system" (the system bundle) or "ca_file" (--ca-file); nil when no store was used.
    public var trustStore: String?
    /// Capture time (Unix seconds) the chain was judged at.
    public var validatedAt: Int64
    /// The capture times, in Unix seconds, over which this verdict stays the same (no validity bound crossed).
    public var stableFrom: Int64
    public var stableUntil: Int64

    public init(status: ValidationStatus, reason: String?, path: [PathCertificate] = [], problems: [ChainProblem] = [],
                outOfOrder: Bool = false, missingIntermediates: Bool = false, unusedCertificates: Int = 0,
                checkedName: String? = nil, selfSigned: Bool = false, validatedAt: Int64 = 0,
                stableFrom: Int64 = .min, stableUntil: Int64 = .max) {
        self.status = status
        self.reason = reason
        self.path = path
        self.problems = problems
        self.outOfOrder = outOfOrder
        self.missingIntermediates = missingIntermediates
        self.unusedCertificates = unusedCertificates
        self.checkedName = checkedName
        self.selfSigned = selfSigned
        self.validatedAt = validatedAt
        self.stableFrom = stableFrom
        self.stableUntil = stableUntil
    }

    /// Not validated, for `reason`.
    public static func notChecked(_ reason: String) -> ChainValidation {
        ChainValidation(status: .notChecked, reason: reason)
    }

    public func has(_ kind: String) -> Bool { problems.contains { $0.kind == kind } }
    public func firstProblem(_ kind: String) -> ChainProblem? { problems.first { $0.kind == kind } }

    /// The verdict once a stapled OCSP response was read: `revoked` overrides
    /// every other status (a revoked certificate is untrusted whatever else holds).
    public func applying(_ revocation: RevocationStatus) -> ChainValidation {
        guard case .revoked(let why, let time) = revocation else { return self }
        var copy = self
        var detail = "A stapled OCSP response says the certificate was revoked"
        if let time { detail += " on \(time)" }
        if let why { detail += " (\(why))" }
        let leaf = path.first?.subject
        copy.problems.insert(ChainProblem(kind: ValidationStatus.revoked.rawValue, subject: leaf, position: 0, detail: detail + "."), at: 0)
        copy.status = .revoked
        copy.reason = detail + "."
        return copy
    }
}
