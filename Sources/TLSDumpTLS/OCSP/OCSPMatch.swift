/// Whether a stapled response speaks of the certificate it came with: its
/// CertID against the leaf's serial, the leaf's issuer Name, and the issuer's
/// public key (from the chain).
public struct OCSPMatch: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        /// Serial, issuer name hash and issuer key hash all agree.
        case match
        /// At least one compared part differs: the response is for another certificate.
        case mismatch
        /// What could be compared agrees, but not everything could be
        /// (`unchecked` says what and `reason` why).
        case partial
        /// Nothing could be compared (no server certificate seen).
        case unchecked
    }

    /// The CertID parts, as the contract names them.
    public enum Part: String, Sendable {
        case serial
        case issuerName = "issuer_name"
        case issuerKey = "issuer_key"
    }

    public var verdict: Verdict
    /// The parts compared and found equal.
    public var matched: [Part]
    /// The parts compared and found different.
    public var mismatched: [Part]
    /// The parts not compared.
    public var unchecked: [Part]
    /// Why some parts were not compared.
    public var reason: String?

    public init(verdict: Verdict, matched: [Part], mismatched: [Part], unchecked: [Part], reason: String?) {
        self.verdict = verdict
        self.matched = matched
        self.mismatched = mismatched
        self.unchecked = unchecked
        self.reason = reason
    }

    public static func unchecked(_ reason: String) -> OCSPMatch {
        OCSPMatch(verdict: .unchecked, matched: [], mismatched: [], unchecked: [.serial, .issuerName, .issuerKey], reason: reason)
    }
}
