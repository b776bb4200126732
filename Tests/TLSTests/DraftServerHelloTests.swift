import TLSDumpBase
import TLSDumpTLS
import XCTest

/// ServerHellos of TLS 1.3 drafts: before draft 22 there is no session id and no
/// compression method (draft-ietf-tls-tls13-14 section 4.1.3: server_version, random,
/// cipher_suite, extensions); drafts before 16 specified 0x0304 itself in server_version.
final class DraftServerHelloTests: XCTestCase {
    private let random = [UInt8](repeating: 0x42, count: 32)
    /// key_share with an x25519 entry (32 bytes), the way draft servers answered.
    private let keyShare: [UInt8] = [0x00, 0x28, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20] + [UInt8](repeating: 0x11, count: 32)

    private func extensions(_ list: [UInt8]) -> [UInt8] { [UInt8(list.count >> 8), UInt8(truncatingIfNeeded: list.count)] + list }

    private func parse(_ body: [UInt8]) throws -> ServerHello {
        try body.withUnsafeBytes { buffer throws(ParseError) in try ServerHello.parse(buffer) }
    }

    func testDraftLayoutBefore22() throws {
        for draft in [12, 14, 15, 16, 18, 21] as [UInt16] {
            let version = 0x7f00 | draft
            let body = [UInt8(version >> 8), UInt8(version & 0xff)] + random + [0x13, 0x01] + extensions(keyShare)
            let hello = try parse(body)
            XCTAssertEqual(hello.negotiatedVersion, version, "draft \(draft)")
            XCTAssertEqual(hello.cipherSuite, 0x1301, "draft \(draft)")
            XCTAssertEqual(hello.sessionID, [], "draft \(draft)")
            XCTAssertEqual(hello.keyShareGroup, 0x001d, "draft \(draft)")
            XCTAssertEqual(hello.extensionTypes, [0x0028], "draft \(draft)")
            XCTAssertEqual(TLSRegistry.versionName(hello.negotiatedVersion), "TLSv1.3-draft\(draft)")
        }
    }

    func testDraft22AndLaterHaveTheLegacyFields() throws {
        let supportedVersions: [UInt8] = [0x00, 0x2b, 0x00, 0x02, 0x7f, 0x17]
        let body = [0x03, 0x03] + random + [0x20] + [UInt8](repeating: 0x33, count: 32) + [0x13, 0x02, 0x00]
            + extensions(supportedVersions + [0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20] + [UInt8](repeating: 0x11, count: 32))
        let hello = try parse(body)
        XCTAssertEqual(hello.negotiatedVersion, 0x7f17)
        XCTAssertEqual(hello.cipherSuite, 0x1302)
        XCTAssertEqual(hello.sessionID.count, 32)
        XCTAssertEqual(TLSRegistry.versionName(hello.negotiatedVersion), "TLSv1.3-draft23")
    }

    /// 0x0304 in the version field: the layout that reads every byte wins.
    func testVersion0304InEitherLayout() throws {
        let draft = [0x03, 0x04] + random + [0x13, 0x01] + extensions(keyShare)
        let hello = try parse(draft)
        XCTAssertEqual(hello.negotiatedVersion, 0x0304)
        XCTAssertEqual(hello.cipherSuite, 0x1301)
        XCTAssertEqual(hello.keyShareGroup, 0x001d)
        let finalKeyShare: [UInt8] = [0x00, 0x33] + keyShare.dropFirst(2)
        let standard = [0x03, 0x04] + random + [0x00, 0x13, 0x03, 0x00] + extensions(finalKeyShare)
        let other = try parse(standard)
        XCTAssertEqual(other.cipherSuite, 0x1303)
        XCTAssertEqual(other.keyShareGroup, 0x001d)
        // Neither layout fits: malformed.
        XCTAssertThrowsError(try parse([0x03, 0x04] + random + [0x13]))
    }

    /// Draft 14 as Chrome 55 and its server spoke it (zeek/tls13draft16-chrome55.0.2879.0-canary.pcap, 0x7f0e).
    func testCapturedDraft14Names() {
        XCTAssertEqual(TLSRegistry.versionName(0x7f0e), "TLSv1.3-draft14")
        XCTAssertEqual(TLSRegistry.versionName(0xfb1a), "TLSv1.3-draft26-fb")
    }
}
