import TLSDumpBase

/// One `PacketDecoder` per link type, for input whose packets differ in link
/// type (a capture set of an Ethernet and a Linux cooked file): each packet is
/// decoded by its own link type's decoder, which keeps its own fragments.
/// One link type (the usual case) costs a comparison a packet.
public struct LinkTypeDecoders {
    private var decoders: [PacketDecoder]
    private var current = 0
    private var currentLinkType: Int32

    /// Throws `DecodeError.unsupportedLinkType` for a link type no decoder reads.
    public init(linkTypes: [Int32], limits: FragmentLimits = .default, decodesUDP: Bool = false) throws {
        decoders = try linkTypes.map { try PacketDecoder(linkType: $0, limits: limits, decodesUDP: decodesUDP) }
        guard let first = linkTypes.first else { throw DecodeError.unsupportedLinkType(-1) }
        currentLinkType = first
    }

    /// As `PacketDecoder.decode`, with the decoder of `linkType`; a link type
    /// not given at init counts as an unsupported link (nil).
    public mutating func decode(_ packet: UnsafeRawBufferPointer, linkType: Int32, timestamp: Timestamp,
                                udp: (UDPDatagram) -> Void) -> TCPSegment? {
        if linkType != currentLinkType {
            guard let index = decoders.firstIndex(where: { $0.linkType == linkType }) else {
                unknownLinkPackets += 1
                return nil
            }
            current = index
            currentLinkType = linkType
        }
        return decoders[current].decode(packet, timestamp: timestamp, udp: udp)
    }

    public mutating func decode(_ packet: UnsafeRawBufferPointer, linkType: Int32, timestamp: Timestamp) -> TCPSegment? {
        decode(packet, linkType: linkType, timestamp: timestamp) { _ in }
    }

    /// Packets whose link type had no decoder (none when the source's `linkTypes` were given).
    private var unknownLinkPackets = 0

    /// The decoders' counters added up.
    public var stats: DecodeStats {
        var total = DecodeStats()
        total.packets = unknownLinkPackets
        total.unsupportedLink = unknownLinkPackets
        for decoder in decoders { total.add(decoder.stats) }
        return total
    }
}
