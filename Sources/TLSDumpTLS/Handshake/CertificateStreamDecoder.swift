/// One codec's streaming decoder, driven by `BoundedDecompression`: each step
/// reads what it can of `input` and writes at most `output.count` bytes.
protocol CertificateStreamDecoder: AnyObject {
    func step(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) -> CertificateDecoderStep
}

struct CertificateDecoderStep {
    enum Status: Equatable {
        /// More to do: more output space wanted, or more input (none left means truncated).
        case progressing
        /// The compressed stream ended (with all of `input` read for zstd, which may chain frames).
        case finished
        case failed(String)
    }

    var consumed: Int
    var produced: Int
    var status: Status
}

/// A codec library could not allocate its decoder.
struct CertificateDecoderSetupError: Error {
    var reason: String
}
