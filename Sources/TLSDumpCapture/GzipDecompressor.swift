import CZlib

/// gzip members with zlib's inflate (32 KiB window); the CRC-32 and length
/// each member ends with are checked.
final class GzipDecompressor: Decompressor {
    /// Heap-allocated: zlib's state points back at its `z_stream`, which must not move.
    private let stream: UnsafeMutablePointer<z_stream>
    private(set) var isInsideStream = false

    /// windowBits 15 + 16: gzip wrapper only (a raw zlib stream is not a gzip file).
    private static let gzipWindowBits: Int32 = 15 + 16

    init() throws(DecompressionError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, Self.gzipWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw .setupFailed(.gzip, "inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> DecompressionStep {
        // zlib counts in UInt32: larger buffers are used in part.
        let inCount = UInt32(clamping: input.count), outCount = UInt32(clamping: output.count)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = inCount
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = outCount
        let status = inflate(stream, Z_NO_FLUSH)
        let consumed = Int(inCount - stream.pointee.avail_in), produced = Int(outCount - stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        if consumed > 0 { isInsideStream = true }
        switch status {
        case Z_OK, Z_BUF_ERROR:   // Z_BUF_ERROR: no progress possible now, not an error
            return DecompressionStep(consumed: consumed, produced: produced, outcome: .progressing)
        case Z_STREAM_END:
            isInsideStream = false
            return DecompressionStep(consumed: consumed, produced: produced, outcome: .streamEnd)
        case Z_MEM_ERROR:
            return DecompressionStep(consumed: consumed, produced: produced, outcome: .corrupt("out of memory"))
        default:   // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data (zlib \(status))"
            return DecompressionStep(consumed: consumed, produced: produced, outcome: .corrupt(message))
        }
    }

    func reset() throws(DecompressionError) {
        guard inflateReset(stream) == Z_OK else { throw .setupFailed(.gzip, "inflateReset failed") }
        isInsideStream = false
    }
}
