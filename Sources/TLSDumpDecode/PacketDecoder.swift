import TLSDumpBase

/// Thrown by `PacketDecoder.init` for a link type it cannot decode.
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedLinkType(Int32)

    public var description: String {
        switch self {
        case .unsupportedLinkType(let dlt): "unsupported link type (DLT \(dlt))"
        }
    }
}

/// Decodes captured frames down to TCP segments: link layer, 802.1Q/QinQ tags,
/// IPv4/IPv6 with extension headers and fragment reassembly, one level of GRE
/// or IP-in-IP tunnelling, and the TCP header.
///
/// Decodes in place from the packet pointer with explicit bounds checks and no
/// per-packet allocation (fragment reassembly may allocate). Not thread-safe;
/// one decoder per packet stream.
public struct PacketDecoder {
    public let linkType: Int32
    public private(set) var stats = DecodeStats()
    private let link: LinkLayer
    private var reassembler: FragmentReassembler
    /// Capture time of the packet being decoded.
    private var now = Timestamp.zero

    /// UDP datagrams are decoded too (for QUIC); off, they count as `nonTCP`.
    private let decodesUDP: Bool

    public init(linkType: Int32, limits: FragmentLimits = .default, decodesUDP: Bool = false) throws {
        guard let link = LinkLayer(linkType: linkType) else { throw DecodeError.unsupportedLinkType(linkType) }
        self.linkType = linkType
        self.link = link
        self.reassembler = FragmentReassembler(limits: limits)
        self.decodesUDP = decodesUDP
    }

    public static func isSupported(linkType: Int32) -> Bool { LinkLayer(linkType: linkType) != nil }

    /// Datagrams waiting for more fragments.
    public var fragmentDatagramsInFlight: Int { reassembler.datagramsInFlight }

    /// The TCP segment in `packet`, or nil: not TCP, malformed or truncated
    /// (counted in `stats`), or a fragment still waiting for the rest.
    public mutating func decode(_ packet: UnsafeRawBufferPointer, timestamp: Timestamp) -> TCPSegment? {
        decode(packet, timestamp: timestamp) { _ in }
    }

    /// The TCP segment in `packet`, as `decode`; a UDP datagram (when the
    /// decoder decodes UDP) goes to `udp` instead. The per-packet path of the
    /// pipeline: TCP segments come back as before, with no wrapping enum to copy.
    public mutating func decode(_ packet: UnsafeRawBufferPointer, timestamp: Timestamp,
                                udp: (UDPDatagram) -> Void) -> TCPSegment? {
        now = timestamp
        stats.packets += 1
        let outcome = decodeLink(packet)
        syncFragmentCounters()
        switch outcome {
        case .segment(let segment):
            stats.tcp += 1
            if segment.payloadTruncated { stats.payloadTruncated += 1 }
            return segment
        case .datagram(let datagram):
            stats.udp += 1
            if datagram.payloadTruncated { stats.payloadTruncated += 1 }
            udp(datagram)
        case .notTCP: stats.nonTCP += 1
        case .malformed: stats.malformed += 1
        case .truncated: stats.truncated += 1
        case .unsupportedLink: stats.unsupportedLink += 1
        case .fragmentHeld: stats.heldFragments += 1
        }
        return nil
    }

    /// The TCP segment or (when the decoder decodes UDP) the UDP datagram in
    /// `packet`, or nil as for `decode`.
    public mutating func decodePacket(_ packet: UnsafeRawBufferPointer, timestamp: Timestamp) -> DecodedPacket? {
        var datagram: UDPDatagram?
        if let segment = decode(packet, timestamp: timestamp, udp: { datagram = $0 }) { return .tcp(segment) }
        return datagram.map { .udp($0) }
    }

    private mutating func syncFragmentCounters() {
        stats.ipReassembled = reassembler.completedDatagrams
        stats.ipFragmentsDropped = reassembler.droppedFragments + fragmentsCutBySnaplen
        stats.ipFragmentOverlaps = reassembler.overlappingFragments
    }

