import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// Every parser against hostile input: every truncation of a real message, lengths that run
/// past the end, and thousands of random or mutated inputs (fixed seeds). None may trap.
final class ParserRobustnessTests: XCTestCase {

    private typealias Parser = (UnsafeRawBufferPointer) throws(ParseError) -> Void

    /// A parser, a real message body, and the truncations that legitimately parse
    /// (a structure whose tail is optional, or a parser that reads only a prefix).
    private struct Case {
        var name: String
        var parse: Parser
        var body: [UInt8]
        var validPrefixes: (Int) -> Bool = { _ in false }
    }

    private static func clientHelloEndOfCompression(_ body: [UInt8]) -> Int {
        let sessionEnd = 35 + Int(body[34])
        let suitesEnd = sessionEnd + 2 + (Int(body[sessionEnd]) << 8 | Int(body[sessionEnd + 1]))
        return suitesEnd + 1 + Int(body[suitesEnd])
    }

    private var cases: [Case] {
        let clientHellos: [(String, [UInt8])] = [
            ("ClientHello openssl tls12", messageBody(1, inRecords: Captured.ecdheTLS12Client)),
            ("ClientHello openssl tls13", messageBody(1, inRecords: Captured.tls13Client)),
            ("ClientHello gnutls", messageBody(1, inMessages: Captured.gnutlsTLS12ClientHello)),
            ("ClientHello chrome", messageBody(1, inRecords: Captured.zeekChromeKyberClientHelloRecord)),
            ("ClientHello draft16", messageBody(1, inMessages: Captured.zeekDraft16ClientHello)),
        ]
        var all: [Case] = clientHellos.map { name, body in
            let end = Self.clientHelloEndOfCompression(body)
            return Case(name: name, parse: { b throws(ParseError) in _ = try ClientHello.parse(b) }, body: body, validPrefixes: { $0 == end })
        }
        let serverHellos: [(String, [UInt8], Int)] = [
            // (name, body, length up to the compression method: extensions are optional)
            ("ServerHello tls12", messageBody(2, inRecords: Captured.ecdheTLS12Server), 38),
            ("ServerHello tls13", messageBody(2, inRecords: Captured.tls13Server), 70),
            ("HelloRetryRequest", messageBody(2, inRecords: Captured.zeekHRRServer), 70),
            ("ServerHello draft16", messageBody(2, inMessages: Captured.zeekDraft16ServerHello), 36),
        ]
        all += serverHellos.map { name, body, end in
            Case(name: name, parse: { b throws(ParseError) in _ = try ServerHello.parse(b) }, body: body, validPrefixes: { $0 == end })
        }
        all += [
            Case(name: "Certificate tls12", parse: { b throws(ParseError) in _ = try CertificateMessage.parse(b, tls13: false) },
                 body: messageBody(11, inRecords: Captured.certreqTLS12Server)),
            Case(name: "Certificate tls13", parse: { b throws(ParseError) in _ = try CertificateMessage.parse(b, tls13: true) },
                 body: messageBody(11, inMessages: Captured.tls13PHAClientCertificate)),
            Case(name: "CertificateRequest tls12", parse: { b throws(ParseError) in _ = try CertificateRequest.parse(b, version: 0x0303) },
                 body: messageBody(13, inRecords: Captured.certreqTLS12Server)),
            Case(name: "CertificateRequest tls12 zeek", parse: { b throws(ParseError) in _ = try CertificateRequest.parse(b, version: 0x0303) },
                 body: messageBody(13, inMessages: Captured.zeekClientCertServerMessages)),
            // The extensions block is optional after the context.
            Case(name: "CertificateRequest tls13", parse: { b throws(ParseError) in _ = try CertificateRequest.parse(b, version: 0x0304) },
                 body: messageBody(13, inMessages: Captured.tls13PHACertificateRequest), validPrefixes: { $0 == 33 }),
            Case(name: "CertificateRequest tls10", parse: { b throws(ParseError) in _ = try CertificateRequest.parse(b, version: 0x0301) },
                 body: vector(1, [1, 64]) + vector(2, vector(2, Array(messageBody(13, inRecords: Captured.certreqTLS12Server).suffix(46))))),
            // Only the curve type and group are read.
            Case(name: "ServerKeyExchange ecdhe", parse: { b throws(ParseError) in _ = try ServerKeyExchange.parse(b, kind: .ecdhe, pskHint: false) },
                 body: messageBody(12, inRecords: Captured.ecdheTLS12Server), validPrefixes: { $0 >= 3 }),
            // Only p is read.
            Case(name: "ServerKeyExchange dhe", parse: { b throws(ParseError) in _ = try ServerKeyExchange.parse(b, kind: .dhe, pskHint: false) },
                 body: messageBody(12, inMessages: Captured.zeekDHEServerKeyExchange), validPrefixes: { $0 >= 130 }),
            Case(name: "NewSessionTicket", parse: { b throws(ParseError) in _ = try NewSessionTicket.parse(b) },
                 body: messageBody(4, inMessages: Captured.zeekClientCertServerMessages), validPrefixes: { $0 >= 4 }),
            Case(name: "Alert", parse: { b throws(ParseError) in _ = try Alert.parse(b) }, body: [2, 48]),
            Case(name: "SSLv2 CLIENT-HELLO", parse: { b throws(ParseError) in _ = try ClientHello.parseSSLv2(b) },
                 body: Array(Captured.zeekSSLv2Client[2..<48])),
            Case(name: "SSLv2-compatible ClientHello", parse: { b throws(ParseError) in _ = try ClientHello.parseSSLv2(b) },
                 body: Array(Captured.zeekSSLv3Client[2..<87])),
            Case(name: "SSLv2 SERVER-HELLO", parse: { b throws(ParseError) in _ = try ServerHello.parseSSLv2(b) },
                 body: Array(Captured.zeekSSLv2Server[2..<950])),
            Case(name: "SSLv2 CLIENT-MASTER-KEY", parse: { b throws(ParseError) in _ = try SSLv2ClientMasterKey.parse(b) },
                 body: Array(Captured.zeekSSLv2Client[50..<324]), validPrefixes: { $0 >= 4 }),
        ]
        return all
    }

