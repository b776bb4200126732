import XCTest
import TLSDumpQUIC

/// Datagram splitting on hand-built headers: coalescing, trailing filler,
/// malformed lengths, connection ID limits, version negotiation, detection.
final class SplitterTests: XCTestCase {
    func long(type: UInt8, version: UInt32 = 1, dcid: [UInt8] = [1, 2, 3, 4], scid: [UInt8] = [5, 6],
              token: [UInt8]? = nil, payloadLength: Int = 30) -> [UInt8] {
        var p: [UInt8] = [0xc0 | type << 4]
        p += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: version >> $0) }
        p += [UInt8(dcid.count)] + dcid + [UInt8(scid.count)] + scid
        if let token { p += (QUICVarint.encode(UInt64(token.count)) ?? []) + token }
        p += QUICVarint.encode(UInt64(payloadLength)) ?? []
        p += [UInt8](repeating: 0xab, count: payloadLength)
        return p
    }

    func testCoalescedPacketsAndShortHeaderLast() throws {
        let initial = long(type: 0, token: [0xee, 0xef])
        let handshake = long(type: 2)
        let short: [UInt8] = [0x41, 1, 2, 3, 4] + [UInt8](repeating: 0x99, count: 30)
        let datagram = initial + handshake + short
        let r = QUICDatagramSplitter.split(datagram, shortHeaderDCIDLength: 4)
        XCTAssertNil(r.error)
        XCTAssertEqual(r.packets.map(\.type), [.initial, .handshake, .short])
        XCTAssertEqual(r.packets[0].range, 0..<initial.count)
        XCTAssertEqual(QUICPacketView.bytes(r.packets[0].token, in: datagram), [0xee, 0xef])
        XCTAssertEqual(QUICPacketView.bytes(r.packets[0].scid, in: datagram), [5, 6])
        XCTAssertEqual(r.packets[0].pnOffset, 1 + 4 + 5 + 3 + 3 + 1)
        XCTAssertEqual(r.packets[1].range, initial.count..<(initial.count + handshake.count))
        XCTAssertEqual(r.packets[2].range, (initial.count + handshake.count)..<datagram.count)
        XCTAssertEqual(QUICPacketView.bytes(r.packets[2].dcid, in: datagram), [1, 2, 3, 4])
        XCTAssertEqual(r.packets[2].pnOffset, 5)
        XCTAssertEqual(r.trailingBytesSkipped, 0)
        // Without the DCID length the short packet's packet number cannot be located.
        XCTAssertNil(QUICDatagramSplitter.split(datagram).packets[2].pnOffset)
    }

    func testTrailingFillerIsNotAPacket() {
        let initial = long(type: 0, token: [])
        for filler: [UInt8] in [[0, 0, 0, 0], [0x3f, 1, 2], [0x80, 0x00]] {
            let r = QUICDatagramSplitter.split(initial + filler)
            XCTAssertNil(r.error, "\(filler)")
            XCTAssertEqual(r.packets.count, 1)
            XCTAssertEqual(r.trailingBytesSkipped, filler.count)
        }
        // A first packet with the fixed bit clear is still read (RFC 9287 greases it).
        let r = QUICDatagramSplitter.split([0x01, 9, 9, 9])
        XCTAssertEqual(r.packets.map(\.type), [.short])
    }

    func testMalformedLengths() {
        var bad = long(type: 2, payloadLength: 30)
        bad.removeLast(5)
        let r = QUICDatagramSplitter.split(long(type: 2) + bad)
        XCTAssertEqual(r.packets.count, 1)
        XCTAssertEqual(r.error, .lengthBeyondDatagram(at: long(type: 2).count, length: 30, available: 25))
        XCTAssertEqual(QUICDatagramSplitter.split(long(type: 2, payloadLength: 0)).error, .lengthTooSmall(at: 0))
        // Truncation at every byte of a header is an error value.
        let initial = long(type: 0, token: [1, 2, 3])
        for cut in 1..<(initial.count - 30) {
            let r = QUICDatagramSplitter.split(Array(initial.prefix(cut)))
            XCTAssertTrue(r.packets.isEmpty, "cut \(cut)")
            XCTAssertNotNil(r.error, "cut \(cut)")
        }
    }

    func testConnectionIDLimits() {
        let tooLong = long(type: 0, dcid: [UInt8](repeating: 1, count: 21), token: [])
        XCTAssertEqual(QUICDatagramSplitter.split(tooLong).error, .connectionIDTooLong(at: 5, length: 21))
        // Unknown versions keep up to 255-byte IDs and take the rest of the datagram.
        let unknown = long(type: 0, version: 0x1234_5678, dcid: [UInt8](repeating: 1, count: 200), token: [])
        let r = QUICDatagramSplitter.split(unknown)
        XCTAssertNil(r.error)
        XCTAssertEqual(r.packets.first?.type, .unknownVersion)
        XCTAssertEqual(r.packets.first?.dcid.count, 200)
        XCTAssertEqual(r.packets.first?.range, 0..<unknown.count)
    }

    func testVersionNegotiation() {
        var vn: [UInt8] = [0x80, 0, 0, 0, 0, 2, 0xaa, 0xbb, 1, 0xcc]
        vn += [0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf, 0x1a, 0x2a, 0x3a, 0x4a]
        let r = QUICDatagramSplitter.split(vn)
        XCTAssertEqual(r.packets.first?.type, .versionNegotiation)
        XCTAssertEqual(r.packets.first?.version, 0)
        XCTAssertEqual(r.packets.first?.supportedVersions, [1, QUICVersion.v2, 0x1a2a_3a4a])
        XCTAssertTrue(QUICVersion.isReservedNegotiationGrease(0x1a2a_3a4a))
        XCTAssertFalse(QUICVersion.isReservedNegotiationGrease(1))
        XCTAssertTrue(QUICDatagramSplitter.looksLikeQUIC(vn))
        XCTAssertEqual(QUICDatagramSplitter.split(vn + [1]).error, .malformedVersionList(at: 0))
        XCTAssertFalse(QUICDatagramSplitter.looksLikeQUIC(vn + [1]))
        // The list is capped.
        let many = [0x80, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 7, count: 4 * 500)
        XCTAssertEqual(QUICDatagramSplitter.split(many).packets.first?.supportedVersions.count, QUICDatagramSplitter.maxSupportedVersions)
    }

    func testVersionTable() throws {
        XCTAssertEqual(QUICVersion.known(1)?.name, "QUICv1")
        XCTAssertEqual(QUICVersion.known(0x6b33_43cf)?.name, "QUICv2")
        XCTAssertEqual(QUICVersion.known(0xff00_001d)?.name, "draft-29")
        XCTAssertEqual(QUICVersion.known(0xff00_0022)?.name, "draft-34")
        XCTAssertNil(QUICVersion.known(0xff00_0023))
        XCTAssertNil(QUICVersion.known(0))
        XCTAssertNil(QUICVersion.known(0x5130_3530), "Google Q050")
        let v2 = try XCTUnwrap(QUICVersion.known(QUICVersion.v2))
        XCTAssertEqual([0x80, 0x90, 0xa0, 0xb0].map { v2.packetType(firstByte: $0) }, [.retry, .initial, .zeroRTT, .handshake])
        let v1 = try XCTUnwrap(QUICVersion.known(QUICVersion.v1))
        XCTAssertEqual([0x80, 0x90, 0xa0, 0xb0].map { v1.packetType(firstByte: $0) }, [.initial, .zeroRTT, .handshake, .retry])
        XCTAssertEqual(v1.keyLabel, "quic key")
        XCTAssertEqual(v2.hpLabel, "quicv2 hp")
        XCTAssertEqual(QUICPacketType.allCases.map(\.name),
                       ["Initial", "0-RTT", "Handshake", "Retry", "VersionNegotiation", "1-RTT", "Unknown"])
        // The draft-29 salt gives different keys from v1's.
        let d29 = try XCTUnwrap(QUICVersion.known(0xff00_001d))
        XCTAssertNotEqual(QUICPacketKeys.initial(dcid: [1, 2, 3], version: d29).client,
                          QUICPacketKeys.initial(dcid: [1, 2, 3], version: v1).client)
    }

    func testLooksLikeQUICRejectsOtherUDP() {
        // DNS query for example.com.
        let dns = hex("abcd01000001000000000000076578616d706c6503636f6d0000010001")
        XCTAssertFalse(QUICDatagramSplitter.looksLikeQUIC(dns))
        // A DNS response with the QR bit (0x80 in byte 2, not byte 0) and a high id.
        XCTAssertFalse(QUICDatagramSplitter.looksLikeQUIC(hex("c1a2818000010001000000000765") + [UInt8](repeating: 0, count: 1200)))
        XCTAssertFalse(QUICDatagramSplitter.looksLikeQUIC([]))
        XCTAssertFalse(QUICDatagramSplitter.looksLikeQUIC([0xc0, 0, 0, 0, 1]))
        // Small Initials are not client Initials; Handshake packets need no minimum.
        XCTAssertFalse(QUICDatagramSplitter.looksLikeQUIC(long(type: 0, token: [])))
        XCTAssertTrue(QUICDatagramSplitter.looksLikeQUIC(long(type: 0, token: [], payloadLength: 1200)))
        XCTAssertTrue(QUICDatagramSplitter.looksLikeQUIC(long(type: 2)))
        var noFixedBit = long(type: 2)
        noFixedBit[0] &= ~0x40
        XCTAssertFalse(QUICDatagramSplitter.looksLikeQUIC(noFixedBit))
        // Random bytes: a fixed seed, a few thousand payloads.
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        var positives = 0
        for _ in 0..<5000 {
            var payload = [UInt8](repeating: 0, count: 1250)
            for i in payload.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                payload[i] = UInt8(truncatingIfNeeded: state >> 33)
            }
            if QUICDatagramSplitter.looksLikeQUIC(payload) { positives += 1 }
        }
        XCTAssertEqual(positives, 0)
    }
}