    private var fragmentsCutBySnaplen = 0
}

/// What became of one packet.
enum DecodeOutcome {
    case segment(TCPSegment)
    case datagram(UDPDatagram)
    case notTCP
    case malformed
    case truncated
    case unsupportedLink
    case fragmentHeld

    /// Running out of bytes is truncation when the capture was cut short
    /// (`cut`), and malformation when the datagram itself is too short.
    static func shortOf(cut: Bool) -> DecodeOutcome { cut ? .truncated : .malformed }
}

// MARK: - Link layer

extension PacketDecoder {
    private mutating func decodeLink(_ packet: UnsafeRawBufferPointer) -> DecodeOutcome {
        switch link {
        case .ethernet:
            return decodeEthernet(packet, depth: 0)
        case .linuxCooked:
            guard let type = packet.checkedU16(at: 14),
                  let payload = packet.checkedSlice(from: 16, to: packet.count) else { return .truncated }
            return decodeEtherType(type, payload, depth: 0)
        case .linuxCooked2:
            guard let type = packet.checkedU16(at: 0),
                  let payload = packet.checkedSlice(from: 20, to: packet.count) else { return .truncated }
            return decodeEtherType(type, payload, depth: 0)
        case .rawIP:
            guard let first = packet.checkedU8(at: 0) else { return .truncated }
            switch first >> 4 {
            case 4: return decodeIPv4(packet, depth: 0)
            case 6: return decodeIPv6(packet, depth: 0)
            default: return .malformed
            }
        case .ipv4:
            return decodeIPv4(packet, depth: 0)
        case .ipv6:
            return decodeIPv6(packet, depth: 0)
        case .ppp:
            return decodePPP(packet)
        case .bsdLoopback:
            guard let family = packet.checkedU32(at: 0),
                  let payload = packet.checkedSlice(from: 4, to: packet.count) else { return .truncated }
            // DLT_NULL is in the capturing host's byte order: accept either.
            let swapped = family.byteSwapped
            if LoopbackFamily.ipv4.contains(family) || LoopbackFamily.ipv4.contains(swapped) {
                return decodeIPv4(payload, depth: 0)
            }
            if LoopbackFamily.ipv6.contains(family) || LoopbackFamily.ipv6.contains(swapped) {
                return decodeIPv6(payload, depth: 0)
            }
            return .unsupportedLink
        }
    }

    /// PPP: HDLC address and control (ff 03) when present, then the protocol
    /// number, one byte when compressed (odd first byte), else two.
    private mutating func decodePPP(_ frame: UnsafeRawBufferPointer) -> DecodeOutcome {
        var offset = 0
        if frame.checkedU8(at: 0) == 0xff && frame.checkedU8(at: 1) == 0x03 { offset = 2 }
        guard let first = frame.checkedU8(at: offset) else { return .truncated }
        let proto: UInt16
        if first & 1 == 1 {
            proto = UInt16(first)
            offset += 1
        } else {
            guard let two = frame.checkedU16(at: offset) else { return .truncated }
            proto = two
            offset += 2
        }
        guard let payload = frame.checkedSlice(from: offset, to: frame.count) else { return .truncated }
        switch proto {
        case PPPProtocol.ipv4: return decodeIPv4(payload, depth: 0)
        case PPPProtocol.ipv6: return decodeIPv6(payload, depth: 0)
        default: return .notTCP
        }
    }

    /// Ethernet II with any number of VLAN tags.
    private mutating func decodeEthernet(_ frame: UnsafeRawBufferPointer, depth: Int) -> DecodeOutcome {
        guard var type = frame.checkedU16(at: 12) else { return .truncated }
        var offset = 14
        while EtherType.vlanTags.contains(type) {
            guard let inner = frame.checkedU16(at: offset + 2) else { return .truncated }
            type = inner
            offset += 4
        }
        guard let payload = frame.checkedSlice(from: offset, to: frame.count) else { return .truncated }
        return decodeEtherType(type, payload, depth: depth)
    }

