/// One certificate of the path the validation built, leaf first.
public struct PathCertificate: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The peer sent it, at this index of its Certificate message.
        case sent(index: Int)
        /// It came from the trust store (a root, or an intermediate given with --ca-file).
        case trustStore
    }

    public var subject: String?
    public var issuer: String?
    /// Lowercase hex SHA-256 of the DER.
    public var sha256: String
    public var signatureAlgorithm: String?
    public var source: Source

    public init(subject: String?, issuer: String?, sha256: String, signatureAlgorithm: String?, source: Source) {
        self.subject = subject
        self.issuer = issuer
        self.sha256 = sha256
        self.signatureAlgorithm = signatureAlgorithm
        self.source = source
    }
}
