/// RFC 8879 certificate compression algorithm ids (IANA "TLS Certificate
/// Compression Algorithm IDs"): the compress_certificate extension lists
/// them, a CompressedCertificate message names one.
public enum CertificateCompressionAlgorithm {
    public static let zlib: UInt16 = 1
    public static let brotli: UInt16 = 2
    public static let zstd: UInt16 = 3

    /// The registry name, or nil for an id tlsdump does not know.
    public static func name(_ id: UInt16) -> String? {
        switch id {
        case zlib: "zlib"
        case brotli: "brotli"
        case zstd: "zstd"
        default: nil
        }
    }

    /// The name for output: unknown ids as "unknown_N" (decimal, like unknown extensions).
    public static func displayName(_ id: UInt16) -> String { name(id) ?? "unknown_\(id)" }
}
