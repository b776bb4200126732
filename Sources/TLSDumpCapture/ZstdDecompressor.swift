import CZstd

/// zstd frames with libzstd's streaming decoder. Skippable frames are skipped
/// by the library; a frame's window is capped (see `windowLogMax`).
final class ZstdDecompressor: Decompressor {
    private let context: OpaquePointer
    private(set) var isInsideStream = false

    /// 2^27 = 128 MiB, zstd's own default cap (frames made with --long=31 are
    /// refused rather than allocating 2 GiB).
    static let windowLogMax: Int32 = 27

    init() throws(DecompressionError) {
        guard let context = ZSTD_createDStream() else { throw .setupFailed(.zstd, "cannot allocate a decoder") }
        self.context = context
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.windowLogMax)
    }

    deinit { ZSTD_freeDStream(context) }

    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> DecompressionStep {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        let consumed = inBuffer.pos, produced = outBuffer.pos
        // A hint of 0: the frame (or a skippable frame) is decoded and flushed whole.
        return .framed(hint: hint, isError: ZSTD_isError(hint) != 0,
                       errorName: ZSTD_getErrorName(hint).map { String(cString: $0) } ?? "error \(hint)",
                       consumed: consumed, produced: produced, insideStream: &isInsideStream)
    }

    func reset() throws(DecompressionError) {
        guard ZSTD_isError(ZSTD_DCtx_reset(context, ZSTD_reset_session_only)) == 0 else {
            throw .setupFailed(.zstd, "cannot reset the decoder")
        }
        isInsideStream = false
    }
}
