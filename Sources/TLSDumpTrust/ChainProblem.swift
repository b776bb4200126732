/// One thing wrong with a chain (a chain can have several; `status` names the first that matters).
public struct ChainProblem: Sendable, Equatable {
    /// The status this problem alone would give (`expired`, `name_mismatch` ...); `weak_signature` for a SHA-1 or MD5 signature.
    public var kind: String
    /// The certificate it is about (RFC 4514 subject), when it is about one.
    public var subject: String?
    /// Its position in the path (0 = leaf), when it is about one.
    public var position: Int?
    /// One human sentence.
    public var detail: String

    public init(kind: String, subject: String?, position: Int?, detail: String) {
        self.kind = kind
        self.subject = subject
        self.position = position
        self.detail = detail
    }

    public static let weakSignatureKind = "weak_signature"
}
