import CBrotliEncoder
import CZlib
import CZstd
import TLSDumpTLS

/// The three RFC 8879 compressors, from the same libraries (encoder halves):
/// real compressed bytes for the decoder tests.
enum CertificateCompressors {
    static func compress(_ data: [UInt8], algorithm: UInt16) -> [UInt8] {
        switch algorithm {
        case CertificateCompressionAlgorithm.zlib: zlib(data)
        case CertificateCompressionAlgorithm.brotli: brotli(data)
        default: zstd(data)
        }
    }

    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in compress2(o.baseAddress, &length, i.baseAddress, uLong(data.count), 9) }
        }
        precondition(status == Z_OK)
        return Array(out.prefix(Int(length)))
    }

    static func zstd(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
        let length = out.withUnsafeMutableBytes { o in
            data.withUnsafeBytes { i in ZSTD_compress(o.baseAddress, o.count, i.baseAddress, i.count, 3) }
        }
        precondition(ZSTD_isError(length) == 0)
        return Array(out.prefix(length))
    }

    static func brotli(_ data: [UInt8]) -> [UInt8] {
        var length = BrotliEncoderMaxCompressedSize(data.count)
        var out = [UInt8](repeating: 0, count: max(length, 64))
        length = out.count
        let ok = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in
                BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, data.count, i.baseAddress, &length, o.baseAddress)
            }
        }
        precondition(ok == BROTLI_TRUE)
        return Array(out.prefix(length))
    }

    /// A CompressedCertificate message body.
    static func message(algorithm: UInt16, declared: Int, compressed: [UInt8]) -> [UInt8] {
        [UInt8(algorithm >> 8), UInt8(truncatingIfNeeded: algorithm),
         UInt8(truncatingIfNeeded: declared >> 16), UInt8(truncatingIfNeeded: declared >> 8), UInt8(truncatingIfNeeded: declared),
         UInt8(truncatingIfNeeded: compressed.count >> 16), UInt8(truncatingIfNeeded: compressed.count >> 8), UInt8(truncatingIfNeeded: compressed.count)]
            + compressed
    }
}
