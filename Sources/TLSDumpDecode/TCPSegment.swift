import TLSDumpBase

/// One decoded TCP segment. A borrowed view: `payload` points into the packet
/// buffer (or the decoder's reassembly buffer) and is valid only until the next
/// `PacketDecoder.decode` call; copy what must outlive it.
public struct TCPSegment {
    public var timestamp: Timestamp
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var flags: TCPFlags
    public var window: UInt16
    /// TCP payload clipped to what was captured and to the IP total length
    /// (so Ethernet padding is never payload).
    public var payload: UnsafeRawBufferPointer
    /// The capture holds fewer payload bytes than the IP header announces (snapshot length).
    public var payloadTruncated: Bool

    public init(timestamp: Timestamp, source: IPAddress, destination: IPAddress,
                sourcePort: UInt16, destinationPort: UInt16,
                sequence: UInt32, acknowledgment: UInt32, flags: TCPFlags, window: UInt16,
                payload: UnsafeRawBufferPointer, payloadTruncated: Bool) {
        self.timestamp = timestamp
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.flags = flags
        self.window = window
        self.payload = payload
        self.payloadTruncated = payloadTruncated
    }
}
