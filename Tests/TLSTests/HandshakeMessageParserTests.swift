import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// Certificate, CertificateRequest, ServerKeyExchange, NewSessionTicket and Alert on
/// captured messages (expected values from tshark and the peers' own -msg traces).
final class HandshakeMessageParserTests: XCTestCase {

    /// "O=tlsdump, CN=tlsdump test CA" as DER, the CA every CertificateRequest of the
    /// project's captures names.
    private var testCAName: [UInt8] {
        let request = messageBody(13, inRecords: Captured.certreqTLS12Server)
        return Array(request.suffix(46))
    }

    private let openSSLSignatureAlgorithms: [UInt16] = [
        0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806,
        0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
    ]

    // MARK: - Certificate

    func testTLS12CertificateChains() throws {
        let serverBody = messageBody(11, inRecords: Captured.certreqTLS12Server)
        let server = try XCTUnwrap(parseValid(serverBody) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: false) })
        XCTAssertEqual(server.certificates.map(\.count), [904, 847])
        XCTAssertNil(server.requestContext)
        XCTAssertFalse(server.truncatedChain)
        XCTAssertEqual(server.certificates[0].prefix(2), [0x30, 0x82])

        let clientBody = messageBody(11, inRecords: Captured.certreqTLS12Client)
        let client = try XCTUnwrap(parseValid(clientBody) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: false) })
        XCTAssertEqual(client.certificates.map(\.count), [861, 847])
        XCTAssertEqual(client.certificates[1], server.certificates[1], "both peers send the test CA second")

        // Guessing TLS 1.3 wrongly still reads the TLS 1.2 layout.
        let guessed = try XCTUnwrap(parseValid(serverBody) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: true) })
        XCTAssertEqual(guessed, server)
    }

    func testTLS13CertificateWithRequestContext() throws {
        let body = messageBody(11, inMessages: Captured.tls13PHAClientCertificate)
        let request = try XCTUnwrap(parseValid(messageBody(13, inMessages: Captured.tls13PHACertificateRequest)) { b throws(ParseError) in
            try CertificateRequest.parse(b, version: 0x0304)
        })
        let message = try XCTUnwrap(parseValid(body) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: true) })
        XCTAssertEqual(message.requestContext?.count, 32)
        XCTAssertEqual(message.requestContext, request.requestContext, "the client echoes the request's context")
        XCTAssertEqual(message.certificates.map(\.count), [861, 847])
        // The same certificate the client sent on TLS 1.2 in certreq-initial-tls12 (the same test PKI).
        let tls12Client = try XCTUnwrap(parseValid(messageBody(11, inRecords: Captured.certreqTLS12Client)) { b throws(ParseError) in
            try CertificateMessage.parse(b, tls13: false)
        })
        XCTAssertEqual(message.certificates, tls12Client.certificates)
        // Guessing TLS 1.2 wrongly falls back to the TLS 1.3 layout.
        XCTAssertEqual(parseValid(body) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: false) }, message)
    }

    func testEmptyCertificateMessages() throws {
        let empty12 = try XCTUnwrap(parseValid([0, 0, 0]) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: false) })
        XCTAssertEqual(empty12.certificates, [])
        let empty13 = try XCTUnwrap(parseValid([0, 0, 0, 0]) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: true) })
        XCTAssertEqual(empty13.certificates, [])
        XCTAssertEqual(empty13.requestContext, [])
    }

    func testChainIsCappedAt64Certificates() throws {
        let entries = (0..<70).flatMap { i in vector(3, [0x30, 0x03, 0x02, 0x01, UInt8(i)]) }
        let body12 = vector(3, entries)
        let message = try XCTUnwrap(parseValid(body12) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: false) })
        XCTAssertEqual(message.certificates.count, CertificateMessage.maxCertificates)
        XCTAssertEqual(message.certificates.last, [0x30, 0x03, 0x02, 0x01, 63])
        XCTAssertTrue(message.truncatedChain)
        let entries13 = (0..<70).flatMap { i in vector(3, [0x30, 0x03, 0x02, 0x01, UInt8(i)]) + vector(2, []) }
        let message13 = try XCTUnwrap(parseValid([0] + vector(3, entries13)) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: true) })
        XCTAssertEqual(message13.certificates.count, 64)
        XCTAssertTrue(message13.truncatedChain)
        // Exactly 64 is not truncated.
        let exact = vector(3, (0..<64).flatMap { i in vector(3, [UInt8(i)]) })
        XCTAssertEqual(parseValid(exact) { b throws(ParseError) in try CertificateMessage.parse(b, tls13: false) }?.truncatedChain, false)
    }

    // MARK: - CertificateRequest

    func testTLS12CertificateRequestListsTheTestCA() throws {
        let body = messageBody(13, inRecords: Captured.certreqTLS12Server)
        let request = try XCTUnwrap(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0303) })
        XCTAssertEqual(request.certificateTypes, [1, 2, 64])
        XCTAssertEqual(request.signatureAlgorithms, openSSLSignatureAlgorithms)
        XCTAssertEqual(request.certificateAuthorities.count, 1)
        XCTAssertEqual(request.certificateAuthorities.first?.count, 46)
        XCTAssertNil(request.requestContext)
        // The DN is "O=tlsdump, CN=tlsdump test CA".
        let name = try XCTUnwrap(request.certificateAuthorities.first)
        XCTAssertEqual(name.prefix(2), [0x30, 0x2c])
        XCTAssertTrue(String(decoding: name, as: UTF8.self).contains("tlsdump test CA"))
        // A version guessed too low falls back to the TLS 1.2 layout.
        XCTAssertEqual(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0301) }, request)
    }

    func testTLS12CertificateRequestWithoutAuthorities() throws {
        let body = messageBody(13, inMessages: Captured.zeekClientCertServerMessages)
        let request = try XCTUnwrap(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0303) })
        XCTAssertEqual(request.certificateTypes, [1, 2, 64])
        XCTAssertEqual(request.signatureAlgorithms.count, 20)
        XCTAssertEqual(Array(request.signatureAlgorithms.prefix(5)), [0x0403, 0x0503, 0x0603, 0x0807, 0x0808])
        XCTAssertEqual(request.certificateAuthorities, [])
    }

    func testTLS13CertificateRequest() throws {
        let body = messageBody(13, inMessages: Captured.tls13PHACertificateRequest)
        let request = try XCTUnwrap(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0304) })
        XCTAssertEqual(request.requestContext, Array(body[1..<33]))
        XCTAssertEqual(request.signatureAlgorithms, Array(openSSLSignatureAlgorithms.prefix(16)))
        XCTAssertEqual(request.certificateAuthorities, [testCAName])
        XCTAssertEqual(request.certificateTypes, [])
        // A TLS 1.3 draft version takes the same layout.
        XCTAssertEqual(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x7f17) }, request)
    }

    func testTLS10CertificateRequestBuiltByHand() throws {
        // TLS 1.0/1.1 (RFC 4346 7.4.4): certificate types, then the CA names; no signature algorithms.
        // (captures/iis-renegotiation-tls10.pcap has one, but only encrypted.)
        let body = vector(1, [1, 64]) + vector(2, vector(2, testCAName))
        let request = try XCTUnwrap(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0301) })
        XCTAssertEqual(request.certificateTypes, [1, 64])
        XCTAssertEqual(request.signatureAlgorithms, [])
        XCTAssertEqual(request.certificateAuthorities, [testCAName])
        XCTAssertEqual(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0302) }, request)
        // A TLS 1.2 guess falls back to the older layout.
        XCTAssertEqual(parseValid(body) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0303) }, request)
        // Without any CA names.
        let bare = try XCTUnwrap(parseValid(vector(1, [1]) + [0, 0]) { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0300) })
        XCTAssertEqual(bare.certificateTypes, [1])
        XCTAssertEqual(bare.certificateAuthorities, [])
    }

    func testCertificateRequestWithTrailingBytesIsMalformed() {
        let body = messageBody(13, inRecords: Captured.certreqTLS12Server) + [0]
        guard case .failure(.malformed) = outcome(body, { b throws(ParseError) in try CertificateRequest.parse(b, version: 0x0303) }) else {
            return XCTFail("trailing byte accepted")
        }
    }

    // MARK: - ServerKeyExchange

    func testECDHEServerKeyExchange() throws {
        for (name, body) in [
            ("ecdhe-tls12", messageBody(12, inRecords: Captured.ecdheTLS12Server)),
            ("certreq-initial-tls12", messageBody(12, inRecords: Captured.certreqTLS12Server)),
            ("zeek client-certificate", messageBody(12, inMessages: Captured.zeekClientCertServerMessages)),
        ] {
            let exchange = parseValid(body) { b throws(ParseError) in try ServerKeyExchange.parse(b, kind: .ecdhe, pskHint: false) }
            XCTAssertEqual(exchange?.namedGroup, 0x001d, name)
            XCTAssertNil(exchange?.dhPrimeBits, name)
        }
        // explicit_prime (1) or explicit_char2 (2) curves are not named groups.
        let explicit: [UInt8] = [1, 0x00, 0x17]
        guard case .failure(.malformed) = outcome(explicit, { b throws(ParseError) in try ServerKeyExchange.parse(b, kind: .ecdhe, pskHint: false) }) else {
            return XCTFail("explicit curve accepted")
        }
    }

    func testDHEServerKeyExchangePrimeBits() throws {
        let body = messageBody(12, inMessages: Captured.zeekDHEServerKeyExchange)
        let exchange = try XCTUnwrap(parseValid(body) { b throws(ParseError) in try ServerKeyExchange.parse(b, kind: .dhe, pskHint: false) })
        XCTAssertEqual(exchange.dhPrimeBits, 1024, "tshark: p is 128 bytes")
        XCTAssertNil(exchange.namedGroup)
        // DHE_PSK: the identity hint comes first.
        let withHint = vector(2, Array("hint".utf8)) + body
        XCTAssertEqual(parseValid(withHint) { b throws(ParseError) in try ServerKeyExchange.parse(b, kind: .dhe, pskHint: true) }?.dhPrimeBits, 1024)
        // A prime with leading zero bytes counts its significant bits.
        let padded = vector(2, [0x00, 0x00, 0x7f] + Array(repeating: 0xff, count: 63)) + vector(2, [2]) + vector(2, [5])
        XCTAssertEqual(parseValid(padded) { b throws(ParseError) in try ServerKeyExchange.parse(b, kind: .dhe, pskHint: false) }?.dhPrimeBits, 511)
    }

    func testRSAExportAndHintOnly() throws {
        let body = vector(2, [0xc0] + Array(repeating: 0x11, count: 63)) + vector(2, [1, 0, 1])
        XCTAssertEqual(parseValid(body) { b throws(ParseError) in try ServerKeyExchange.parse(b, kind: .rsaExport, pskHint: false) }?.rsaModulusBits, 512)
        let hintOnly = try XCTUnwrap(parseValid(vector(2, Array("id".utf8))) { b throws(ParseError) in
            try ServerKeyExchange.parse(b, kind: .pskHintOnly, pskHint: true)
        })
        XCTAssertEqual(hintOnly, ServerKeyExchange())
    }

    func testBitLength() {
        for (bytes, bits) in [([], 0), ([0], 0), ([0, 0], 0), ([1], 1), ([0x80], 8), ([0, 0x01, 0x00], 9), ([0xff, 0xff], 16)] as [([UInt8], Int)] {
            XCTAssertEqual(bytes.withUnsafeBytes { ServerKeyExchange.bitLength($0) }, bits, "\(bytes)")
        }
    }

    // MARK: - NewSessionTicket, Alert

    func testNewSessionTicketLifetime() {
        let body = messageBody(4, inMessages: Captured.zeekClientCertServerMessages)
        XCTAssertEqual(parseValid(body, NewSessionTicket.parse)?.lifetimeHint, 300)
        guard case .failure(.needMoreBytes) = outcome([0, 0, 1], NewSessionTicket.parse) else { return XCTFail() }
    }

    func testAlerts() throws {
        let record = splitRecords(Captured.zeekDraft16ClientAlertRecord)[0]
        XCTAssertEqual(record.type, ContentType.alert)
        let alert = try XCTUnwrap(parseValid(record.body, Alert.parse))
        XCTAssertEqual(alert, Alert(level: 2, description: 48))
        XCTAssertTrue(alert.isFatal)
        XCTAssertFalse(try XCTUnwrap(parseValid([1, 0], Alert.parse)).isFatal)
        guard case .failure(.needMoreBytes) = outcome([1], Alert.parse) else { return XCTFail("1 byte is no alert") }
        guard case .failure(.needMoreBytes) = outcome([], Alert.parse) else { return XCTFail("0 bytes are no alert") }
    }
}
