/// Drives a decoder over one message's bytes into a buffer capped at the
/// declared length; one byte more is probed for in a separate byte, so
/// "decodes to more than declared" is told without allocating for it.
enum BoundedDecompression {
    /// Output is decoded in chunks of this size and copied into the capped buffer.
    static let chunkSize = 16 * 1024

    static func run(_ decoder: any CertificateStreamDecoder, input: UnsafeRawBufferPointer, declared: Int) -> CertificateDecompression {
        let output = GrowableBuffer(limit: declared)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8)
        defer { chunk.deallocate() }
        var offset = 0
        while true {
            let room = min(chunkSize, declared - output.count)
            // Output full: a one-byte window tells whether the data holds more.
            let window = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<max(room, 1)])
            let step = decoder.step(UnsafeRawBufferPointer(rebasing: input[offset...]), window)
            guard step.consumed >= 0, step.consumed <= input.count - offset, step.produced >= 0, step.produced <= window.count else {
                return .invalid("decoder reported impossible progress")
            }
            offset += step.consumed
            if room == 0 && step.produced > 0 { return .longerThanDeclared(declared: declared) }
            if step.produced > 0 {
                guard output.append(UnsafeRawBufferPointer(rebasing: window[0..<step.produced])) else {
                    return .longerThanDeclared(declared: declared)
                }
            }
            switch step.status {
            case .failed(let reason):
                return .invalid(reason)
            case .finished:
                if offset < input.count { return .invalid("\(input.count - offset) bytes after the end of the compressed data") }
                if output.count < declared { return .shorterThanDeclared(declared: declared, actual: output.count) }
                return .decompressed(Array(output.bytes))
            case .progressing:
                if step.consumed == 0 && step.produced == 0 {
                    return .invalid(offset == input.count ? "the compressed data ends before its stream does" : "the decoder stopped making progress")
                }
            }
        }
    }
}
