import TLSDumpBase
import TLSDumpDecode

/// Hand-assembled packets for decoder tests: each helper wraps a payload in one header.
enum Build {
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func le32(_ v: UInt32) -> [UInt8] { be32(v).reversed() }

    static func tcp(sourcePort: UInt16 = 49152, destinationPort: UInt16 = 443,
                    sequence: UInt32 = 0x0102_0304, acknowledgment: UInt32 = 0xA0B0_C0D0,
                    flags: UInt8 = 0x18, window: UInt16 = 0xFFF0,
                    options: [UInt8] = [], payload: [UInt8] = [], dataOffsetOverride: UInt8? = nil) -> [UInt8] {
        precondition(options.count % 4 == 0)
        let dataOffset = dataOffsetOverride ?? UInt8(5 + options.count / 4)
        return be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(acknowledgment)
            + [dataOffset << 4, flags] + be16(window) + [0xAB, 0xCD] /* checksum */ + [0, 0] /* urgent */
            + options + payload
    }

    static func ipv4(source: [UInt8] = [192, 0, 2, 1], destination: [UInt8] = [198, 51, 100, 7],
                     protocolNumber: UInt8 = 6, identification: UInt16 = 0x1234,
                     moreFragments: Bool = false, fragmentOffset: Int = 0, dontFragment: Bool = false,
                     options: [UInt8] = [], totalLengthOverride: UInt16? = nil,
                     payload: [UInt8]) -> [UInt8] {
        precondition(options.count % 4 == 0)
        let headerLength = 20 + options.count
        let total = totalLengthOverride ?? UInt16(headerLength + payload.count)
        var field = UInt16(fragmentOffset / 8)
        if moreFragments { field |= 0x2000 }
        if dontFragment { field |= 0x4000 }
        return [0x40 | UInt8(headerLength / 4), 0] + be16(total) + be16(identification) + be16(field)
            + [64, protocolNumber, 0, 0] + source + destination + options + payload
    }

    static let v6Source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    static let v6Destination: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xca, 0xfe, 0, 2]

    static func ipv6(source: [UInt8] = v6Source, destination: [UInt8] = v6Destination,
                     nextHeader: UInt8 = 6, payloadLengthOverride: UInt16? = nil, payload: [UInt8]) -> [UInt8] {
        let length = payloadLengthOverride ?? UInt16(payload.count)
        return [0x60, 0, 0, 0] + be16(length) + [nextHeader, 64] + source + destination + payload
    }

    /// Hop-by-hop / routing / destination options: 8-octet units, padded with PadN-ish zeros.
    static func genericExtension(next: UInt8, units: Int = 0) -> [UInt8] {
        [next, UInt8(units)] + [UInt8](repeating: 0, count: 6 + units * 8)
    }

    /// Authentication header: length in 4-octet units minus 2; 12 bytes minimum.
    static func authenticationHeader(next: UInt8, extraWords: Int = 1) -> [UInt8] {
        let words = 3 + extraWords
        return [next, UInt8(words - 2), 0, 0] + [UInt8](repeating: 0x5A, count: words * 4 - 4)
    }

    static func ipv6FragmentHeader(next: UInt8, offset: Int, more: Bool, identification: UInt32) -> [UInt8] {
        [next, 0] + be16(UInt16(offset) & 0xFFF8 | (more ? 1 : 0)) + be32(identification)
    }

    static func ethernet(type: UInt16, vlanTags: [UInt16] = [], payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]
        for (index, tpid) in vlanTags.enumerated() { frame += be16(tpid) + be16(UInt16(100 + index)) }
        return frame + be16(type) + payload
    }

    static func linuxCooked(protocolType: UInt16, payload: [UInt8]) -> [UInt8] {
        be16(0) + be16(1) + be16(6) + [1, 2, 3, 4, 5, 6, 0, 0] + be16(protocolType) + payload
    }

    static func linuxCooked2(protocolType: UInt16, payload: [UInt8]) -> [UInt8] {
        be16(protocolType) + be16(0) + be32(2) + be16(1) + [0, 6] + [1, 2, 3, 4, 5, 6, 0, 0] + payload
    }

    static func loopback(family: UInt32, networkOrder: Bool, payload: [UInt8]) -> [UInt8] {
        (networkOrder ? be32(family) : le32(family)) + payload
    }

    static func gre(protocolType: UInt16, checksum: Bool = false, key: UInt32? = nil, sequence: UInt32? = nil,
                    version: UInt16 = 0, routing: Bool = false, payload: [UInt8]) -> [UInt8] {
        var flags = version
        if checksum { flags |= 0x8000 }
        if routing { flags |= 0x4000 }
        if key != nil { flags |= 0x2000 }
        if sequence != nil { flags |= 0x1000 }
        var header = be16(flags) + be16(protocolType)
        if checksum { header += [0xBE, 0xEF, 0, 0] }
        if let key { header += be32(key) }
        if let sequence { header += be32(sequence) }
        return header + payload
    }
}

/// A decoded segment copied out of the borrowed view, for comparisons.
struct DecodedSegment: Equatable {
    var timestamp: Timestamp
    var source: String
    var destination: String
    var sourcePort: UInt16
    var destinationPort: UInt16
    var sequence: UInt32
    var acknowledgment: UInt32
    var flags: TCPFlags
    var window: UInt16
    var payload: [UInt8]
    var payloadTruncated: Bool

    init(_ segment: TCPSegment) {
        timestamp = segment.timestamp
        source = segment.source.description
        destination = segment.destination.description
        sourcePort = segment.sourcePort
        destinationPort = segment.destinationPort
        sequence = segment.sequence
        acknowledgment = segment.acknowledgment
        flags = segment.flags
        window = segment.window
        payload = Array(segment.payload)
        payloadTruncated = segment.payloadTruncated
    }
}

extension PacketDecoder {
    /// Decodes `bytes` and copies the segment out while the buffer is alive.
    mutating func decodeCopy(_ bytes: [UInt8], at nanoseconds: Int64 = 1_700_000_000_123_456_789) -> DecodedSegment? {
        bytes.withUnsafeBytes { buffer in
            decode(buffer, timestamp: Timestamp(nanoseconds: nanoseconds)).map(DecodedSegment.init)
        }
    }
}

extension DecodeStats {
    /// Per-packet outcomes; must equal `packets`.
    var outcomeSum: Int { tcp + nonTCP + malformed + truncated + unsupportedLink + heldFragments }
}

enum LinkTypes {
    static let null: Int32 = 0
    static let ethernet: Int32 = 1
    static let raw: Int32 = 12
    static let rawOpenBSD: Int32 = 14
    static let linktypeRaw: Int32 = 101
    static let loop: Int32 = 108
    static let linuxSLL: Int32 = 113
    static let ipv4: Int32 = 228
    static let ipv6: Int32 = 229
    static let linuxSLL2: Int32 = 276
}
