/// What decompressing a CompressedCertificate gave: the Certificate body, or
/// why there is none (RFC 8879 4: a receiver aborts the handshake on each).
public enum CertificateDecompression: Sendable, Equatable {
    case decompressed([UInt8])
    /// An algorithm id tlsdump does not know (nothing was decoded).
    case unknownAlgorithm(UInt16)
    /// The declared uncompressed_length is over the limit: refused before decoding.
    case declaredOverLimit(declared: Int, limit: Int)
    /// The data decodes to more than the declared length (decoding stopped there).
    case longerThanDeclared(declared: Int)
    /// The data ended, whole, short of the declared length.
    case shorterThanDeclared(declared: Int, actual: Int)
    /// The decoder refused the data, it was cut short, or bytes followed its end.
    case invalid(String)
}
