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

    /// zstd as a streaming compressor that writes no content size and the given window (2^windowLog).
    static func zstdStreaming(_ data: [UInt8], windowLog: Int32) -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { preconditionFailure("ZSTD_createCCtx") }
        defer { ZSTD_freeCCtx(context) }
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, windowLog)
        // Fed as a stream (continue, then end with no input): the size is unknown when the frame starts.
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count) + 1024)
        let written = out.withUnsafeMutableBytes { o -> Int in
            data.withUnsafeBytes { i -> Int in
                var output = ZSTD_outBuffer(dst: o.baseAddress, size: o.count, pos: 0)
                var input = ZSTD_inBuffer(src: i.baseAddress, size: i.count, pos: 0)
                precondition(ZSTD_isError(ZSTD_compressStream2(context, &output, &input, ZSTD_e_continue)) == 0)
                var empty = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
                while true {
                    let left = ZSTD_compressStream2(context, &output, &empty, ZSTD_e_end)
                    precondition(ZSTD_isError(left) == 0)
                    if left == 0 { break }
                }
                return output.pos
            }
        }
        return Array(out.prefix(written))
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
