import CBrotli

/// RFC 8879 brotli (RFC 7932). The large-window extension stays off, so the
/// decoder's ring buffer is at most 16 MiB.
final class BrotliCertificateDecoder: CertificateStreamDecoder {
    private let state: OpaquePointer

    init() throws(CertificateDecoderSetupError) {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            throw CertificateDecoderSetupError(reason: "cannot allocate a brotli decoder")
        }
        self.state = state
    }

    deinit { BrotliDecoderDestroyInstance(state) }

    func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> CertificateDecoderStep {
        var availableIn = input.count, availableOut = output.count
        var nextIn = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var nextOut = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
        let consumed = input.count - availableIn, produced = output.count - availableOut
        switch result {
        case BROTLI_DECODER_RESULT_SUCCESS:
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .finished)
        case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT, BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .progressing)
        default:
            let code = BrotliDecoderGetErrorCode(state)
            let name = BrotliDecoderErrorString(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
            return CertificateDecoderStep(consumed: consumed, produced: produced, status: .failed("brotli: " + name))
        }
    }
}