    private mutating func decodeEtherType(_ type: UInt16, _ payload: UnsafeRawBufferPointer, depth: Int) -> DecodeOutcome {
        switch type {
        case EtherType.ipv4: return decodeIPv4(payload, depth: depth)
        case EtherType.ipv6: return decodeIPv6(payload, depth: depth)
        default: return .notTCP
        }
    }
}

// MARK: - IP

extension PacketDecoder {
    private mutating func decodeIPv4(_ packet: UnsafeRawBufferPointer, depth: Int) -> DecodeOutcome {
        guard let versionAndLength = packet.checkedU8(at: 0) else { return .truncated }
        guard versionAndLength >> 4 == 4 else { return .malformed }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { return .malformed }
        guard let totalLength = packet.checkedU16(at: 2),
              let fragmentField = packet.checkedU16(at: 6),
              let protocolNumber = packet.checkedU8(at: 9),
              let source = packet.checkedIPv4Address(at: 12),
              let destination = packet.checkedIPv4Address(at: 16) else { return .truncated }
        // A total length of 0 is what TCP segmentation offload leaves in outgoing captures.
        let declaredEnd = totalLength == 0 ? packet.count : Int(totalLength)
        guard declaredEnd >= headerLength else { return .malformed }
        guard let payload = packet.checkedSlice(from: headerLength, to: min(packet.count, declaredEnd)) else {
            return .truncated  // options cut by the snapshot length
        }
        let cut = declaredEnd > packet.count

        let moreFragments = fragmentField & 0x2000 != 0
        let fragmentOffset = Int(fragmentField & 0x1FFF) * 8
        guard moreFragments || fragmentOffset != 0 else {
            return decodeTransport(protocolNumber, payload, source: source, destination: destination, cut: cut, depth: depth)
        }
        let identification = packet.checkedU16(at: 4) ?? 0
        let key = FragmentKey(source: source, destination: destination,
                              identification: UInt32(identification), protocolNumber: protocolNumber)
        switch addFragment(key, offset: fragmentOffset, isLast: !moreFragments, protocolNumber: protocolNumber,
                           bytes: payload, cut: cut, depth: depth) {
        case .outcome(let outcome):
            return outcome
        case .datagram(let datagram, _):
            return decodeTransport(protocolNumber, datagram, source: source, destination: destination, cut: false, depth: depth)
        }
    }

    private mutating func decodeIPv6(_ packet: UnsafeRawBufferPointer, depth: Int) -> DecodeOutcome {
        guard let first = packet.checkedU8(at: 0) else { return .truncated }
        guard first >> 4 == 6 else { return .malformed }
        guard let payloadLength = packet.checkedU16(at: 4),
              let nextHeader = packet.checkedU8(at: 6),
              let source = packet.checkedIPv6Address(at: 8),
              let destination = packet.checkedIPv6Address(at: 24) else { return .truncated }
        // Payload length 0: a jumbogram or segmentation offload; trust the captured length.
        let declaredEnd = payloadLength == 0 ? packet.count : 40 + Int(payloadLength)
        guard let payload = packet.checkedSlice(from: 40, to: min(packet.count, declaredEnd)) else { return .truncated }
        return decodeIPv6Payload(nextHeader, payload, source: source, destination: destination,
                                 cut: declaredEnd > packet.count, reassembled: false, depth: depth)
    }

