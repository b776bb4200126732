import CZlib

/// RFC 8879 zlib: the RFC 1950 format (zlib header and Adler-32), 32 KiB window.
final class ZlibCertificateDecoder: CertificateStreamDecoder {
    /// Heap-allocated: zlib's state points back at its `z_stream`, which must not move.
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws(CertificateDecoderSetupError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw CertificateDecoderSetupError(reason: "inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> CertificateDecoderStep {
        // zlib counts in UInt32: larger buffers are used in part (16 MiB messages never are).
        let inCount = UInt32(clamping: input.count), outCount = UInt32(clamping: output.count)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = inCount
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = outCount
        let status = inflate(stream, Z_NO_FLUSH)
        let consumed = Int(inCount - stream.pointee.avail_in), produced = Int(outCount - stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch status {
        case Z_STREAM_END:
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .finished)
        case Z_OK, Z_BUF_ERROR:   // Z_BUF_ERROR: no progress possible (input ran out)
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .progressing)
        case Z_NEED_DICT:
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .failed("zlib: a preset dictionary is required"))
        default:   // Z_DATA_ERROR, Z_MEM_ERROR, Z_STREAM_ERROR
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .failed("zlib: " + message))
        }
    }
}
