import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// JA3/JA3S/JA4/JA4S on hand-built hellos and on hellos cut from the shared captures,
/// against values printed by tshark (JA3) and FoxIO's reference implementation (JA4).
final class FingerprintTests: XCTestCase {

    // MARK: - Reference vectors

    /// The reference implementation's own unit-test hello (rust/ja4/src/tls.rs,
    /// test_client_stats_into_out): Chrome-like, TLS 1.3, SNI, ALPN h2.
    private static func referenceVectorHello() -> ClientHello {
        var hello = ClientHello()
        hello.legacyVersion = 0x0303
        hello.cipherSuites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
                              0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]
        hello.extensionTypes = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
                                0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015]
        hello.signatureAlgorithms = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
        hello.supportedVersions = [0x0304, 0x0303]
        hello.serverName = "example.com"
        hello.alpn = [Array("h2".utf8), Array("http/1.1".utf8)]
        return hello
    }

    func testJA4MatchesTheReferenceUnitVector() {
        let hello = Self.referenceVectorHello()
        XCTAssertEqual(Fingerprints.ja4(hello), "t13d1516h2_8daaf6152771_e5627efa2ab1")
        XCTAssertEqual(Fingerprints.ja4Raw(hello),
                       "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
                       + "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
                       + "0403,0804,0401,0503,0805,0501,0806,0601")
        XCTAssertEqual(Fingerprints.ja4Original(hello), "t13d1516h2_acb858a92679_18f69afefd3d")
        XCTAssertEqual(Fingerprints.ja4OriginalRaw(hello),
                       "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_"
                       + "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_"
                       + "0403,0804,0401,0503,0805,0501,0806,0601")
    }

    func testGREASEIsIgnoredEverywhereInJA4() {
        var greased = Self.referenceVectorHello()
        greased.cipherSuites.insert(0x2a2a, at: 0)
        greased.extensionTypes.insert(0xdada, at: 0)
        greased.extensionTypes.append(0x8a8a)
        greased.signatureAlgorithms.insert(0x1a1a, at: 3)
        greased.supportedVersions.insert(0xfafa, at: 0)
        XCTAssertEqual(Fingerprints.ja4(greased), "t13d1516h2_8daaf6152771_e5627efa2ab1")
        XCTAssertEqual(Fingerprints.ja4Original(greased), "t13d1516h2_acb858a92679_18f69afefd3d")
    }

    /// The reference's JA4S unit test (test_server_stats_into_out).
    func testJA4SMatchesTheReferenceUnitVector() {
        var hello = ServerHello()
        hello.legacyVersion = 0x0303
        hello.cipherSuite = 0xc030
        hello.extensionTypes = [0x0005, 0x0017, 0xff01, 0x0000]
        XCTAssertEqual(Fingerprints.ja4s(hello), "t120400_c030_4e8089b08790")
        XCTAssertEqual(Fingerprints.ja4sRaw(hello), "t120400_c030_0005,0017,ff01,0000")
    }

    /// The example of the JA3 README (salesforce/ja3), with GREASE added to every list.
    func testJA3MatchesTheSalesforceExampleAndDropsGREASE() {
        var hello = ClientHello()
        hello.legacyVersion = 0x0301
        hello.cipherSuites = [0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4]
        hello.extensionTypes = [0, 0x4a4a, 10, 11]
        hello.supportedGroups = [0xeaea, 23, 24, 25]
        hello.ecPointFormats = [0]
        let ja3 = Fingerprints.ja3(hello)
        XCTAssertEqual(ja3.string, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0")
        XCTAssertEqual(ja3.hash, "ada70206e40642a3e4461f35503241d5")
    }

    func testJA3UsesLegacyVersionNotSupportedVersions() {
        var hello = ClientHello()
        hello.legacyVersion = 0x0303
        hello.supportedVersions = [0x0304]
        hello.cipherSuites = [0x1301]
        XCTAssertTrue(Fingerprints.ja3(hello).string.hasPrefix("771,4865,"))
    }

    // MARK: - Hellos cut from the shared captures

    /// badcurveball.pcap frame 4 (ClientHello body; GREASE in ciphers, extensions,
    /// groups, versions) and frame 6 (ServerHello with ALPN "http/1.1").
    func testBadCurveballHellosMatchTsharkAndReference() throws {
        let client = try Self.parseClientHello(Self.badCurveballClientHello)
        XCTAssertTrue(client.cipherSuites.contains(0xaaaa), "the capture carries GREASE")
        let ja3 = Fingerprints.ja3(client)
        XCTAssertEqual(ja3.string, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53-10,"
                       + "0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0")
        XCTAssertEqual(ja3.hash, "66918128f1b9b03303d77c6f2eefd128")
        XCTAssertEqual(Fingerprints.ja4(client), "t13d1615h2_46e7e9700bed_45f260be83e2")

        let server = try Self.parseServerHello(Self.badCurveballServerHello)
        XCTAssertEqual(Fingerprints.ja3s(server).string, "771,49195,0-65281-11-35-16")
        XCTAssertEqual(Fingerprints.ja3s(server).hash, "2d1eb5817ece335c24904f516ad5da12")
        XCTAssertEqual(Fingerprints.ja4s(server), "t1205h1_c02b_845f7282a956")
    }

    /// https-connect.pcap frames 8 and 10: no SNI, no ALPN, 86 suites.
    func testNoSNINoALPNHelloMatchesTsharkAndReference() throws {
        let client = try Self.parseClientHello(Self.httpsConnectClientHello)
        XCTAssertFalse(client.extensionTypes.contains(0))
        XCTAssertTrue(client.alpn.isEmpty)
        XCTAssertEqual(Fingerprints.ja3(client).hash, "b288289af2999820648eb3ca4d8304c5")
        XCTAssertEqual(Fingerprints.ja4(client), "t12i860500_e18388e7f3a3_a1e935682795")

        let server = try Self.parseServerHello(Self.httpsConnectServerHello)
        XCTAssertEqual(Fingerprints.ja3s(server).string, "771,49200,35-65281")
        XCTAssertEqual(Fingerprints.ja3s(server).hash, "b7bd51222a09f3ad66a340710ae9c01a")
        XCTAssertEqual(Fingerprints.ja4s(server), "t120200_c030_5fbb12310400")
    }

    /// tls-non-ascii-alpn.pcapng frame 1: the first ALPN value is 0xba 0xad. The
    /// specification gives "bd" (hex digits); the reference snapshot's "99" is the
    /// pre-specification Rust behaviour (FoxIO-LLC/ja4#178). The hashes agree.
    func testNonASCIIALPNFromCaptureUsesHexDigits() throws {
        let client = try Self.parseClientHello(Self.nonASCIIALPNClientHello)
        XCTAssertEqual(client.alpn.first, [0xba, 0xad])
        XCTAssertEqual(Fingerprints.ja4(client), "t13d1516bd_8daaf6152771_e5627efa2ab1")
        XCTAssertEqual(Fingerprints.ja3(client).hash, "1c258ebef8eee2dfa3df6d8d07285af9")
    }

    // MARK: - ALPN characters

    func testALPNCharacters() {
        let cases: [([UInt8]?, String)] = [
            (Array("h2".utf8), "h2"),
            (Array("http/1.1".utf8), "h1"),
            (Array("h3-29".utf8), "h9"),
            (Array("z".utf8), "zz"),                    // one byte is first and last
            ([0xab], "ab"),                              // non-alphanumeric: hex digits
            ([UInt8(ascii: "z"), 0xab], "7b"),           // one bad end is enough
            ([0xab, UInt8(ascii: "z"), UInt8(ascii: "y"), 0xcd], "ad"),
            ([0xba, 0xad], "bd"),
            (Array("_h2".utf8), "52"),                   // ASCII but not alphanumeric
            (Array("é".utf8), "c9"),                     // UTF-8 0xc3 0xa9: hex "c3a9"
            ([], "00"),                                  // empty first value
            (nil, "00"),                                 // no ALPN
        ]
        for (value, expected) in cases {
            var hello = Self.referenceVectorHello()
            hello.alpn = value.map { [$0, Array("h2".utf8)] } ?? []
            XCTAssertEqual(String(Fingerprints.ja4(hello).dropFirst(8).prefix(2)), expected, "ALPN \(value.map { $0.description } ?? "none")")
        }
        var server = ServerHello()
        server.legacyVersion = 0x0303
        server.alpn = Array("http/1.1".utf8)
        XCTAssertTrue(Fingerprints.ja4s(server).hasPrefix("t1200h1_0000_"))
        server.alpn = [0xff]
        XCTAssertTrue(Fingerprints.ja4s(server).hasPrefix("t1200ff_"))
    }

    // MARK: - Edge cases

    func testEmptyListsHashToTwelveZeros() {
        var hello = ClientHello()
        hello.legacyVersion = 0x0303
        XCTAssertEqual(Fingerprints.ja4(hello), "t12i000000_000000000000_000000000000")
        XCTAssertEqual(Fingerprints.ja4Raw(hello), "t12i000000__")
        XCTAssertEqual(Fingerprints.ja3(hello).string, "771,,,,")
        XCTAssertEqual(Fingerprints.ja3(hello).hash, "bddda940f9963577c41d7c28b1a5f65f")

        // Only SNI and ALPN: both leave the sorted list, so JA4_c is empty too.
        hello.extensionTypes = [0x0000, 0x0010]
        hello.alpn = [Array("h2".utf8)]
        XCTAssertEqual(Fingerprints.ja4(hello), "t12d0002h2_000000000000_000000000000")

        var server = ServerHello()
        server.legacyVersion = 0x0303
        server.cipherSuite = 0x002f
        XCTAssertEqual(Fingerprints.ja4s(server), "t120000_002f_000000000000")
        XCTAssertEqual(Fingerprints.ja3s(server).string, "771,47,")
    }

    func testNoSignatureAlgorithmsMeansNoUnderscore() {
        var hello = ClientHello()
        hello.legacyVersion = 0x0303
        hello.cipherSuites = [0x1301]
        hello.extensionTypes = [0x0017, 0x000a, 0x000b]
        XCTAssertEqual(Fingerprints.ja4Raw(hello), "t12i010300_1301_000a,000b,0017")
        XCTAssertEqual(Fingerprints.ja4(hello), "t12i010300_0f2cb44170f4_\(Self.sha12("000a,000b,0017"))")
        hello.extensionTypes.append(0x000d)
        hello.signatureAlgorithms = [0x0403, 0x0804]
        XCTAssertEqual(Fingerprints.ja4(hello), "t12i010400_0f2cb44170f4_060f71bfff68")
    }

    func testCountsAreCappedAt99() {
        var hello = ClientHello()
        hello.legacyVersion = 0x0303
        hello.cipherSuites = (0..<120).map { UInt16($0) }
        hello.extensionTypes = (0x0100..<0x0200).map { UInt16($0) }
        XCTAssertTrue(Fingerprints.ja4(hello).hasPrefix("t12i999900_"))
    }

    func testVersionCodes() {
        let cases: [(legacy: UInt16, supported: [UInt16], code: String)] = [
            (0x0303, [0x0a0a, 0x0304, 0x0303], "13"),   // highest non-GREASE entry
            (0x0303, [0x0303, 0x0304], "13"),           // not the first entry
            (0x0303, [0x2a2a], "12"),                   // only GREASE: legacy_version
            (0x0303, [], "12"),
            (0x0302, [], "11"),
            (0x0301, [], "10"),
            (0x0300, [], "s3"),
            (0x0002, [], "s2"),
            (0xfefd, [], "d2"),
            (0x0303, [0x7f17, 0x0304], "00"),           // a draft is highest: unknown, as the reference
            (0x0305, [], "00"),
        ]
        for (legacy, supported, code) in cases {
            var hello = ClientHello()
            hello.legacyVersion = legacy
            hello.supportedVersions = supported
            XCTAssertEqual(String(Fingerprints.ja4(hello).dropFirst().prefix(2)), code, "legacy \(legacy) supported \(supported)")
        }
        var server = ServerHello()
        server.legacyVersion = 0x0303
        server.selectedVersion = 0x0304
        server.extensionTypes = [0x002b, 0x0033]
        server.cipherSuite = 0x1301
        XCTAssertEqual(Fingerprints.ja4s(server), "t130200_1301_a56c5b993250")
        XCTAssertEqual(Fingerprints.ja3s(server).string, "771,4865,43-51")
    }

    func testTransportMarker() {
        let hello = Self.referenceVectorHello()
        XCTAssertTrue(Fingerprints.ja4(hello, transport: .quic).hasPrefix("q13d1516h2_"))
        XCTAssertTrue(Fingerprints.ja4(hello, transport: .dtls).hasPrefix("d13d1516h2_"))
        var server = ServerHello()
        server.legacyVersion = 0x0303
        XCTAssertTrue(Fingerprints.ja4s(server, transport: .quic).hasPrefix("q12"))
    }

    /// The server_name extension decides "d", whatever it holds (here no host_name entry).
    func testSNIMarkerFollowsTheExtensionNotTheName() {
        var hello = ClientHello()
        hello.legacyVersion = 0x0303
        hello.extensionTypes = [0x0000]
        hello.serverName = nil
        XCTAssertTrue(Fingerprints.ja4(hello).hasPrefix("t12d0001"))
    }

    /// SSLv2-compatible CLIENT-HELLO: tshark prints no JA3; when asked, the cipher
    /// field lists the 3-byte kinds, and JA4 uses the TLS suites among them.
    func testSSLv2CompatibleHello() throws {
        let body: [UInt8] = [0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
                             0x01, 0x00, 0x80, 0x00, 0x00, 0x04, 0x00, 0x00, 0xff]
            + [UInt8](repeating: 0x5a, count: 16)
        let hello = try body.withUnsafeBytes { buffer throws(ParseError) in try ClientHello.parseSSLv2(buffer) }
        XCTAssertTrue(hello.isSSLv2)
        XCTAssertNil(Fingerprints.ja3IfDefined(hello))
        XCTAssertEqual(Fingerprints.ja3(hello).string, "769,65664-4-255,,,")
        XCTAssertEqual(Fingerprints.ja4(hello), "t10i020000_2858a708d91c_000000000000")

        var server = ServerHello()
        server.isSSLv2 = true
        XCTAssertNil(Fingerprints.ja3sIfDefined(server))
        var tls = ServerHello()
        tls.legacyVersion = 0x0301
        XCTAssertNotNil(Fingerprints.ja3sIfDefined(tls))
    }

    func testHexAndDecimalWriters() {
        var text = FingerprintText()
        text.appendDecimal(0)
        text.append(UInt8(ascii: " "))
        text.appendDecimal(65535)
        text.append(UInt8(ascii: " "))
        text.appendDecimal(0x0100_0080)
        text.append(UInt8(ascii: " "))
        text.appendHex4(0x0a0f)
        text.append(UInt8(ascii: " "))
        text.appendTwoDigitCount(7)
        text.appendTwoDigitCount(-3)
        text.appendTwoDigitCount(1000)
        XCTAssertEqual(text.string, "0 65535 16777344 0a0f 070099")
        XCTAssertEqual(FingerprintHex.lowercase([0x00, 0xff, 0x1a]), "00ff1a")
    }

    // MARK: - Helpers

    private static func sha12(_ text: String) -> String {
        var fingerprint = FingerprintText()
        fingerprint.append(text)
        return FingerprintHash.sha256Prefix12(fingerprint)
    }

    /// Hex lines, then `zeros` zero bytes (the padding extension's body, kept short here).
    private static func decodeHex(_ lines: [String], zeros: Int = 0) -> [UInt8] {
        let hex = Array(lines.joined().utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index + 1 < hex.count {
            let pair = String(decoding: hex[index...index + 1], as: UTF8.self)
            bytes.append(UInt8(pair, radix: 16) ?? 0)
            index += 2
        }
        return bytes + [UInt8](repeating: 0, count: zeros)
    }

    private static func parseClientHello(_ body: [UInt8]) throws -> ClientHello {
        try body.withUnsafeBytes { buffer throws(ParseError) in try ClientHello.parse(buffer) }
    }

    private static func parseServerHello(_ body: [UInt8]) throws -> ServerHello {
        try body.withUnsafeBytes { buffer throws(ParseError) in try ServerHello.parse(buffer) }
    }

    private static let badCurveballClientHello = decodeHex([
        "0303c5b08a8a5a1a1f31e5bcd0853b6f59944dfec2900a712a2a6059b827c58cf48020078a389ef1767da304d9e10cc7",
        "a9441a734513694d3a353ed9522ac47f9c8aa40022aaaa130113021303c02bc02fc02cc030cca9cca8c013c014009c00",
        "9d002f0035000a010001914a4a00000000001a00180000156261642e637572766562616c6c746573742e636f6d001700",
        "00ff01000100000a000a0008caca001d00170018000b00020100002300000010000e000c02683208687474702f312e31",
        "000500050100000000000d00140012040308040401050308050501080606010201001200000033002b0029caca000100",
        "001d0020ec9c731ae0f83a315ec38ed8cc94912502ab3ca913a29b7d037d7c0ae6a6e81a002d00020101002b000b0a2a",
        "2a0304030303020301001b00030200027a7a000100001500c3",
    ], zeros: 195)

    private static let badCurveballServerHello = decodeHex([
        "0303d1b6bc54a89e67ac3ed9b6b826985762b4cc6cdde39e4d7a95421232c747c54400c02b00002400000000ff010001",
        "00000b000403000102002300000010000b000908687474702f312e31",
    ])

    private static let httpsConnectClientHello = decodeHex([
        "0303a3073873f429ef8ad6c13fa035798a93be55208aec5ffe09c5736f4f32c15e4b0000acc030c02cc028c024c014c0",
        "0a00a500a300a1009f006b006a0069006800390038003700360088008700860085c032c02ec02ac026c00fc005009d00",
        "3d00350084c02fc02bc027c023c013c00900a400a200a0009e00670040003f003e0033003200310030009a0099009800",
        "970045004400430042c031c02dc029c025c00ec004009c003c002f00960041c012c008001600130010000dc00dc00300",
        "0a0007c011c007c00cc0020005000400ff01000043000b000403000102000a000a000800170019001800160023000000",
        "0d0020001e060106020603050105020503040104020403030103020303020102020203000f000101",
    ])

    private static let httpsConnectServerHello = decodeHex([
        "0303e0e01a62d6c5c4a06b91f27ce6996274f2c68db9f7c6c5f4fe155b51e1d46e4f00c03000000900230000ff010001",
        "00",
    ])

    private static let nonASCIIALPNClientHello = decodeHex([
        "03030f9e38acb9a54a7c6e00e29a70ac2feee180ff76d7f25dca84932a66a42d1e5a20bc58b92f865e6b9aa4a6371cad",
        "cb0afe1da1c0f705209a11d52357f56d5dd9620020aaaa130113021303c02bc02fc02cc030cca9cca8c013c014009c00",
        "9d002f0035010001939a9a0000ff010001000033002b00290a0a000100001d0020cf55af2603e92f59eb321779706a18",
        "fa6b96b16c16404c2264ed687a59401878002d00020101000500050100000000446900050003026832000d0012001004",
        "0308040401050308050501080606010010000e000c02baad08687474702f312e3100230000001b0003020002002b0007",
        "060a0a0304030300000022002000001d636c69656e7473657276696365732e676f6f676c65617069732e636f6d001200",
        "00000a000a00080a0a001d0017001800170000000b000201006a6a000100001500ba",
    ], zeros: 186)
}
