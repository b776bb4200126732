import XCTest
import TLSDumpBase
@testable import TLSDumpAnalysis

final class CommunityIDTests: XCTestCase {
    private func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPAddress {
        IPAddress(ipv4: UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    private func v6(_ groups: [UInt16]) -> IPAddress {
        precondition(groups.count == 8)
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return IPAddress(ipv6High: high, low: low)
    }

    private func assertBothDirections(_ a: IPAddress, _ aPort: UInt16, _ b: IPAddress, _ bPort: UInt16,
                                      seed: UInt16 = 0, _ expected: String,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(CommunityID.compute(source: a, sourcePort: aPort, destination: b, destinationPort: bPort, seed: seed),
                       expected, file: file, line: line)
        XCTAssertEqual(CommunityID.compute(source: b, sourcePort: bPort, destination: a, destinationPort: aPort, seed: seed),
                       expected, file: file, line: line)
    }

    /// The spec README's TCP example.
    func testSpecVectorIPv4() {
        assertBothDirections(v4(128, 232, 110, 120), 34855, v4(66, 35, 250, 204), 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")
        // Seed changes the hash (value from the reference Python algorithm).
        assertBothDirections(v4(128, 232, 110, 120), 34855, v4(66, 35, 250, 204), 80, seed: 1,
                             "1:3V71V58M3Ksw/yuFALMcW0LAHvc=")
    }

    /// Cross-checked with tshark 4.0 (`--enable-protocol communityid`) on the shared corpus.
    func testTsharkVectors() {
        // zeek/tls1.2.pcap
        assertBothDirections(v4(10, 0, 0, 80), 56637, v4(68, 233, 76, 12), 443, "1:2s+iCn4mt/h4YwL/509xSxN6Zio=")
        // ja4/ipv6.pcapng: 2001:4998:ef83:14:8000::100d -> 2606:4700::6811:d209
        assertBothDirections(v6([0x2001, 0x4998, 0xef83, 0x14, 0x8000, 0, 0, 0x100d]), 64034,
                             v6([0x2606, 0x4700, 0, 0, 0, 0, 0x6811, 0xd209]), 443,
                             "1:/wxqZ626SZRx3CanjPRZ6tl4iH8=")
        // ja4/v6.pcap: 3ffe:507:0:1:200:86ff:fe05:80da -> 3ffe:501:410:0:2c0:dfff:fe47:33e (ssh)
        let client = v6([0x3ffe, 0x507, 0, 1, 0x200, 0x86ff, 0xfe05, 0x80da])
        let server = v6([0x3ffe, 0x501, 0x410, 0, 0x2c0, 0xdfff, 0xfe47, 0x33e])
        assertBothDirections(client, 1022, server, 22, "1:KCHULnC2GCfanzHfU34Gr1Za/Zo=")
        // Same flow with `-o communityid.seed:1`.
        assertBothDirections(client, 1022, server, 22, seed: 1, "1:8wcHSMelA78gAU0poXF/JHIko88=")
    }

    /// Equal addresses: ordering falls back to the ports.
    func testEqualAddressesOrderedByPort() {
        let ip = v4(1, 2, 3, 4)
        assertBothDirections(ip, 80, ip, 1234, "1:cJHxVykECIIDN5Dm3R2NZ7rh6zI=")
        XCTAssertNotEqual(CommunityID.compute(source: ip, sourcePort: 80, destination: ip, destinationPort: 1234),
                          CommunityID.compute(source: ip, sourcePort: 81, destination: ip, destinationPort: 1234))
    }

    func testDistinctFlowsDiffer() {
        let a = CommunityID.compute(source: v4(10, 0, 0, 1), sourcePort: 1000, destination: v4(10, 0, 0, 2), destinationPort: 443)
        let b = CommunityID.compute(source: v4(10, 0, 0, 1), sourcePort: 1001, destination: v4(10, 0, 0, 2), destinationPort: 443)
        let udp = CommunityID.compute(source: v4(10, 0, 0, 1), sourcePort: 1000, destination: v4(10, 0, 0, 2),
                                      destinationPort: 443, proto: 17)
        XCTAssertNotEqual(a, b)
        XCTAssertNotEqual(a, udp)
        XCTAssertTrue(a.hasPrefix("1:"))
        XCTAssertEqual(a.count, 30)   // "1:" + 28 base64 chars of a 20-byte SHA-1
    }

    /// RFC 4648 section 10 test vectors.
    func testBase64() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==",
                       "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (input, expected) in vectors {
            XCTAssertEqual(Base64.encode(Array(input.utf8)), expected, input)
        }
        XCTAssertEqual(Base64.encode([0xFB, 0xFF, 0xBF]), "+/+/")
    }
}
