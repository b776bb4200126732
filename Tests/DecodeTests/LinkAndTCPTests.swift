import XCTest
import TLSDumpBase
@testable import TLSDumpDecode

final class LinkAndTCPTests: XCTestCase {
    let payload: [UInt8] = Array("GET / HTTP/1.1\r\n".utf8)
    var segment4: [UInt8] { Build.tcp(payload: payload) }
    var packet4: [UInt8] { Build.ipv4(payload: segment4) }
    var packet6: [UInt8] { Build.ipv6(payload: segment4) }

    private func decodeOne(_ bytes: [UInt8], linkType: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> DecodedSegment {
        var decoder = try PacketDecoder(linkType: linkType)
        let segment = try XCTUnwrap(decoder.decodeCopy(bytes), file: file, line: line)
        XCTAssertEqual(decoder.stats.tcp, 1, file: file, line: line)
        XCTAssertEqual(decoder.stats.packets, 1, file: file, line: line)
        return segment
    }

    private func assertIPv4Segment(_ s: DecodedSegment, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(s.source, "192.0.2.1", file: file, line: line)
        XCTAssertEqual(s.destination, "198.51.100.7", file: file, line: line)
        assertTCPFields(s, file: file, line: line)
    }

    private func assertIPv6Segment(_ s: DecodedSegment, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(s.source, "2001:db8::1", file: file, line: line)
        XCTAssertEqual(s.destination, "2001:db8::cafe:2", file: file, line: line)
        assertTCPFields(s, file: file, line: line)
    }

    private func assertTCPFields(_ s: DecodedSegment, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(s.sourcePort, 49152, file: file, line: line)
        XCTAssertEqual(s.destinationPort, 443, file: file, line: line)
        XCTAssertEqual(s.sequence, 0x0102_0304, file: file, line: line)
        XCTAssertEqual(s.acknowledgment, 0xA0B0_C0D0, file: file, line: line)
        XCTAssertEqual(s.flags, [.psh, .ack], file: file, line: line)
        XCTAssertEqual(s.window, 0xFFF0, file: file, line: line)
        XCTAssertEqual(s.payload, payload, file: file, line: line)
        XCTAssertFalse(s.payloadTruncated, file: file, line: line)
        XCTAssertEqual(s.timestamp, Timestamp(nanoseconds: 1_700_000_000_123_456_789), file: file, line: line)
    }

    func testEthernetIPv4AndIPv6() throws {
        assertIPv4Segment(try decodeOne(Build.ethernet(type: 0x0800, payload: packet4), linkType: LinkTypes.ethernet))
        assertIPv6Segment(try decodeOne(Build.ethernet(type: 0x86DD, payload: packet6), linkType: LinkTypes.ethernet))
    }

    func testVLANStacksOfEveryTagType() throws {
        for tags: [UInt16] in [[0x8100], [0x88A8, 0x8100], [0x9100, 0x8100], [0x9200], [0x88A8, 0x88A8, 0x8100, 0x8100]] {
            assertIPv4Segment(try decodeOne(Build.ethernet(type: 0x0800, vlanTags: tags, payload: packet4), linkType: LinkTypes.ethernet))
            assertIPv6Segment(try decodeOne(Build.ethernet(type: 0x86DD, vlanTags: tags, payload: packet6), linkType: LinkTypes.ethernet))
        }
    }

    func testEthernetPaddingIsNotPayload() throws {
        // A bare SYN is padded to the 60-byte Ethernet minimum.
        let syn = Build.ipv4(payload: Build.tcp(flags: 0x02))
        let frame = Build.ethernet(type: 0x0800, payload: syn) + [UInt8](repeating: 0xEE, count: 6)
        let s = try decodeOne(frame, linkType: LinkTypes.ethernet)
        XCTAssertEqual(s.payload, [])
        XCTAssertEqual(s.flags, .syn)
        XCTAssertFalse(s.payloadTruncated)
    }

    func testLinuxCookedV1AndV2() throws {
        assertIPv4Segment(try decodeOne(Build.linuxCooked(protocolType: 0x0800, payload: packet4), linkType: LinkTypes.linuxSLL))
        assertIPv6Segment(try decodeOne(Build.linuxCooked(protocolType: 0x86DD, payload: packet6), linkType: LinkTypes.linuxSLL))
        assertIPv4Segment(try decodeOne(Build.linuxCooked2(protocolType: 0x0800, payload: packet4), linkType: LinkTypes.linuxSLL2))
        assertIPv6Segment(try decodeOne(Build.linuxCooked2(protocolType: 0x86DD, payload: packet6), linkType: LinkTypes.linuxSLL2))
    }

    func testRawIPLinkTypes() throws {
        for dlt in [LinkTypes.raw, LinkTypes.rawOpenBSD, LinkTypes.linktypeRaw] {
            assertIPv4Segment(try decodeOne(packet4, linkType: dlt))
            assertIPv6Segment(try decodeOne(packet6, linkType: dlt))
        }
        assertIPv4Segment(try decodeOne(packet4, linkType: LinkTypes.ipv4))
        assertIPv6Segment(try decodeOne(packet6, linkType: LinkTypes.ipv6))
    }

    func testIPv4OnlyLinkRejectsIPv6() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.ipv4)
        XCTAssertNil(decoder.decodeCopy(packet6))
        XCTAssertEqual(decoder.stats.malformed, 1)
    }

    func testBSDLoopbackBothByteOrdersAndAllIPv6Families() throws {
        for dlt in [LinkTypes.null, LinkTypes.loop] {
            for networkOrder in [false, true] {
                assertIPv4Segment(try decodeOne(Build.loopback(family: 2, networkOrder: networkOrder, payload: packet4), linkType: dlt))
                for family: UInt32 in [24, 28, 30] {
                    assertIPv6Segment(try decodeOne(Build.loopback(family: family, networkOrder: networkOrder, payload: packet6), linkType: dlt))
                }
            }
        }
        var decoder = try PacketDecoder(linkType: LinkTypes.null)
        XCTAssertNil(decoder.decodeCopy(Build.loopback(family: 7, networkOrder: false, payload: packet4)))
        XCTAssertEqual(decoder.stats.unsupportedLink, 1)
    }

    func testUnsupportedLinkTypesThrow() {
        for dlt: Int32 in [105, 127, 51, -1, 1000] {  // 802.11, radiotap, PPPoE, nonsense
            XCTAssertFalse(PacketDecoder.isSupported(linkType: dlt))
            XCTAssertThrowsError(try PacketDecoder(linkType: dlt)) { error in
                XCTAssertEqual(error as? DecodeError, .unsupportedLinkType(dlt))
            }
        }
        for dlt: Int32 in [0, 1, 12, 14, 101, 108, 113, 228, 229, 276] {
            XCTAssertTrue(PacketDecoder.isSupported(linkType: dlt), "DLT \(dlt)")
        }
    }

    func testEveryFlagBitAndTCPOptionsSkipped() throws {
        let options: [UInt8] = [2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7]  // MSS, NOP, NOP, SACK-permitted, NOP, WS
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        for bit in 0..<8 {
            let flags = UInt8(1) << UInt8(bit)
            let packet = Build.ipv4(payload: Build.tcp(flags: flags, options: options, payload: [9, 8, 7]))
            let s = try XCTUnwrap(decoder.decodeCopy(packet))
            XCTAssertEqual(s.flags.rawValue, flags)
            XCTAssertEqual(s.payload, [9, 8, 7])
        }
        let all: TCPFlags = [.fin, .syn, .rst, .psh, .ack, .urg, .ece, .cwr]
        XCTAssertEqual(all.rawValue, 0xFF)
        XCTAssertEqual(TCPFlags([.syn, .ack]).description, "SYN|ACK")
        XCTAssertEqual(TCPFlags().description, "-")
    }

    func testIPv4OptionsAreSkipped() throws {
        let options: [UInt8] = [0x94, 0x04, 0, 0, 1, 1, 1, 0]  // router alert, NOPs, EOL
        let s = try decodeOne(Build.ipv4(options: options, payload: segment4), linkType: LinkTypes.raw)
        assertIPv4Segment(s)
    }

    func testNonTCPIsCountedNotReturned() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.ethernet)
        let udp = Build.ipv4(protocolNumber: 17, payload: [0, 53, 0, 53, 0, 8, 0, 0])
        XCTAssertNil(decoder.decodeCopy(Build.ethernet(type: 0x0800, payload: udp)))
        XCTAssertNil(decoder.decodeCopy(Build.ethernet(type: 0x0806, payload: [UInt8](repeating: 0, count: 28))))  // ARP
        XCTAssertNil(decoder.decodeCopy(Build.ethernet(type: 0x86DD, payload: Build.ipv6(nextHeader: 58, payload: [128, 0, 0, 0]))))
        XCTAssertNil(decoder.decodeCopy(Build.ethernet(type: 0x86DD, payload: Build.ipv6(nextHeader: 59, payload: []))))
        XCTAssertNil(decoder.decodeCopy(Build.ethernet(type: 0x86DD, payload: Build.ipv6(nextHeader: 50, payload: [1, 2, 3, 4, 5, 6, 7, 8]))))
        XCTAssertEqual(decoder.stats.nonTCP, 5)
        XCTAssertEqual(decoder.stats.tcp, 0)
        XCTAssertEqual(decoder.stats.outcomeSum, decoder.stats.packets)
    }

    func testSnaplenCutPayloadIsFlaggedAndClipped() throws {
        let full = Build.ethernet(type: 0x0800, payload: Build.ipv4(payload: Build.tcp(payload: [UInt8](repeating: 7, count: 100))))
        var decoder = try PacketDecoder(linkType: LinkTypes.ethernet)
        let s = try XCTUnwrap(decoder.decodeCopy(Array(full.prefix(14 + 20 + 20 + 30))))
        XCTAssertEqual(s.payload.count, 30)
        XCTAssertTrue(s.payloadTruncated)
        XCTAssertEqual(decoder.stats.payloadTruncated, 1)
        // Cut inside the TCP header: truncated, not malformed.
        XCTAssertNil(decoder.decodeCopy(Array(full.prefix(14 + 20 + 10))))
        XCTAssertEqual(decoder.stats.truncated, 1)
        XCTAssertEqual(decoder.stats.malformed, 0)
    }

    func testTSOZeroTotalLengthUsesCapturedLength() throws {
        let s = try decodeOne(Build.ipv4(totalLengthOverride: 0, payload: segment4), linkType: LinkTypes.raw)
        assertIPv4Segment(s)
    }

    func testMalformedHeaders() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        // TCP data offset below 5.
        XCTAssertNil(decoder.decodeCopy(Build.ipv4(payload: Build.tcp(payload: [1], dataOffsetOverride: 4))))
        // TCP data offset past the IP datagram (not cut).
        XCTAssertNil(decoder.decodeCopy(Build.ipv4(payload: Build.tcp(payload: [1, 2, 3], dataOffsetOverride: 15))))
        // IPv4 header length below 20.
        var badIHL = packet4
        badIHL[0] = 0x44
        XCTAssertNil(decoder.decodeCopy(badIHL))
        // IPv4 total length below the header length.
        XCTAssertNil(decoder.decodeCopy(Build.ipv4(totalLengthOverride: 12, payload: segment4)))
        // Raw IP with version 5.
        XCTAssertNil(decoder.decodeCopy([0x50] + packet4.dropFirst()))
        XCTAssertEqual(decoder.stats.malformed, 5)
        XCTAssertEqual(decoder.stats.outcomeSum, decoder.stats.packets)
    }
}

