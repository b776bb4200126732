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
    private let limits: FragmentLimits
    private let decodesUDP: Bool
    /// Decoders kept at most (each holds its own fragment table).
    static let maxLinkTypes = 16

    public init(linkTypes: [Int32], limits: FragmentLimits = .default, decodesUDP: Bool = false) throws {
        self.limits = limits
        self.decodesUDP = decodesUDP
        decoders = try linkTypes.map { try PacketDecoder(linkType: $0, limits: limits, decodesUDP: decodesUDP) }
        guard let first = linkTypes.first else { throw DecodeError.unsupportedLinkType(-1) }
        currentLinkType = first
    }

    /// As `PacketDecoder.decode`, with the decoder of `linkType`. A link type
    /// not given at init gets a decoder when one reads it (a pcapng interface
    /// described after the first packets); otherwise it counts as an unsupported link (nil).
    public mutating func decode(_ packet: UnsafeRawBufferPointer, linkType: Int32, timestamp: Timestamp,
                                udp: (UDPDatagram) -> Void) -> TCPSegment? {
        if linkType != currentLinkType {
            if let index = decoders.firstIndex(where: { $0.linkType == linkType }) {
                current = index
            } else if decoders.count < Self.maxLinkTypes,
                      let added = try? PacketDecoder(linkType: linkType, limits: limits, decodesUDP: decodesUDP) {
                decoders.append(added)
                current = decoders.count - 1
            } else {
                unknownLinkPackets += 1
                return nil
            }
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
