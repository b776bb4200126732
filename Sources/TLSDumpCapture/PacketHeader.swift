import TLSDumpBase

/// Per-packet metadata delivered alongside the packet bytes.
public struct PacketHeader: Sendable, Equatable {
    public var timestamp: Timestamp
    /// Bytes present in the buffer (at most the snapshot length).
    public var capturedLength: Int
    /// Bytes the packet had on the wire; larger than `capturedLength` when the snapshot length cut it.
    public var wireLength: Int
    /// The DLT of the file (or interface) the packet came from: the members of
    /// a `CaptureSet` may differ, so each packet is decoded by its own.
    public var linkType: Int32

    public init(timestamp: Timestamp, capturedLength: Int, wireLength: Int, linkType: Int32) {
        self.timestamp = timestamp
        self.capturedLength = capturedLength
        self.wireLength = wireLength
        self.linkType = linkType
    }
}

/// One step of a pull-style read (`PcapHandle.nextPacket`): a packet whose
/// bytes stay valid until the next read on the same handle, or how the read ended.
enum PulledPacket {
    case packet(PacketHeader, UnsafeRawBufferPointer)
    /// Live only: the read timeout passed without a packet.
    case timeout
    case end(ReadEnd)
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