    /// Walks extension headers from `nextHeader` at the start of `payload`.
    /// A reassembled datagram may not contain another fragment header.
    private mutating func decodeIPv6Payload(_ nextHeader: UInt8, _ payload: UnsafeRawBufferPointer,
                                            source: IPAddress, destination: IPAddress,
                                            cut: Bool, reassembled: Bool, depth: Int) -> DecodeOutcome {
        var next = nextHeader
        var offset = 0
        walk: while true {
            switch IPv6HeaderKind.table[Int(next)] {
            case .upperLayer:
                break walk
            case .opaque:
                return .notTCP
            case .generic, .authentication:
                guard let following = payload.checkedU8(at: offset),
                      let lengthField = payload.checkedU8(at: offset + 1) else { return .shortOf(cut: cut) }
                let length = IPv6HeaderKind.table[Int(next)] == .authentication
                    ? (Int(lengthField) + 2) * 4
                    : (Int(lengthField) + 1) * 8
                guard offset + length <= payload.count else { return .shortOf(cut: cut) }
                next = following
                offset += length
            case .fragment:
                guard !reassembled else { return .malformed }
                guard let following = payload.checkedU8(at: offset),
                      let field = payload.checkedU16(at: offset + 2),
                      let identification = payload.checkedU32(at: offset + 4) else { return .shortOf(cut: cut) }
                offset += 8
                let fragmentOffset = Int(field & 0xFFF8)
                let moreFragments = field & 1 != 0
                if fragmentOffset == 0 && !moreFragments {  // atomic fragment (RFC 6946)
                    next = following
                    continue walk
                }
                guard let bytes = payload.checkedSlice(from: offset, to: payload.count) else { return .shortOf(cut: cut) }
                let key = FragmentKey(source: source, destination: destination, identification: identification, protocolNumber: 0)
                switch addFragment(key, offset: fragmentOffset, isLast: !moreFragments,
                                   protocolNumber: fragmentOffset == 0 ? following : nil,
                                   bytes: bytes, cut: cut, depth: depth) {
                case .outcome(let outcome):
                    return outcome
                case .datagram(let datagram, let protocolNumber):
                    return decodeIPv6Payload(protocolNumber, datagram, source: source, destination: destination,
                                             cut: false, reassembled: true, depth: depth)
                }
            }
        }
        guard let upper = payload.checkedSlice(from: offset, to: payload.count) else { return .shortOf(cut: cut) }
        return decodeTransport(next, upper, source: source, destination: destination, cut: cut, depth: depth)
    }

    private enum FragmentStep {
        case outcome(DecodeOutcome)
        case datagram(UnsafeRawBufferPointer, protocolNumber: UInt8)
    }

    private mutating func addFragment(_ key: FragmentKey, offset: Int, isLast: Bool, protocolNumber: UInt8?,
                                      bytes: UnsafeRawBufferPointer, cut: Bool, depth: Int) -> FragmentStep {
        stats.ipFragments += 1
        // Part of the fragment is missing from the capture: it cannot fill its range.
        guard !cut else {
            fragmentsCutBySnaplen += 1
            return .outcome(.truncated)
        }
        switch reassembler.add(key, offset: offset, isLast: isLast, protocolNumber: protocolNumber,
                               bytes: bytes, now: now, depth: depth) {
        case .held, .dropped: return .outcome(.fragmentHeld)
        case .completed(let datagram, let protocolNumber): return .datagram(datagram, protocolNumber: protocolNumber)
        }
    }
}

// MARK: - Transport and tunnels

extension PacketDecoder {
    private mutating func decodeTransport(_ protocolNumber: UInt8, _ payload: UnsafeRawBufferPointer,
                                          source: IPAddress, destination: IPAddress,
                                          cut: Bool, depth: Int) -> DecodeOutcome {
        switch protocolNumber {
        case IPProtocol.tcp:
            return decodeTCP(payload, source: source, destination: destination, cut: cut)
        case IPProtocol.udp where decodesUDP:
            return decodeUDP(payload, source: source, destination: destination, cut: cut)
        // Tunnels are followed one level deep only.
        case IPProtocol.gre where depth == 0:
            return decodeGRE(payload, cut: cut)
        case IPProtocol.ipv4InIP where depth == 0:
            stats.tunneled += 1
            return decodeIPv4(payload, depth: 1)
        case IPProtocol.ipv6InIP where depth == 0:
            stats.tunneled += 1
            return decodeIPv6(payload, depth: 1)
        default:
            return .notTCP
        }
    }