    func testEveryCaseParsesWhole() {
        for c in cases {
            if case .failure(let error) = outcome(c.body, c.parse) { XCTFail("\(c.name): \(error)") }
        }
    }

    func testEveryTruncationThrowsNeedMoreBytesOrMalformed() {
        for c in cases {
            var unexpected: [Int] = []
            for length in 0..<c.body.count {
                let parsed: Bool
                switch outcome(Array(c.body.prefix(length)), c.parse) {
                case .success: parsed = true
                case .failure(.needMoreBytes(let n)): parsed = false; XCTAssertGreaterThan(n, 0, "\(c.name) at \(length)")
                case .failure(.malformed): parsed = false
                }
                if parsed != c.validPrefixes(length) { unexpected.append(length) }
            }
            XCTAssertEqual(unexpected, [], "\(c.name): truncations that parsed (or failed) unexpectedly")
        }
    }

    /// Length fields of real messages made to run past the end: `.malformed`, since the
    /// enclosing message is complete and no further byte can make it valid.
    func testLengthsRunningPastTheEndAreMalformed() {
        func assertMalformed(_ name: String, _ body: [UInt8], setting offsets: [Int], _ parse: Parser,
                             file: StaticString = #filePath, line: UInt = #line) {
            var bytes = body
            for offset in offsets { bytes[offset] = 0xff }
            switch outcome(bytes, parse) {
            case .failure(.malformed): break
            case let other: XCTFail("\(name): \(other)", file: file, line: line)
            }
        }
        let clientHello = messageBody(1, inRecords: Captured.ecdheTLS12Client)
        let parseCH: Parser = { b throws(ParseError) in _ = try ClientHello.parse(b) }
        let sessionEnd = 35 + Int(clientHello[34])
        let suitesEnd = sessionEnd + 2 + Int(clientHello[sessionEnd + 1])
        let extensionsStart = suitesEnd + 1 + Int(clientHello[suitesEnd])
        assertMalformed("session id", clientHello, setting: [34], parseCH)
        assertMalformed("cipher suites", clientHello, setting: [sessionEnd], parseCH)
        assertMalformed("compression", clientHello, setting: [suitesEnd], parseCH)
        assertMalformed("extensions block", clientHello, setting: [extensionsStart], parseCH)
        assertMalformed("first extension", clientHello, setting: [extensionsStart + 4], parseCH)

        let serverHello = messageBody(2, inRecords: Captured.tls13Server)
        let parseSH: Parser = { b throws(ParseError) in _ = try ServerHello.parse(b) }
        assertMalformed("server session id", serverHello, setting: [34], parseSH)
        assertMalformed("server extensions", serverHello, setting: [70], parseSH)
        assertMalformed("server extension", serverHello, setting: [74], parseSH)

        let certificate = messageBody(11, inRecords: Captured.certreqTLS12Server)
        let parseCert: Parser = { b throws(ParseError) in _ = try CertificateMessage.parse(b, tls13: false) }
        assertMalformed("certificate list", certificate, setting: [0], parseCert)
        assertMalformed("first certificate", certificate, setting: [3], parseCert)
        let certificate13 = messageBody(11, inMessages: Captured.tls13PHAClientCertificate)
        let parseCert13: Parser = { b throws(ParseError) in _ = try CertificateMessage.parse(b, tls13: true) }
        assertMalformed("request context", certificate13, setting: [0], parseCert13)
        assertMalformed("certificate entry extensions", certificate13, setting: [33 + 3 + 3 + 861], parseCert13)

        let request = messageBody(13, inRecords: Captured.certreqTLS12Server)
        let parseCR: Parser = { b throws(ParseError) in _ = try CertificateRequest.parse(b, version: 0x0303) }
        assertMalformed("certificate types", request, setting: [0], parseCR)
        assertMalformed("signature algorithms", request, setting: [4], parseCR)
        assertMalformed("authorities", request, setting: [4 + 2 + 40], parseCR)
        assertMalformed("first authority", request, setting: [4 + 2 + 40 + 2], parseCR)
        let request13 = messageBody(13, inMessages: Captured.tls13PHACertificateRequest)
        let parseCR13: Parser = { b throws(ParseError) in _ = try CertificateRequest.parse(b, version: 0x0304) }
        assertMalformed("request context", request13, setting: [0], parseCR13)
        assertMalformed("request extensions", request13, setting: [33], parseCR13)

        let dhe = messageBody(12, inMessages: Captured.zeekDHEServerKeyExchange)
        assertMalformed("dh p", dhe, setting: [0], { b throws(ParseError) in _ = try ServerKeyExchange.parse(b, kind: .dhe, pskHint: false) })

        let sslv2 = Array(Captured.zeekSSLv2Client[2..<48])
        let parseV2: Parser = { b throws(ParseError) in _ = try ClientHello.parseSSLv2(b) }
        assertMalformed("sslv2 cipher specs", sslv2, setting: [3, 4], parseV2)
        assertMalformed("sslv2 session id", sslv2, setting: [5], parseV2)
        assertMalformed("sslv2 challenge", sslv2, setting: [7], parseV2)
        let sslv2Server = Array(Captured.zeekSSLv2Server[2..<950])
        let parseV2S: Parser = { b throws(ParseError) in _ = try ServerHello.parseSSLv2(b) }
        assertMalformed("sslv2 certificate", sslv2Server, setting: [5], parseV2S)
        assertMalformed("sslv2 server cipher specs", sslv2Server, setting: [7, 8], parseV2S)
    }

