/// One codec's streaming decoder: compressed bytes in, capture bytes out, a
/// fixed-size state (no buffer that grows with the input).
/// A class: it owns the codec library's context and frees it in `deinit`.
protocol Decompressor: AnyObject {
    /// Decodes from `input` into `output`. Reports how much of each it used,
    /// and whether the current stream (gzip member, zstd/lz4 frame, xz stream) ended.
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> DecompressionStep
    /// Ready for the next stream after `.streamEnd` (concatenated members and frames).
    func reset() throws(DecompressionError)
    /// Whether a stream has begun and not yet ended: the input ending now cuts it.
    var isInsideStream: Bool { get }
}

/// What one `decompress` call did.
struct DecompressionStep: Equatable {
    var consumed: Int
    var produced: Int
    var outcome: Outcome

    enum Outcome: Equatable {
        /// More input or output space is needed to go on.
        case progressing
        /// The stream ended with this call (its checksum, where it has one, checked).
        case streamEnd
        /// The input is not valid in this format: the library's reason.
        case corrupt(String)
    }

    /// A step of a frame decoder that returns a size hint (zstd, lz4): an
    /// error code gives `.corrupt` with the library's name for it; a hint of 0
    /// after input was taken means the frame is decoded whole (`.streamEnd`).
    static func framed(hint: Int, isError: Bool, errorName: @autoclosure () -> String, consumed: Int, produced: Int,
                       insideStream: inout Bool) -> DecompressionStep {
        if isError { return DecompressionStep(consumed: consumed, produced: produced, outcome: .corrupt(errorName())) }
        if consumed > 0 { insideStream = true }
        if hint == 0 && insideStream {
            insideStream = false
            return DecompressionStep(consumed: consumed, produced: produced, outcome: .streamEnd)
        }
        return DecompressionStep(consumed: consumed, produced: produced, outcome: .progressing)
    }
}

/// Why decompressing failed, named after the format ("gzip stream ends early").
public enum DecompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The compressed input ends inside a stream.
    case endsEarly(CompressionFormat)
    /// The codec rejected the data (library's message).
    case corrupt(CompressionFormat, String)
    /// The codec library could not set up its state (memory).
    case setupFailed(CompressionFormat, String)
    /// Reading the file failed (strerror; the caller says which file).
    case readFailed(String)

    public var description: String {
        switch self {
        case .endsEarly(let format): "\(format.rawValue) stream ends early"
        case .corrupt(let format, let message): "\(format.rawValue): \(message)"
        case .setupFailed(let format, let message): "\(format.rawValue): \(message)"
        case .readFailed(let message): message
        }
    }

    /// A cut stream reads like a cut capture; anything else is a read error.
    var isTruncation: Bool {
        if case .endsEarly = self { return true }
        return false
    }
}