    /// GRE version 0 (RFC 2784/2890): optional checksum, key and sequence words.
    /// Source-routed (RFC 1701) and version-1 (PPTP) GRE are not followed.
    private mutating func decodeGRE(_ packet: UnsafeRawBufferPointer, cut: Bool) -> DecodeOutcome {
        guard let flags = packet.checkedU16(at: 0), let type = packet.checkedU16(at: 2) else { return .shortOf(cut: cut) }
        let version = flags & 0x0007
        let routingPresent = flags & 0x4000 != 0
        guard version == 0, !routingPresent else { return .notTCP }
        var headerLength = 4
        if flags & 0x8000 != 0 { headerLength += 4 }  // checksum + reserved
        if flags & 0x2000 != 0 { headerLength += 4 }  // key
        if flags & 0x1000 != 0 { headerLength += 4 }  // sequence number
        guard let inner = packet.checkedSlice(from: headerLength, to: packet.count) else { return .shortOf(cut: cut) }
        stats.tunneled += 1
        if type == EtherType.transparentEthernet { return decodeEthernet(inner, depth: 1) }
        return decodeEtherType(type, inner, depth: 1)
    }

    private func decodeTCP(_ packet: UnsafeRawBufferPointer, source: IPAddress, destination: IPAddress,
                           cut: Bool) -> DecodeOutcome {
        guard let sourcePort = packet.checkedU16(at: 0),
              let destinationPort = packet.checkedU16(at: 2),
              let sequence = packet.checkedU32(at: 4),
              let acknowledgment = packet.checkedU32(at: 8),
              let dataOffset = packet.checkedU8(at: 12),
              let flags = packet.checkedU8(at: 13),
              let window = packet.checkedU16(at: 14),
              packet.count >= 20 else { return .shortOf(cut: cut) }
        let headerLength = Int(dataOffset >> 4) * 4
        guard headerLength >= 20 else { return .malformed }
        guard let payload = packet.checkedSlice(from: headerLength, to: packet.count) else { return .shortOf(cut: cut) }
        return .segment(TCPSegment(
            timestamp: now, source: source, destination: destination,
            sourcePort: sourcePort, destinationPort: destinationPort,
            sequence: sequence, acknowledgment: acknowledgment,
            flags: TCPFlags(rawValue: flags), window: window,
            payload: payload, payloadTruncated: cut))
    }

    /// UDP (RFC 768): the length field bounds the payload; a datagram shorter
    /// than it announces was cut by the snapshot length (or lies).
    private func decodeUDP(_ packet: UnsafeRawBufferPointer, source: IPAddress, destination: IPAddress,
                           cut: Bool) -> DecodeOutcome {
        guard let sourcePort = packet.checkedU16(at: 0),
              let destinationPort = packet.checkedU16(at: 2),
              let length = packet.checkedU16(at: 4),
              packet.count >= 8 else { return .shortOf(cut: cut) }
        // Length 0 is a jumbogram's (RFC 2675): the IP payload bounds it.
        let announced = length == 0 ? packet.count : Int(length)
        guard announced >= 8 else { return .malformed }
        // A length past the IP payload is delivered as far as it goes (as tshark
        // dissects it): QUIC reads its own lengths and flags what does not fit.
        let end = min(announced, packet.count)
        guard let payload = packet.checkedSlice(from: 8, to: end) else { return .shortOf(cut: cut) }
        return .datagram(UDPDatagram(
            timestamp: now, source: source, destination: destination,
            sourcePort: sourcePort, destinationPort: destinationPort,
            payload: payload, payloadTruncated: announced > packet.count))
    }
}