    func testRandomBytesNeverTrap() {
        var rng = SeededGenerator(seed: 0x5eed_7e57)
        let parsers = cases.map(\.parse)
        var parsedCount = 0
        for _ in 0..<3000 {
            let length = Int.random(in: 0...600, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Small leading lengths reach deeper into the structures.
            if length > 4, Bool.random(using: &rng) { bytes[0] = UInt8.random(in: 0...3, using: &rng); bytes[1] = 0 }
            for parse in parsers {
                if case .success = outcome(bytes, parse) { parsedCount += 1 }
            }
        }
        XCTAssertGreaterThan(parsedCount, 0, "some random inputs parse (alerts at least)")
    }

    func testMutatedMessagesNeverTrap() {
        var rng = SeededGenerator(seed: 0x00de_caf0)
        var failures = 0
        for c in cases {
            for _ in 0..<400 {
                var bytes = c.body
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : bytes[i] &+ 1
                }
                if Int.random(in: 0..<4, using: &rng) == 0 { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
                if case .failure = outcome(bytes, c.parse) { failures += 1 }
            }
        }
        XCTAssertGreaterThan(failures, 0, "mutations that break a length are refused")
        // Results that parse keep their invariants.
        let hello = messageBody(1, inRecords: Captured.zeekChromeKyberClientHelloRecord)
        for _ in 0..<1000 {
            var bytes = hello
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            if case .success(let parsed) = outcome(bytes, ClientHello.parse) {
                XCTAssertEqual(parsed.random.count, 32)
                XCTAssertLessThanOrEqual(parsed.cipherSuites.count * 2 + parsed.extensionTypes.count * 4, bytes.count)
            }
        }
    }
}
