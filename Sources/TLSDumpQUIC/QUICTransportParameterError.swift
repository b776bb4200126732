/// Why a quic_transport_parameters extension could not be read.
public enum QUICTransportParameterError: Error, Sendable, Equatable {
    /// A parameter's id, length or value runs past the end (body offset `at`).
    case truncated(at: Int)
    /// An integer parameter whose value is not exactly one varint filling its length.
    case badIntegerValue(id: UInt64, at: Int)
    /// A connection ID parameter longer than 20 bytes.
    case connectionIDTooLong(id: UInt64, length: Int)
}
