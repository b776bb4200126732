/// What a stapled OCSP response said of the leaf (parsed elsewhere): the
/// input of `ChainValidation.applying(_:)`.
public enum RevocationStatus: Sendable, Equatable {
    case good
    /// Revoked, with the OCSP revocation reason name and time when given.
    case revoked(reason: String?, time: String?)
    case unknown
}
