import CLz4

/// LZ4 frames with liblz4's frame decoder (block and content checksums
/// verified when the frame has them); skippable frames are skipped by the library.
final class Lz4Decompressor: Decompressor {
    private let context: OpaquePointer
    private(set) var isInsideStream = false

    init() throws(DecompressionError) {
        var context: OpaquePointer?
        let status = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(status) == 0, let context else { throw .setupFailed(.lz4, "cannot allocate a decoder") }
        self.context = context
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> DecompressionStep {
        var consumed = input.count, produced = output.count
        let hint = LZ4F_decompress(context, output.baseAddress, &produced, input.baseAddress, &consumed, nil)
        // A hint of 0: the frame is decoded whole; the context is ready for the next one.
        return .framed(hint: hint, isError: LZ4F_isError(hint) != 0,
                       errorName: LZ4F_getErrorName(hint).map { String(cString: $0) } ?? "error \(hint)",
                       consumed: consumed, produced: produced, insideStream: &isInsideStream)
    }

    func reset() throws(DecompressionError) {
        LZ4F_resetDecompressionContext(context)
        isInsideStream = false
    }
}
