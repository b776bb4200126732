import TLSDumpBase

/// A CompressedCertificate message (RFC 8879, handshake type 25): the
/// algorithm, the length the sender declares for the Certificate message it
/// compressed, and the compressed bytes. `decompress` turns it back into a
/// Certificate body without trusting the declared length for memory.
public struct CompressedCertificate: Sendable, Equatable {
    public var algorithm: UInt16
    /// uncompressed_length as sent: a claim, checked against what decompresses.
    public var declaredLength: Int
    public var compressed: [UInt8]

    /// 16 MiB: the most a Certificate message can hold (a u24 length) and the
    /// most tlsdump allocates for one; a larger declaration is a bomb.
    public static let maxUncompressedLength = 1 << 24

    public init(algorithm: UInt16, declaredLength: Int, compressed: [UInt8]) {
        self.algorithm = algorithm
        self.declaredLength = declaredLength
        self.compressed = compressed
    }

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> CompressedCertificate {
        var r = ByteReader(body)
        let algorithm = try r.u16()
        let declared = try r.u24()
        let data = try r.vector(lengthBytes: 3)
        guard r.isAtEnd else { throw .malformed("bytes after compressed_certificate_message") }
        // compressed_certificate_message<1..2^24-1>
        guard !data.isAtEnd else { throw .malformed("empty compressed_certificate_message") }
        return CompressedCertificate(algorithm: algorithm, declaredLength: declared, compressed: Array(data.bytes))
    }

    /// Decompresses into a buffer that grows with the output and never past
    /// the declared length (itself at most `limit`): a liar's 16 MiB claim
    /// over ten bytes allocates what those bytes make, not 16 MiB. The codecs'
    /// own working memory is at most 16 MiB (zlib 32 KiB, brotli and zstd
    /// windows of 2^24 at most).
    public func decompress(limit: Int = maxUncompressedLength) -> CertificateDecompression {
        guard CertificateCompressionAlgorithm.name(algorithm) != nil else { return .unknownAlgorithm(algorithm) }
        guard declaredLength <= limit else { return .declaredOverLimit(declared: declaredLength, limit: limit) }
        let decoder: any CertificateStreamDecoder
        do throws(CertificateDecoderSetupError) {
            switch algorithm {
            case CertificateCompressionAlgorithm.zlib: decoder = try ZlibCertificateDecoder()
            case CertificateCompressionAlgorithm.brotli: decoder = try BrotliCertificateDecoder()
            default: decoder = try ZstdCertificateDecoder()
            }
        } catch {
            return .invalid("cannot set up the \(CertificateCompressionAlgorithm.displayName(algorithm)) decoder: \(error.reason)")
        }
        return compressed.withUnsafeBytes { BoundedDecompression.run(decoder, input: $0, declared: declaredLength) }
    }
}
