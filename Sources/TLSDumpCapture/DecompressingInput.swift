#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compressed file (or stdin) read forward through a `Decompressor`, in a
/// fixed input buffer: memory stays the same whatever the file's size.
/// Streams one after another (gzip members, zstd/lz4 frames, xz streams)
/// are decoded in turn. After a failure, the bytes decoded before it are
/// still returned; then every read throws it.
final class DecompressingInput {
    /// nil: not compressed (stdin's bytes passed through unchanged).
    let format: CompressionFormat?
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let decompressor: any Decompressor
    private let buffer: UnsafeMutableRawBufferPointer
    /// Unconsumed input: buffer[start..<end].
    private var start = 0
    private var end = 0
    private var inputEnded = false
    private(set) var failure: DecompressionError?
    /// Bytes read from the file so far (for the progress line).
    private var readFromFile: Int64 = 0
    /// Of those, what the decoder has taken.
    var consumedInputBytes: Int64 { max(0, readFromFile - Int64(end - start)) }

    /// Bytes read from the compressed file at once.
    static let inputBufferBytes = 256 << 10

    /// `prefix`: bytes already read from `descriptor` (stdin's sniffed magic).
    /// Takes ownership of the descriptor when `ownsDescriptor` (also on a throw).
    init(descriptor: Int32, ownsDescriptor: Bool, format: CompressionFormat?, prefix: [UInt8] = []) throws(DecompressionError) {
        do {
            decompressor = try format?.makeDecompressor() ?? PassthroughDecompressor()
        } catch {
            if ownsDescriptor { _ = Glibc.close(descriptor) }
            throw error
        }
        self.format = format
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
        buffer = .allocate(byteCount: max(Self.inputBufferBytes, prefix.count), alignment: 16)
        prefix.withUnsafeBytes { buffer.copyMemory(from: $0) }
        end = prefix.count
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { _ = Glibc.close(descriptor) }
    }

    /// Fills `output` with decoded bytes: how many (0: the input ended
    /// cleanly). Returns early with what it has rather than wait for more
    /// input. Throws a failure only once nothing decoded before it is left.
    func read(into output: UnsafeMutableRawBufferPointer) throws(DecompressionError) -> Int {
        var count = 0
        decoding: while count < output.count && failure == nil {
            // Also with no input left: the decoder may hold output it could not hand over yet.
            let step = decompressor.decompress(UnsafeRawBufferPointer(rebasing: buffer[start..<end]),
                                               into: UnsafeMutableRawBufferPointer(rebasing: output[count...]))
            // The codecs never report more than they were given; clamp all the same.
            start += min(max(step.consumed, 0), end - start)
            count += min(max(step.produced, 0), output.count - count)
            switch step.outcome {
            case .progressing:
                guard step.consumed == 0 && step.produced == 0 else { continue }
                // The decoder needs the input after what it has.
                if count > 0 { break decoding }   // hand over what there is before blocking on a read
                if inputEnded {
                    // Input left that no decoder took, or a stream not ended: cut.
                    if decompressor.isInsideStream || start < end { fail(.endsEarly(codec)) }
                    break decoding
                }
                if start == 0 && end == buffer.count {
                    fail(.corrupt(codec, "the decoder makes no progress"))   // never with these codecs
                } else {
                    refill()
                }
            case .streamEnd:
                do { try decompressor.reset() } catch { fail(error) }
            case .corrupt(let message):
                fail(.corrupt(codec, message))
            }
        }
        if count == 0, let failure { throw failure }
        return count
    }

    /// The format errors are named after. Only a codec fails on content, and
    /// the passthrough (format nil) has none: its fallback is never shown.
    private var codec: CompressionFormat { format ?? .gzip }

    private func fail(_ error: DecompressionError) {
        if failure == nil { failure = error }
    }

    /// Moves the unconsumed bytes to the front and reads after them.
    private func refill() {
        if start > 0 {
            if end > start, let base = buffer.baseAddress {
                memmove(base, base + start, end - start)
            }
            end -= start
            start = 0
        }
        guard end < buffer.count, let base = buffer.baseAddress else { return }
        while true {
            let n = Glibc.read(descriptor, base + end, buffer.count - end)
            if n > 0 {
                end += n
                readFromFile += Int64(n)
            } else if n == 0 {
                inputEnded = true
            } else if errno == EINTR {
                continue
            } else {
                fail(.readFailed(String(cString: strerror(errno))))
            }
            return
        }
    }
}
