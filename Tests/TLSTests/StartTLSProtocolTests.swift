import TLSDumpTLS
import XCTest

/// Naming the protocol that ran before TLS, from the preambles as real clients and servers send them.
final class StartTLSProtocolTests: XCTestCase {
    private func p(_ text: String) -> PlaintextPreamble { PlaintextPreamble(Array(text.utf8)) }

    func testRecognisedProtocols() {
        let sslRequest: [UInt8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]
        let gss: [UInt8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]
        // An LDAPMessage with an ExtendedRequest for StartTLS (as `openssl s_client -starttls ldap` sends it).
        let ldap: [UInt8] = [0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16] + Array("1.3.6.1.4.1.1466.20037".utf8)
        let cases: [(PlaintextPreamble?, PlaintextPreamble?, StartTLSProtocol?)] = [
            (nil, nil, nil),
            (PlaintextPreamble(sslRequest), p("S"), .postgresql),
            (PlaintextPreamble(gss + sslRequest), p("NS"), .postgresql),
            (p("EHLO openssl.client.net\r\nSTARTTLS\r\n"), p("220 mx ESMTP\r\n250-STARTTLS\r\n220 2.0.0 Ready\r\n"), .smtp),
            (p("STARTTLS\r\n"), p("220 mx ESMTP ready\r\n"), .smtp),
            (p("a001 CAPABILITY\r\na002 STARTTLS\r\n"), p("* OK IMAP4rev1\r\n"), .imap),
            (p(". STARTTLS\r\n"), p("* OK\r\n"), .imap),
            (p("CAPA\r\nSTLS\r\n"), p("+OK POP3\r\n+OK Begin TLS\r\n"), .pop3),
            (p("AUTH TLS\r\n"), p("220 FTP\r\n234 AUTH TLS OK.\r\n"), .ftp),
            (p("<?xml version='1.0'?><stream:stream to='a'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), p("<proceed/>"), .xmpp),
            (PlaintextPreamble(ldap), nil, .ldap),
            (p("CAP LS\r\nNICK a\r\nSTARTTLS\r\n"), p(":irc.example 670 a :STARTTLS successful\r\n"), .irc),
            (p("STARTTLS\r\n"), p(":irc.example NOTICE * :hello\r\n"), .irc),
            (p("STARTTLS\r\n"), p("200 news.example ready\r\n"), .nntp),
            (p("CONNECT example.com:443 HTTP/1.1\r\n\r\n"), p("HTTP/1.1 200 OK\r\n\r\n"), .httpConnect),
            (PlaintextPreamble([0x05, 0x01, 0x00] + [0x05, 0x01, 0x00, 0x01, 10, 0, 0, 1, 1, 0xbb]), PlaintextPreamble([0x05, 0x00]), .socks),
            (nil, PlaintextPreamble([0x00, 0x5a, 0x01, 0xbb, 10, 0, 0, 1]), .socks),
            (PlaintextPreamble([0x05]), nil, .unknown),
            (nil, p("hello"), .unknown),
        ]
        for (client, server, expected) in cases {
            XCTAssertEqual(StartTLSProtocol.recognise(client: client, server: server), expected,
                           "\(client.map { String(decoding: $0.head, as: UTF8.self) } ?? "nil")")
        }
    }

    func testPreambleSampleIsCapped() {
        var preamble = PlaintextPreamble()
        let bytes = (0..<1000).map { UInt8($0 & 0xff) }
        for chunk in stride(from: 0, to: bytes.count, by: 7) {
            Array(bytes[chunk..<min(chunk + 7, bytes.count)]).withUnsafeBytes { preamble.append($0) }
        }
        XCTAssertEqual(preamble.count, 1000)
        XCTAssertEqual(preamble.head, Array(bytes.prefix(PlaintextPreamble.headLimit)))
        XCTAssertEqual(preamble.tail, Array(bytes.suffix(PlaintextPreamble.tailLimit)))
        preamble.dropLast(10)
        XCTAssertEqual(preamble.count, 990)
        XCTAssertEqual(preamble.tail, Array(bytes[0..<990].suffix(PlaintextPreamble.tailLimit - 10)))
        var short = PlaintextPreamble(Array("S\u{16}\u{3}".utf8))
        short.dropLast(2)
        XCTAssertEqual(short.head, [0x53])
        XCTAssertEqual(short.tail, [0x53])
    }
}