/// PPP (DLT 9, as the QUIC interop runner's captures use it) and UDP datagrams.
final class PPPAndUDPTests: XCTestCase {
    /// An IPv4 UDP datagram from 10.0.0.1:5000 to 10.0.0.2:443 carrying `payload`.
    private func ipv4UDP(_ payload: [UInt8], udpLength: Int? = nil) -> [UInt8] {
        let udpLen = udpLength ?? 8 + payload.count
        let total = 20 + 8 + payload.count
        var ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        ip += [0x13, 0x88, 0x01, 0xbb, UInt8(udpLen >> 8), UInt8(udpLen & 0xff), 0, 0]
        return ip + payload
    }

    func testPPPFramesWithAndWithoutAddressAndControlCarryIP() throws {
        let datagram = ipv4UDP([1, 2, 3])
        for header in [[0x00, 0x21], [0xff, 0x03, 0x00, 0x21], [0x21]] as [[UInt8]] {
            var decoder = try PacketDecoder(linkType: 9, decodesUDP: true)
            let frame = header + datagram
            let decoded = frame.withUnsafeBytes { decoder.decodePacket($0, timestamp: .zero) }
            guard case .udp(let udp)? = decoded else { return XCTFail("no UDP datagram behind PPP header \(header)") }
            XCTAssertEqual(udp.sourcePort, 5000)
            XCTAssertEqual(udp.destinationPort, 443)
            XCTAssertEqual(Array(udp.payload), [1, 2, 3])
        }
        var decoder = try PacketDecoder(linkType: 9, decodesUDP: true)
        let lcp: [UInt8] = [0xc0, 0x21, 1, 1, 0, 4]   // PPP LCP: not IP
        XCTAssertNil(lcp.withUnsafeBytes { decoder.decodePacket($0, timestamp: .zero) })
        XCTAssertEqual(decoder.stats.nonTCP, 1)
    }

