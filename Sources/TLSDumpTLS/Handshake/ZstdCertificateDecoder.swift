import CZstd

/// RFC 8879 zstd (RFC 8878). Frames may follow one another; skippable frames
/// are skipped by the library. The window is capped at the output limit: a
/// frame asking for more could not be a Certificate message anyway.
final class ZstdCertificateDecoder: CertificateStreamDecoder {
    private let context: OpaquePointer

    init(maxWindow: Int) throws(CertificateDecoderSetupError) {
        guard let context = ZSTD_createDCtx() else { throw CertificateDecoderSetupError(reason: "cannot allocate a zstd decoder") }
        self.context = context
        // log2 of the limit, rounded up, within zstd's own bounds (10 ... 31).
        let windowLog = Int32(clamping: min(max(Int.bitWidth - max(maxWindow - 1, 1).leadingZeroBitCount, 10), 31))
        guard ZSTD_isError(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, windowLog)) == 0 else {
            ZSTD_freeDCtx(context)
            throw CertificateDecoderSetupError(reason: "cannot cap the zstd window")
        }
    }

    deinit { ZSTD_freeDCtx(context) }

    func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> CertificateDecoderStep {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        let consumed = inBuffer.pos, produced = outBuffer.pos
        if ZSTD_isError(hint) != 0 {
            let name = ZSTD_getErrorName(hint).map { String(cString: $0) } ?? "error \(hint)"
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .failed("zstd: " + name))
        }
        // 0: a frame ended and is flushed; it is the end when no input follows (else the next frame starts).
        let ended = hint == 0 && consumed == input.count
        return CertificateDecoderStep(consumed: consumed, produced: produced, status: ended ? .finished : .progressing)
    }
}
