/// The verdict on a certificate chain, as the `connection` event's
/// `validation.status` names it (docs/events.md).
public enum ValidationStatus: String, Sendable, CaseIterable {
    /// A path to a trusted root, every certificate valid at the capture's time, the name matches.
    case ok
    /// The chain ends at a root (or a CA whose issuer was not sent) that the trust store does not hold.
    case unknownIssuer = "unknown_issuer"
    /// The leaf's issuer was neither sent nor in the trust store: an intermediate is missing.
    case incompleteChain = "incomplete_chain"
    case expired
    case notYetValid = "not_yet_valid"
    /// The leaf does not name the SNI (server chains with an SNI only).
    case nameMismatch = "name_mismatch"
    /// An issuer by name was found, but its key did not verify the signature.
    case badSignature = "bad_signature"
    /// RFC 5280 rules other than validity: basic constraints, name constraints, version, unhandled critical extensions.
    case policyViolation = "policy_violation"
    /// A stapled OCSP response said so (set from outside, see `ChainValidation.revoked`).
    case revoked
    /// Not validated: the reason says why (no chain seen, unparseable, turned off).
    case notChecked = "not_checked"
}
