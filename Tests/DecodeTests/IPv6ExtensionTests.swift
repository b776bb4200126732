import XCTest
import TLSDumpBase
@testable import TLSDumpDecode

final class IPv6ExtensionTests: XCTestCase {
    let segment = Build.tcp(sourcePort: 443, destinationPort: 50000, payload: [0x16, 0x03, 0x01])

    private func decode(_ packet: [UInt8]) throws -> (DecodedSegment?, DecodeStats) {
        var decoder = try PacketDecoder(linkType: LinkTypes.ipv6)
        let s = decoder.decodeCopy(packet)
        return (s, decoder.stats)
    }

    func testChainOfExtensionHeaders() throws {
        // hop-by-hop -> routing -> destination options -> AH -> TCP
        let chain = Build.genericExtension(next: 43, units: 1)
            + Build.genericExtension(next: 60, units: 2)
            + Build.genericExtension(next: 51)
            + Build.authenticationHeader(next: 6, extraWords: 2)
        let (s, stats) = try decode(Build.ipv6(nextHeader: 0, payload: chain + segment))
        let segment = try XCTUnwrap(s)
        XCTAssertEqual(segment.sourcePort, 443)
        XCTAssertEqual(segment.destinationPort, 50000)
        XCTAssertEqual(segment.payload, [0x16, 0x03, 0x01])
        XCTAssertEqual(stats.tcp, 1)
    }

    func testAtomicFragmentHeaderIsPassedThrough() throws {
        let packet = Build.ipv6(nextHeader: 44, payload: Build.ipv6FragmentHeader(next: 6, offset: 0, more: false, identification: 9) + segment)
        let (s, stats) = try decode(packet)
        XCTAssertEqual(s?.payload, [0x16, 0x03, 0x01])
        XCTAssertEqual(stats.ipFragments, 0)
    }

    func testESPAndNoNextHeaderStop() throws {
        for stop: UInt8 in [50, 59] {
            let (s, stats) = try decode(Build.ipv6(nextHeader: 0, payload: Build.genericExtension(next: stop) + segment))
            XCTAssertNil(s)
            XCTAssertEqual(stats.nonTCP, 1)
        }
    }

    func testExtensionHeaderRunningPastPayloadIsMalformed() throws {
        // Declares 8 * (1 + 200) bytes inside a short, uncut datagram.
        let (s, stats) = try decode(Build.ipv6(nextHeader: 60, payload: [6, 200, 0, 0, 0, 0, 0, 0] + segment))
        XCTAssertNil(s)
        XCTAssertEqual(stats.malformed, 1)
    }

    func testExtensionHeaderCutBySnaplenIsTruncated() throws {
        let full = Build.ipv6(nextHeader: 0, payload: Build.genericExtension(next: 6, units: 4) + segment)
        let (s, stats) = try decode(Array(full.prefix(40 + 10)))
        XCTAssertNil(s)
        XCTAssertEqual(stats.truncated, 1)
    }

    func testPayloadLengthClipsTrailingBytes() throws {
        let packet = Build.ipv6(payload: segment) + [0xEE, 0xEE, 0xEE, 0xEE]
        let (s, _) = try decode(packet)
        XCTAssertEqual(s?.payload, [0x16, 0x03, 0x01])
        XCTAssertEqual(s?.payloadTruncated, false)
    }
}
