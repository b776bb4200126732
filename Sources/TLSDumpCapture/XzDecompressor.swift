import CLzma

/// xz streams with liblzma, each stream's check (CRC/SHA-256) verified.
/// Concatenated streams and the zero padding xz allows between them are
/// handled here; the decoder's memory is capped (`memoryLimit`).
final class XzDecompressor: Decompressor {
    private let stream: UnsafeMutablePointer<lzma_stream>
    private(set) var isInsideStream = false

    /// xz -9 needs 65 MiB; a header asking for more is refused, not allocated.
    static let memoryLimit: UInt64 = 256 << 20

    init() throws(DecompressionError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: lzma_stream())   // all zero: LZMA_STREAM_INIT
        let status = lzma_stream_decoder(stream, Self.memoryLimit, 0)
        guard status == LZMA_OK else {
            stream.deallocate()
            throw .setupFailed(.xz, "cannot set up the decoder (\(status.rawValue))")
        }
    }

    deinit {
        lzma_end(stream)
        stream.deallocate()
    }

    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> DecompressionStep {
        var padding = 0
        if !isInsideStream {
            // Stream padding: zero bytes between (and after) streams.
            padding = input.prefix(while: { $0 == 0 }).count
            if padding == input.count { return DecompressionStep(consumed: padding, produced: 0, outcome: .progressing) }
        }
        let rest = UnsafeRawBufferPointer(rebasing: input[padding...])
        stream.pointee.next_in = rest.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_in = rest.count
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = output.count
        let status = lzma_code(stream, LZMA_RUN)
        let consumed = rest.count - stream.pointee.avail_in, produced = output.count - stream.pointee.avail_out
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        if consumed > 0 { isInsideStream = true }
        let outcome: DecompressionStep.Outcome
        switch status {
        case LZMA_OK, LZMA_BUF_ERROR: outcome = .progressing
        case LZMA_STREAM_END:
            isInsideStream = false
            outcome = .streamEnd
        case LZMA_MEMLIMIT_ERROR: outcome = .corrupt("needs more than \(Self.memoryLimit >> 20) MiB of memory to decode")
        case LZMA_MEM_ERROR: outcome = .corrupt("out of memory")
        case LZMA_FORMAT_ERROR: outcome = .corrupt("not an xz stream")
        case LZMA_OPTIONS_ERROR: outcome = .corrupt("unsupported compression options")
        case LZMA_DATA_ERROR: outcome = .corrupt("compressed data is corrupt")
        default: outcome = .corrupt("decoder error \(status.rawValue)")
        }
        return DecompressionStep(consumed: padding + consumed, produced: produced, outcome: outcome)
    }

    func reset() throws(DecompressionError) {
        // A second init on the same stream reuses the decoder's memory.
        guard lzma_stream_decoder(stream, Self.memoryLimit, 0) == LZMA_OK else {
            throw .setupFailed(.xz, "cannot reset the decoder")
        }
        isInsideStream = false
    }
}