    func testUDPIsDecodedOnlyWhenAsked() throws {
        let frame: [UInt8] = [0x00, 0x21] + ipv4UDP([9, 9])
        var off = try PacketDecoder(linkType: 9)
        XCTAssertNil(frame.withUnsafeBytes { off.decodePacket($0, timestamp: .zero) })
        XCTAssertEqual(off.stats.nonTCP, 1)
        XCTAssertEqual(off.stats.udp, 0)
        var on = try PacketDecoder(linkType: 9, decodesUDP: true)
        XCTAssertNotNil(frame.withUnsafeBytes { on.decodePacket($0, timestamp: .zero) })
        XCTAssertEqual(on.stats.udp, 1)
    }

    func testUDPLengthBoundsThePayload() throws {
        var decoder = try PacketDecoder(linkType: 9, decodesUDP: true)
        // The UDP length says 2 payload bytes; the IP datagram carries 4.
        let short: [UInt8] = [0x00, 0x21] + ipv4UDP([1, 2, 3, 4], udpLength: 10)
        guard case .udp(let udp)? = short.withUnsafeBytes({ decoder.decodePacket($0, timestamp: .zero) }) else { return XCTFail("no datagram") }
        XCTAssertEqual(udp.payload.count, 2)
        XCTAssertFalse(udp.payloadTruncated)
        // A length past the IP payload: what is there is delivered, marked truncated.
        let long: [UInt8] = [0x00, 0x21] + ipv4UDP([1, 2, 3, 4], udpLength: 200)
        guard case .udp(let cut)? = long.withUnsafeBytes({ decoder.decodePacket($0, timestamp: .zero) }) else { return XCTFail("no datagram") }
        XCTAssertEqual(cut.payload.count, 4)
        XCTAssertTrue(cut.payloadTruncated)
        // Below the 8-byte header: malformed.
        let bad: [UInt8] = [0x00, 0x21] + ipv4UDP([1], udpLength: 7)
        XCTAssertNil(bad.withUnsafeBytes { decoder.decodePacket($0, timestamp: .zero) })
        XCTAssertEqual(decoder.stats.malformed, 1)
    }
}
