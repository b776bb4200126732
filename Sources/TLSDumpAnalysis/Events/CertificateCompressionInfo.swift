/// A certificate chain that travelled in a CompressedCertificate (RFC 8879).
public struct CertificateCompressionInfo: Sendable, Equatable {
    /// The algorithm id (1 zlib, 2 brotli, 3 zstd).
    public var algorithm: UInt16
    /// compressed_certificate_message's length on the wire.
    public var compressedLength: Int
    /// The Certificate message's length once decompressed (equal to the declared one, else there is no chain).
    public var uncompressedLength: Int

    public init(algorithm: UInt16, compressedLength: Int, uncompressedLength: Int) {
        self.algorithm = algorithm
        self.compressedLength = compressedLength
        self.uncompressedLength = uncompressedLength
    }
}
