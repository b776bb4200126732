import XCTest
import TLSDumpBase
@testable import TLSDumpDecode

/// Decode must never trap: every prefix of valid packets and random bytes on every link type.
final class RobustnessTests: XCTestCase {
    static let tcp = Build.tcp(options: [1, 1, 1, 1], payload: Array("hello".utf8))
    static let v4 = Build.ipv4(options: [1, 1, 1, 0], payload: tcp)
    static let v6 = Build.ipv6(nextHeader: 0, payload: Build.genericExtension(next: 51) + Build.authenticationHeader(next: 6) + tcp)
    static let v4Fragment = Build.ipv4(moreFragments: true, payload: Array(tcp.prefix(24)))
    static let v6Fragment = Build.ipv6(nextHeader: 44, payload: Build.ipv6FragmentHeader(next: 6, offset: 0, more: true, identification: 5) + Array(tcp.prefix(24)))
    static let greInner = Build.ipv4(protocolNumber: 47, payload: Build.gre(protocolType: 0x6558, checksum: true, key: 1, sequence: 2,
                                                                            payload: Build.ethernet(type: 0x86DD, vlanTags: [0x8100], payload: v6)))

    static let samples: [(Int32, [UInt8])] = [
        (LinkTypes.ethernet, Build.ethernet(type: 0x0800, vlanTags: [0x88A8, 0x8100], payload: v4)),
        (LinkTypes.ethernet, Build.ethernet(type: 0x86DD, payload: v6)),
        (LinkTypes.ethernet, Build.ethernet(type: 0x0800, payload: greInner)),
        (LinkTypes.ethernet, Build.ethernet(type: 0x0800, payload: v4Fragment)),
        (LinkTypes.ethernet, Build.ethernet(type: 0x86DD, payload: v6Fragment)),
        (LinkTypes.linuxSLL, Build.linuxCooked(protocolType: 0x0800, payload: v4)),
        (LinkTypes.linuxSLL2, Build.linuxCooked2(protocolType: 0x86DD, payload: v6)),
        (LinkTypes.null, Build.loopback(family: 30, networkOrder: false, payload: v6)),
        (LinkTypes.loop, Build.loopback(family: 2, networkOrder: true, payload: v4)),
        (LinkTypes.raw, Build.ipv4(protocolNumber: 41, payload: v6)),
        (LinkTypes.ipv4, v4),
        (LinkTypes.ipv6, v6),
    ]

    func testEveryPrefixOfValidPacketsDecodesWithoutTrapping() throws {
        for (linkType, packet) in Self.samples {
            var decoder = try PacketDecoder(linkType: linkType)
            var delivered = 0
            for length in 0...packet.count {
                let prefix = Array(packet.prefix(length))
                if let s = decoder.decodeCopy(prefix) {
                    delivered += 1
                    XCTAssertLessThanOrEqual(s.payload.count, 5)
                    XCTAssertEqual(s.payloadTruncated, length < packet.count, "DLT \(linkType) length \(length)")
                }
            }
            XCTAssertEqual(decoder.stats.packets, packet.count + 1)
            XCTAssertEqual(decoder.stats.outcomeSum, decoder.stats.packets, "DLT \(linkType)")
            XCTAssertEqual(decoder.stats.malformed, 0, "a prefix is cut, never malformed (DLT \(linkType))")
            // Full packet plus the prefixes that still hold the whole TCP header.
            let isFragment = packet == Self.samples[3].1 || packet == Self.samples[4].1
            XCTAssertEqual(delivered, isFragment ? 0 : 6, "DLT \(linkType)")
        }
    }

    func testRandomBytesOnEveryLinkType() throws {
        var rng = SplitMix64(seed: 42)
        for linkType in [LinkTypes.null, LinkTypes.ethernet, LinkTypes.raw, LinkTypes.loop,
                         LinkTypes.linuxSLL, LinkTypes.ipv4, LinkTypes.ipv6, LinkTypes.linuxSLL2] {
            var decoder = try PacketDecoder(linkType: linkType,
                                            limits: FragmentLimits(maxDatagrams: 4, maxTotalBytes: 4096))
            for _ in 0..<3_000 {
                let length = Int(rng.next() % 200)
                var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                // Bias towards plausible headers so deeper layers are reached.
                if length > 40, rng.next() % 2 == 0 { mutatePlausible(&bytes, linkType: linkType, rng: &rng) }
                if let s = decoder.decodeCopy(bytes) {
                    XCTAssertLessThanOrEqual(s.payload.count, length)
                }
            }
            XCTAssertEqual(decoder.stats.outcomeSum, decoder.stats.packets)
        }
    }

    /// Random mutations of valid packets: flips bytes of real headers.
    func testMutatedValidPackets() throws {
        var rng = SplitMix64(seed: 7)
        for (linkType, packet) in Self.samples {
            var decoder = try PacketDecoder(linkType: linkType)
            for _ in 0..<2_000 {
                var bytes = packet
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if rng.next() % 3 == 0 { bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1)))) }
                _ = decoder.decodeCopy(bytes)
            }
            XCTAssertEqual(decoder.stats.outcomeSum, decoder.stats.packets)
            XCTAssertEqual(decoder.stats.packets, 2_000)
        }
    }

    private func mutatePlausible(_ bytes: inout [UInt8], linkType: Int32, rng: inout SplitMix64) {
        let ipStart: Int
        switch linkType {
        case LinkTypes.ethernet: ipStart = 14; bytes[12] = 0x08; bytes[13] = 0
        case LinkTypes.linuxSLL: ipStart = 16; bytes[14] = 0x08; bytes[15] = 0
        case LinkTypes.linuxSLL2: ipStart = 20; bytes[0] = 0x86; bytes[1] = 0xDD
        case LinkTypes.null, LinkTypes.loop: ipStart = 4; bytes[0] = 2; bytes[1] = 0; bytes[2] = 0; bytes[3] = 0
        default: ipStart = 0
        }
        let isV6 = linkType == LinkTypes.linuxSLL2 || linkType == LinkTypes.ipv6
        bytes[ipStart] = isV6 ? 0x60 : 0x45
        if isV6 { bytes[ipStart + 6] = [0, 6, 43, 44, 60, 51][Int(rng.next() % 6)] } else if bytes.count > ipStart + 9 {
            bytes[ipStart + 9] = [6, 47, 4, 41][Int(rng.next() % 4)]
        }
    }
}
