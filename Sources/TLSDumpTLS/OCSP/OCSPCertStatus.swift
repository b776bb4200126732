/// A SingleResponse's certStatus (RFC 6960 4.2.1).
public enum OCSPCertStatus: Sendable, Equatable {
    case good
    case revoked(time: OCSPTime, reason: CRLReason?)
    /// The responder does not know the certificate.
    case unknown

    /// "good", "revoked" or "unknown" (the contract's words).
    public var name: String {
        switch self {
        case .good: "good"
        case .revoked: "revoked"
        case .unknown: "unknown"
        }
    }
}

/// CRLReason (RFC 5280 5.3.1), as RevokedInfo carries it.
public struct CRLReason: Sendable, Equatable {
    public let value: Int

    public init(_ value: Int) { self.value = value }

    /// The RFC's name ("keyCompromise" ...), or the number for an undefined value (7 is unused).
    public var name: String {
        switch value {
        case 0: "unspecified"
        case 1: "keyCompromise"
        case 2: "cACompromise"
        case 3: "affiliationChanged"
        case 4: "superseded"
        case 5: "cessationOfOperation"
        case 6: "certificateHold"
        case 8: "removeFromCRL"
        case 9: "privilegeWithdrawn"
        case 10: "aACompromise"
        default: String(value)
        }
    }
}
