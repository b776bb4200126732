import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// ClientHello and ServerHello parsers on captured hellos. Expected values come from
/// tshark 4.0's dissection of the same packets.
final class HelloParserTests: XCTestCase {

    private func clientHello(_ body: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ClientHello? {
        parseValid(body, file: file, line: line, ClientHello.parse)
    }

    private func serverHello(_ body: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ServerHello? {
        parseValid(body, file: file, line: line, ServerHello.parse)
    }

    private let openSSLSignatureAlgorithms: [UInt16] = [
        0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806,
        0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
    ]

    // MARK: - ClientHello

    func testOpenSSLTLS12ClientHello() throws {
        let hello = try XCTUnwrap(clientHello(messageBody(1, inRecords: Captured.ecdheTLS12Client)))
        XCTAssertEqual(hello.legacyVersion, 0x0303)
        XCTAssertEqual(hello.random.count, 32)
        XCTAssertEqual(hello.sessionID, [])
        XCTAssertEqual(hello.cipherSuites, [0xc030, 0x00ff])
        XCTAssertEqual(hello.compressionMethods, [0])
        XCTAssertEqual(hello.serverName, "server.test")
        XCTAssertEqual(hello.extensionTypes, [0, 11, 10, 35, 22, 23, 13])
        XCTAssertEqual(hello.supportedGroups, [0x001d, 0x0017, 0x001e, 0x0019, 0x0018])
        XCTAssertEqual(hello.ecPointFormats, [0, 1, 2])
        XCTAssertEqual(hello.signatureAlgorithms, openSSLSignatureAlgorithms)
        XCTAssertEqual(hello.supportedVersions, [])
        XCTAssertEqual(hello.keyShareGroups, [])
        XCTAssertEqual(hello.alpn, [])
        XCTAssertEqual(hello.highestVersion, 0x0303)
        // OpenSSL signals secure renegotiation with the SCSV only.
        XCTAssertFalse(hello.hasRenegotiationInfo)
        XCTAssertTrue(hello.offersSecureRenegotiation)
        XCTAssertFalse(hello.isSSLv2)
    }

    func testOpenSSLTLS13ClientHello() throws {
        let hello = try XCTUnwrap(clientHello(messageBody(1, inRecords: Captured.tls13Client)))
        XCTAssertEqual(hello.cipherSuites, [0x1301, 0x00ff])
        XCTAssertEqual(hello.supportedVersions, [0x0304])
        XCTAssertEqual(hello.keyShareGroups, [0x001d])
        XCTAssertEqual(hello.supportedGroups, [0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104])
        XCTAssertEqual(hello.extensionTypes, [0, 11, 10, 35, 22, 23, 13, 43, 45, 51])
        XCTAssertEqual(hello.signatureAlgorithms, Array(openSSLSignatureAlgorithms.prefix(14)))
        XCTAssertEqual(hello.highestVersion, 0x0304)
        XCTAssertEqual(hello.sessionID.count, 32, "middlebox compatibility: a fake session id")
        XCTAssertEqual(hello.serverName, "server.test")
    }

    func testGnuTLSClientHelloSendsRenegotiationInfo() throws {
        let hello = try XCTUnwrap(clientHello(messageBody(1, inMessages: Captured.gnutlsTLS12ClientHello)))
        XCTAssertEqual(hello.extensionTypes, [5, 10, 11, 13, 22, 23, 35, 65281, 0, 28])
        XCTAssertTrue(hello.hasRenegotiationInfo)
        XCTAssertEqual(hello.renegotiationInfoLength, 0, "an initial handshake's renegotiation_info is empty")
        XCTAssertFalse(hello.cipherSuites.contains(0x00ff))
        XCTAssertTrue(hello.offersSecureRenegotiation)
        XCTAssertEqual(hello.cipherSuites.count, 25)
        XCTAssertEqual(hello.cipherSuites.first, 0xc02c)
        XCTAssertEqual(hello.supportedGroups, [0x0017, 0x0018, 0x0019, 0x001d, 0x001e, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104])
        XCTAssertEqual(hello.serverName, "server.test")
    }

    func testChromeClientHelloKeepsGREASE() throws {
        let record = Captured.zeekChromeKyberClientHelloRecord
        let hello = try XCTUnwrap(clientHello(messageBody(1, inRecords: record)))
        XCTAssertEqual(hello.serverName, "lh3.google.com")
        XCTAssertEqual(hello.alpn, [Array("h2".utf8), Array("http/1.1".utf8)])
        XCTAssertEqual(hello.cipherSuites.first, 0xeaea)
        XCTAssertEqual(hello.cipherSuites.count, 16)
        XCTAssertEqual(hello.extensionTypes.first, 0x6a6a)
        XCTAssertEqual(hello.extensionTypes.last, 0x4a4a)
        XCTAssertEqual(hello.extensionTypes, [27242, 35, 13, 11, 10, 27, 17513, 51, 16, 43, 23, 65281, 5, 45, 65037, 18, 0, 19018])
        XCTAssertEqual(hello.supportedGroups, [0xcaca, 0x6399, 0x001d, 0x0017, 0x0018])
        XCTAssertEqual(hello.keyShareGroups, [0xcaca, 0x6399, 0x001d])
        XCTAssertEqual(hello.supportedVersions, [0x8a8a, 0x0304, 0x0303])
        XCTAssertEqual(hello.signatureAlgorithms, [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601])
        XCTAssertEqual(hello.highestVersion, 0x0304, "GREASE is not a version")
        XCTAssertTrue(hello.hasRenegotiationInfo)
        XCTAssertTrue(TLSRegistry.isGREASE(hello.cipherSuites[0]))
    }

    func testClientHellosAroundHelloRetryRequest() throws {
        let records = Captured.zeekHRRClient
        let first = try XCTUnwrap(clientHello(messageBody(1, inRecords: records, index: 0)))
        let second = try XCTUnwrap(clientHello(messageBody(1, inRecords: records, index: 1)))
        XCTAssertEqual(first.keyShareGroups, [0x0015])
        XCTAssertEqual(second.keyShareGroups, [0x0017], "the group the HelloRetryRequest asked for")
        XCTAssertEqual(first.supportedGroups, [0x0015, 0x0017, 0x0018])
        XCTAssertEqual(first.cipherSuites, [0x1302, 0x1303, 0x1301, 0x00ff])
        XCTAssertEqual(first.random, second.random)
    }

    func testDraftClientHelloOffersDraftVersion() throws {
        let hello = try XCTUnwrap(clientHello(messageBody(1, inMessages: Captured.zeekDraft16ClientHello)))
        XCTAssertEqual(hello.supportedVersions, [0x7f10, 0x0303, 0x0302, 0x0301])
        XCTAssertEqual(hello.highestVersion, 0x7f10)
        XCTAssertEqual(hello.extensionTypes, [23, 65281, 10, 11, 35, 16, 5, 18, 40, 43, 13, 21])
        // Issue 26 item 7: every TLS 1.3 version offered is a draft before 23, so key_share is code point 40 and read there.
        XCTAssertEqual(hello.keyShareGroups, [0x001d, 0x0017, 0x0018], "draft key_share used code point 40")
    }

    func testMalformedExtensionBodyIsTolerated() throws {
        // A hand-made hello: SNI whose inner length runs past its extension, then ALPN.
        let sni: [UInt8] = [0x00, 0x00, 0x00, 0x05, 0x00, 0x09, 0x00, 0x00, 0x05]
        let alpn: [UInt8] = [0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x32]
        let body = [0x03, 0x03] + Array(repeating: 0x11, count: 32) + [0x00] + vector(2, [0x13, 0x01]) + [0x01, 0x00] + vector(2, sni + alpn)
        let hello = try XCTUnwrap(clientHello(body))
        XCTAssertEqual(hello.extensionTypes, [0, 16])
        XCTAssertNil(hello.serverName)
        XCTAssertEqual(hello.alpn, [Array("h2".utf8)])
        // The repeated extension: the first copy counts.
        let twice = [0x03, 0x03] + Array(repeating: 0x11, count: 32) + [0x00] + vector(2, [0x13, 0x01]) + [0x01, 0x00] + vector(2, alpn + alpn)
        XCTAssertEqual(try XCTUnwrap(clientHello(twice)).alpn, [Array("h2".utf8)])
    }

    func testClientHelloWithoutExtensions() throws {
        // SSL 3.0 style: nothing after the compression methods.
        let body = [0x03, 0x00] + Array(repeating: 0x22, count: 32) + [0x00] + vector(2, [0x00, 0x0a]) + [0x01, 0x00]
        let hello = try XCTUnwrap(clientHello(body))
        XCTAssertEqual(hello.legacyVersion, 0x0300)
        XCTAssertEqual(hello.cipherSuites, [0x000a])
        XCTAssertEqual(hello.extensionTypes, [])
        XCTAssertFalse(hello.offersSecureRenegotiation)
        // An odd cipher suite list length is malformed.
        let odd = [0x03, 0x03] + Array(repeating: 0x22, count: 32) + [0x00] + vector(2, [0x00, 0x0a, 0x00]) + [0x01, 0x00]
        guard case .failure(.malformed) = outcome(odd, ClientHello.parse) else { return XCTFail("odd suites list accepted") }
    }

    // MARK: - SSLv2 hellos

    func testSSLv2ClientHello() throws {
        let record = Array(Captured.zeekSSLv2Client[2..<48])
        let hello = try XCTUnwrap(parseValid(record, ClientHello.parseSSLv2))
        XCTAssertTrue(hello.isSSLv2)
        XCTAssertEqual(hello.legacyVersion, 0x0002)
        XCTAssertEqual(hello.sslv2CipherKinds, [0x0700c0, 0x050080, 0x030080, 0x010080, 0x060040, 0x040080, 0x020080])
        XCTAssertEqual(hello.cipherSuites, [], "no TLS suites in a pure SSLv2 hello")
        XCTAssertEqual(hello.sessionID, [])
        XCTAssertEqual(hello.random, Array(repeating: 0, count: 16) + Array(record[(record.count - 16)...]),
                       "the 16-byte challenge right-aligned in 32 bytes")
        XCTAssertEqual(hello.compressionMethods, [0])
        XCTAssertFalse(hello.offersSecureRenegotiation)
    }

    func testSSLv2CompatibleClientHelloForTLS10() throws {
        let record = Array(Captured.zeekSSLv3Client[2..<87])
        let hello = try XCTUnwrap(parseValid(record, ClientHello.parseSSLv2))
        XCTAssertEqual(hello.legacyVersion, 0x0301)
        XCTAssertEqual(hello.highestVersion, 0x0301)
        XCTAssertEqual(hello.sslv2CipherKinds.count, 20)
        XCTAssertEqual(hello.cipherSuites, [0x0039, 0x0038, 0x0035, 0x0033, 0x0032, 0x0004, 0x0005, 0x002f, 0x0016, 0x0013,
                                            0xfeff, 0x000a, 0x0015, 0x0012, 0xfefe, 0x0009, 0x0064, 0x0062, 0x0003, 0x0006])
        XCTAssertEqual(Array(hello.random.suffix(16)), hexBytes("e6b8efdf91cf44f7eae43c83398fdcb2"))
    }

    func testSSLv2ServerHelloAndClientMasterKey() throws {
        let server = Array(Captured.zeekSSLv2Server[2..<950])
        let hello = try XCTUnwrap(parseValid(server, ServerHello.parseSSLv2))
        XCTAssertTrue(hello.isSSLv2)
        XCTAssertEqual(hello.legacyVersion, 0x0002)
        XCTAssertEqual(hello.sslv2Certificate?.count, 903)
        XCTAssertEqual(hello.sslv2Certificate?.prefix(2), [0x30, 0x82])
        XCTAssertEqual(hello.sslv2CipherKinds, [0x0700c0, 0x030080, 0x010080, 0x060040, 0x040080, 0x020080])

        let masterKey = Array(Captured.zeekSSLv2Client[50..<324])
        XCTAssertEqual(parseValid(masterKey, SSLv2ClientMasterKey.parse)?.cipherKind, 0x0700c0)

        // Each parser refuses the other's message.
        guard case .failure(.malformed) = outcome(server, ClientHello.parseSSLv2) else { return XCTFail() }
        guard case .failure(.malformed) = outcome(masterKey, ServerHello.parseSSLv2) else { return XCTFail() }
        guard case .failure(.malformed) = outcome(Array(Captured.zeekSSLv2Client[2..<48]), SSLv2ClientMasterKey.parse) else { return XCTFail() }
    }

    // MARK: - ServerHello

    func testTLS12ServerHello() throws {
        let hello = try XCTUnwrap(serverHello(messageBody(2, inRecords: Captured.ecdheTLS12Server)))
        XCTAssertEqual(hello.legacyVersion, 0x0303)
        XCTAssertEqual(hello.negotiatedVersion, 0x0303)
        XCTAssertNil(hello.selectedVersion)
        XCTAssertEqual(hello.cipherSuite, 0xc030)
        XCTAssertEqual(hello.compressionMethod, 0)
        XCTAssertEqual(hello.extensionTypes, [65281, 11, 23])
        XCTAssertTrue(hello.hasRenegotiationInfo)
        XCTAssertFalse(hello.isHelloRetryRequest)
        XCTAssertEqual(hello.random.count, 32)

        let dhe = try XCTUnwrap(serverHello(messageBody(2, inMessages: Captured.zeekDHEServerHello)))
        XCTAssertEqual(dhe.cipherSuite, 0x0088)
        XCTAssertEqual(dhe.sessionID, [])
        XCTAssertEqual(dhe.extensionTypes, [65281, 35, 15])
    }

    func testTLS13ServerHello() throws {
        let hello = try XCTUnwrap(serverHello(messageBody(2, inRecords: Captured.tls13Server)))
        let client = try XCTUnwrap(clientHello(messageBody(1, inRecords: Captured.tls13Client)))
        XCTAssertEqual(hello.legacyVersion, 0x0303)
        XCTAssertEqual(hello.selectedVersion, 0x0304)
        XCTAssertEqual(hello.negotiatedVersion, 0x0304)
        XCTAssertEqual(hello.cipherSuite, 0x1301)
        XCTAssertEqual(hello.keyShareGroup, 0x001d)
        XCTAssertEqual(hello.extensionTypes, [43, 51])
        XCTAssertEqual(hello.sessionID, client.sessionID, "the session id is echoed")
        XCTAssertFalse(hello.isHelloRetryRequest)
        XCTAssertFalse(hello.hasPreSharedKey)
    }

    func testHelloRetryRequest() throws {
        let records = Captured.zeekHRRServer
        let retry = try XCTUnwrap(serverHello(messageBody(2, inRecords: records, index: 0)))
        XCTAssertTrue(retry.isHelloRetryRequest)
        XCTAssertEqual(retry.random, ServerHello.helloRetryRandom)
        XCTAssertEqual(retry.keyShareGroup, 0x0017, "the group asked for")
        XCTAssertEqual(retry.selectedVersion, 0x0304)
        XCTAssertEqual(retry.cipherSuite, 0x1302)
        let real = try XCTUnwrap(serverHello(messageBody(2, inRecords: records, index: 1)))
        XCTAssertFalse(real.isHelloRetryRequest)
        XCTAssertEqual(real.keyShareGroup, 0x0017)
        XCTAssertEqual(real.negotiatedVersion, 0x0304)
    }

    func testTLS13DraftServerHelloWithoutSessionID() throws {
        let hello = try XCTUnwrap(serverHello(messageBody(2, inMessages: Captured.zeekDraft16ServerHello)))
        XCTAssertEqual(hello.legacyVersion, 0x7f10)
        XCTAssertEqual(hello.selectedVersion, 0x7f10)
        XCTAssertEqual(hello.negotiatedVersion, 0x7f10)
        XCTAssertTrue(ProtocolVersion.isTLS13Family(hello.negotiatedVersion))
        XCTAssertEqual(hello.sessionID, [])
        XCTAssertEqual(hello.cipherSuite, 0x1303)
        XCTAssertEqual(hello.extensionTypes, [13, 40])
    }

    func testServerHelloALPNAndPreSharedKey() throws {
        let extensions: [UInt8] = [0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x32] + [0x00, 0x29, 0x00, 0x02, 0x00, 0x00]
            + [0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]
        let body = [0x03, 0x03] + Array(repeating: 0x33, count: 32) + [0x00, 0x13, 0x01, 0x00] + vector(2, extensions)
        let hello = try XCTUnwrap(serverHello(body))
        XCTAssertEqual(hello.alpn, Array("h2".utf8))
        XCTAssertTrue(hello.hasPreSharedKey)
        XCTAssertEqual(hello.negotiatedVersion, 0x0304)
    }
}
