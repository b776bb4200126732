import TLSDumpBase

/// One decoded UDP datagram. A borrowed view like `TCPSegment`: `payload`
/// points into the packet buffer (or the decoder's reassembly buffer) and is
/// valid only until the next `PacketDecoder` call.
public struct UDPDatagram {
    public var timestamp: Timestamp
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// UDP payload clipped to the UDP length field and to what was captured.
    public var payload: UnsafeRawBufferPointer
    /// The capture holds fewer payload bytes than the UDP header announces (snapshot length).
    public var payloadTruncated: Bool

    public init(timestamp: Timestamp, source: IPAddress, destination: IPAddress,
                sourcePort: UInt16, destinationPort: UInt16,
                payload: UnsafeRawBufferPointer, payloadTruncated: Bool) {
        self.timestamp = timestamp
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payload = payload
        self.payloadTruncated = payloadTruncated
    }
}

/// What `PacketDecoder.decodePacket` found: a TCP segment or a UDP datagram.
public enum DecodedPacket {
    case tcp(TCPSegment)
    case udp(UDPDatagram)
}
