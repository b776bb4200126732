import TLSDumpBase

/// Per-packet metadata delivered alongside the packet bytes.
public struct PacketHeader: Sendable, Equatable {
    public var timestamp: Timestamp
    /// Bytes present in the buffer (at most the snapshot length).
    public var capturedLength: Int
    /// Bytes the packet had on the wire; larger than `capturedLength` when the snapshot length cut it.
    public var wireLength: Int

    public init(timestamp: Timestamp, capturedLength: Int, wireLength: Int) {
        self.timestamp = timestamp
        self.capturedLength = capturedLength
        self.wireLength = wireLength
    }
}

/// How a packet loop ended.
public enum ReadEnd: Sendable, Equatable {
    /// Every packet of the input was delivered.
    case endOfInput
    /// The caller's closure returned false.
    case stopped
    /// The file ended inside a record; every complete packet before it was delivered.
    case truncated(String)
    /// libpcap reported a read error that is not a truncation (libpcap's message).
    case readError(String)
}
