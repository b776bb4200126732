import CZstd

/// RFC 8879 zstd (RFC 8878). Frames may follow one another; skippable frames
/// are skipped by the library. The window (the decoder's working memory) is
/// capped at 16 MiB, the most a Certificate message can be: a streaming
/// compressor that did not know the size writes a window larger than the
/// output (2 MiB at the default level), so the output limit would be too tight.
final class ZstdCertificateDecoder: CertificateStreamDecoder {
    private let context: OpaquePointer
    /// 2^24: brotli's own largest window too, so no codec works in more.
    static let windowLogMax: Int32 = 24

    init() throws(CertificateDecoderSetupError) {
        guard let context = ZSTD_createDCtx() else { throw CertificateDecoderSetupError(reason: "cannot allocate a zstd decoder") }
        self.context = context
        let windowLog = Self.windowLogMax
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
