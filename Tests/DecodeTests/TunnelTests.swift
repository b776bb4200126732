import XCTest
import TLSDumpBase
@testable import TLSDumpDecode

final class TunnelTests: XCTestCase {
    let inner4 = Build.ipv4(source: [10, 0, 0, 1], destination: [10, 0, 0, 2], payload: Build.tcp(payload: [1, 2, 3, 4]))
    let inner6 = Build.ipv6(payload: Build.tcp(payload: [5, 6]))

    private func outer(_ gre: [UInt8]) -> [UInt8] {
        Build.ethernet(type: 0x0800, payload: Build.ipv4(protocolNumber: 47, payload: gre))
    }

    func testGREWithEveryOptionalWordCombination() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.ethernet)
        for checksum in [false, true] {
            for key: UInt32? in [nil, 0xDEAD_BEEF] {
                for sequence: UInt32? in [nil, 42] {
                    let gre = Build.gre(protocolType: 0x0800, checksum: checksum, key: key, sequence: sequence, payload: inner4)
                    let s = try XCTUnwrap(decoder.decodeCopy(outer(gre)), "C=\(checksum) K=\(key != nil) S=\(sequence != nil)")
                    XCTAssertEqual(s.source, "10.0.0.1")
                    XCTAssertEqual(s.destination, "10.0.0.2")
                    XCTAssertEqual(s.payload, [1, 2, 3, 4])
                }
            }
        }
        XCTAssertEqual(decoder.stats.tunneled, 8)
    }

    func testGRECarryingIPv6AndEthernet() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.ethernet)
        let v6 = try XCTUnwrap(decoder.decodeCopy(outer(Build.gre(protocolType: 0x86DD, payload: inner6))))
        XCTAssertEqual(v6.source, "2001:db8::1")
        XCTAssertEqual(v6.payload, [5, 6])
        let bridged = Build.gre(protocolType: 0x6558, key: 7, payload: Build.ethernet(type: 0x0800, vlanTags: [0x8100], payload: inner4))
        let e = try XCTUnwrap(decoder.decodeCopy(outer(bridged)))
        XCTAssertEqual(e.source, "10.0.0.1")
        XCTAssertEqual(e.payload, [1, 2, 3, 4])
    }

    func testOnlyOneTunnelLevelIsFollowed() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.ethernet)
        let doubleGRE = Build.gre(protocolType: 0x0800, payload: Build.ipv4(protocolNumber: 47, payload: Build.gre(protocolType: 0x0800, payload: inner4)))
        XCTAssertNil(decoder.decodeCopy(outer(doubleGRE)))
        XCTAssertEqual(decoder.stats.nonTCP, 1)
    }

    func testUnsupportedGREVariantsAreNotTCP() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.ethernet)
        XCTAssertNil(decoder.decodeCopy(outer(Build.gre(protocolType: 0x880B, key: 1, version: 1, payload: inner4))))  // PPTP
        XCTAssertNil(decoder.decodeCopy(outer(Build.gre(protocolType: 0x0800, routing: true, payload: inner4))))
        XCTAssertNil(decoder.decodeCopy(outer(Build.gre(protocolType: 0x0806, payload: [UInt8](repeating: 0, count: 28)))))
        XCTAssertEqual(decoder.stats.nonTCP, 3)
    }

    func testIPInIP() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let s4 = try XCTUnwrap(decoder.decodeCopy(Build.ipv4(protocolNumber: 4, payload: inner4)))
        XCTAssertEqual(s4.source, "10.0.0.1")
        let s6 = try XCTUnwrap(decoder.decodeCopy(Build.ipv4(protocolNumber: 41, payload: inner6)))
        XCTAssertEqual(s6.source, "2001:db8::1")
        XCTAssertEqual(decoder.stats.tunneled, 2)
    }

    func testGREHeaderCutIsTruncatedAndShortIsMalformed() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let full = Build.ipv4(protocolNumber: 47, payload: Build.gre(protocolType: 0x0800, key: 1, payload: inner4))
        XCTAssertNil(decoder.decodeCopy(Array(full.prefix(20 + 6))))
        XCTAssertEqual(decoder.stats.truncated, 1)
        XCTAssertNil(decoder.decodeCopy(Build.ipv4(protocolNumber: 47, payload: [0x20, 0, 8, 0, 0])))  // key flag, 1 of 4 key bytes
        XCTAssertEqual(decoder.stats.malformed, 1)
    }
}
