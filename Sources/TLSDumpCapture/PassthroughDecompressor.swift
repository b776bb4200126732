/// Copies bytes unchanged: an uncompressed capture on stdin goes through the
/// same stream as a compressed one, so the bytes read to sniff its format reach libpcap.
final class PassthroughDecompressor: Decompressor {
    var isInsideStream: Bool { false }

    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> DecompressionStep {
        let count = min(input.count, output.count)
        if count > 0, let source = input.baseAddress, let target = output.baseAddress {
            target.copyMemory(from: source, byteCount: count)
        }
        return DecompressionStep(consumed: count, produced: count, outcome: .progressing)
    }

    func reset() throws(DecompressionError) {}
}
