import Foundation
import TLSDumpAnalysis
import TLSDumpTLS
import TLSDumpTrust
import XCTest

/// Findings and event details on real captures, each checked by hand against
/// tshark's view of the same capture.
final class FindingsTests: XCTestCase {
    private func findingIDs(_ path: URL) throws -> Set<String> {
        Set(try analyse(path).findings.map(\.id.rawValue))
    }

    private func shared(_ name: String) -> URL { Paths.sharedCaptures.appendingPathComponent(name) }
    private func bundled(_ name: String) -> URL { Paths.bundledCaptures.appendingPathComponent(name) }

    func testNegotiatedParameterFindings() throws {
        // Expected sets, checked with tshark (suite, version, compression, key sizes, validity).
        // Chains are judged against today's system store: the roots of these 2010s chains
        // (AddTrust, Equifax, StartCom) have been removed since (cert.untrusted), and their
        // SHA-1 signed leaves and intermediates raise cert.weak_signature.
        let expected: [(String, Set<String>)] = [
            ("zeek/tls1.2.pcap", ["weak_cipher.rc4", "weak_mac.md5", "cert.untrusted", "cert.weak_signature"]),
            ("zeek/tls1_1.pcap", ["old_protocol.tls1.1", "cert.untrusted", "cert.weak_signature"]),
            ("zeek/ssl.v3.pcap", ["old_protocol.tls1.0", "weak_cipher.rc4", "weak_key.rsa", "weak_mac.md5"]),
            ("zeek/ssl-v2.pcap", ["old_protocol.sslv2", "weak_cipher.3des", "weak_mac.md5", "cert.expired", "cert.self_signed"]),
            ("zeek/dhe.pcap", ["weak_key.dh", "cert.untrusted", "cert.weak_signature"]),
            ("zeek/pop3-starttls.pcap", ["client_auth.no_certificate", "compression.enabled", "weak_key.dh"]),
            ("zeek/tls-expired-cert.pcap", ["cert.expired", "old_protocol.tls1.0", "weak_key.dh", "cert.untrusted", "cert.weak_signature"]),
            ("zeek/ml-dsa-44-cert.pcap", ["cert.not_yet_valid", "cert.self_signed"]),
            ("zeek/certificate-with-sct.pcap", ["cert.sni_mismatch", "cert.untrusted"]),
            ("zeek/tls-1.2-handshake-failure.pcap", ["handshake.failed"]),
            ("zeek/https-to-http.pcap", ["not_tls", "handshake.failed"]),
            ("zeek/ecdhe.pcap", ["cert.untrusted", "cert.weak_signature"]),
            ("zeek/tls13_wolfssl.pcap", []),
        ]
        for (name, ids) in expected {
            XCTAssertEqual(try findingIDs(shared(name)), ids, name)
        }
    }

    func testFindingsCarrySeverityFromTheContract() throws {
        let sink = try analyse(shared("zeek/ssl-v2.pcap"))
        let bySeverity = Dictionary(uniqueKeysWithValues: sink.findings.map { ($0.id.rawValue, $0.severity) })
        XCTAssertEqual(bySeverity["old_protocol.sslv2"], .high)
        XCTAssertEqual(bySeverity["weak_cipher.3des"], .medium)
        XCTAssertEqual(bySeverity["cert.self_signed"], .low)
        for f in sink.findings { XCTAssertFalse(f.message.isEmpty) }
    }

    func testBundledWeakChoices() throws {
        // The brief's story: TLS 1.0, RC4-MD5, 1024-bit server key.
        let ids = try findingIDs(bundled("iis-renegotiation-rc4-md5.pcap"))
        XCTAssertTrue(ids.isSuperset(of: ["old_protocol.tls1.0", "weak_cipher.rc4", "weak_mac.md5", "weak_key.rsa"]), "\(ids)")
        let gnutls = try findingIDs(bundled("rc4-md5-tls10-gnutls.pcap"))
        XCTAssertTrue(gnutls.isSuperset(of: ["old_protocol.tls1.0", "weak_cipher.rc4", "weak_mac.md5", "weak_key.rsa"]), "\(gnutls)")
        // Its chain is the test PKI's (captures/pki): trusted with that root, untrusted with the system's.
        let testRoot = ChainValidator(anchors: TrustAnchors(caFiles: [Paths.packageRoot.appendingPathComponent("captures/pki/ca.pem").path]))
        XCTAssertEqual(Set(try analyse(bundled("ecdhe-tls12.pcap")) { $0.config.validator = testRoot }.findings.map(\.id.rawValue)), [])
        XCTAssertEqual(try findingIDs(bundled("ecdhe-tls12.pcap")), ["cert.untrusted"])
    }

    func testCertificateRequestInTheFirstHandshake() throws {
        let sink = try analyse(bundled("certreq-initial-tls12.pcap"))
        let requests = sink.events.compactMap { e -> CertificateRequestEvent? in
            if case .certificateRequest(let r) = e.body { return r }
            return nil
        }
        XCTAssertEqual(requests.count, 1)
        let request = try XCTUnwrap(requests.first)
        XCTAssertEqual(request.phase, .initial)
        XCTAssertEqual(request.handshake, 0)
        XCTAssertFalse(request.afterApplicationData)
        XCTAssertEqual(request.caNames, ["CN=tlsdump test CA,O=tlsdump"])
        XCTAssertEqual(request.certificateTypes?.isEmpty, false)
        XCTAssertEqual(request.signatureAlgorithms?.isEmpty, false)
        let (_, summary) = try XCTUnwrap(sink.connections.first)
        XCTAssertEqual(summary.certificateRequest, "initial")
        XCTAssertEqual(summary.clientAuthenticated, true)
        XCTAssertEqual(summary.clientCertificate?.subject, "CN=client.test,O=tlsdump")
        XCTAssertEqual(summary.serverCertificate?.subject, "CN=server.test,O=tlsdump")
        XCTAssertEqual(summary.serverCertificate?.keyBits, 2048)
    }

    func testPlainHandshakeSummary() throws {
        let sink = try analyse(bundled("ecdhe-tls12.pcap"))
        let (flow, c) = try XCTUnwrap(sink.connections.first)
        XCTAssertEqual(sink.connections.count, 1)
        XCTAssertEqual(c.version, ProtocolVersion.tls12)
        XCTAssertEqual(c.cipherSuite, 0xc030)
        XCTAssertEqual(c.sni, "server.test")
        XCTAssertTrue(c.established)
        XCTAssertEqual(c.resumed, false)
        XCTAssertEqual(c.secureRenegotiation, true)
        XCTAssertEqual(c.renegotiations, 0)
        XCTAssertEqual(c.certificateRequest, "none")
        XCTAssertEqual(c.clientAuthenticated, false)
        XCTAssertEqual(c.gaps, 0)
        XCTAssertEqual(flow.server.port, flow.server.port)
        let messages = c.handshakes[0].messages.map { ($0.sender == .client ? ">" : "<") + ($0.type ?? "?") }
        XCTAssertEqual(messages, [">ClientHello", "<ServerHello", "<Certificate", "<ServerKeyExchange", "<ServerHelloDone",
                                  ">ClientKeyExchange", ">Finished", "<Finished"])
        XCTAssertEqual(c.handshakes[0].messages.filter(\.inferred).count, 2, "both Finished are inferred from ciphertext")
        let done = sink.events.compactMap { e -> HandshakeDoneEvent? in
            if case .handshakeDone(let d) = e.body { return d }
            return nil
        }
        XCTAssertEqual(done.count, 1)
        XCTAssertEqual(done.first?.clientAuthenticated, false)
    }

    func testTLS13HidesTheCertificateRequestSoItIsUnknownNotNone() throws {
        let sink = try analyse(bundled("tls13.pcap"))
        let (_, c) = try XCTUnwrap(sink.connections.first)
        XCTAssertEqual(c.version, ProtocolVersion.tls13)
        XCTAssertTrue(c.established)
        XCTAssertNil(c.certificateRequest)
        XCTAssertNil(c.secureRenegotiation, "RFC 5746 does not apply to TLS 1.3")
        XCTAssertEqual(c.unknownReasons.first?.0, "certificate_request")
    }

    func testStartTLSIsFoundAfterPlaintext() throws {
        for name in ["zeek/smtp-starttls.pcap", "zeek/imap-starttls.pcap", "zeek/xmpp-starttls.pcap", "ja4/https-connect.pcap"] {
            let sink = try analyse(shared(name))
            XCTAssertFalse(sink.connections.isEmpty, name)
            XCTAssertTrue(sink.connections.allSatisfy { $0.summary.established }, name)
        }
    }

    func testLostClientHelloLeavesSecureRenegotiationUnknown() throws {
        // socks4-https.pcap lost the client's first 201 bytes (its ClientHello) in capture.
        let sink = try analyse(shared("ja4/socks4-https.pcap"))
        let (_, c) = try XCTUnwrap(sink.connections.first)
        XCTAssertEqual(c.gaps, 201)
        XCTAssertNil(c.secureRenegotiation)
        XCTAssertTrue(sink.findings.contains { $0.id.rawValue == "stream.gap" })
    }

    func testMidstreamPickupKeepsTheWellKnownPortAsServer() throws {
        let sink = try analyse(shared("ja4/latest.pcapng"))
        let midstream = sink.connections.filter { $0.flow.client.port == 52930 }
        XCTAssertEqual(midstream.count, 1)
        XCTAssertEqual(midstream.first?.flow.server.port, 443)
        XCTAssertTrue(midstream.first?.summary.alerts.allSatisfy(\.encrypted) == true, "mid-stream alerts are ciphertext")
    }

    func testHandshakeListCapKeepsNumbersAndNeverTraps() throws {
        // A cap of 1 used to remove(at: 1) from a one-element list; numbering must not drift either.
        let sink = try analyse(bundled("iis-renegotiation-tls10.pcap")) { $0.config.maxHandshakesPerConnection = 1 }
        let (_, c) = try XCTUnwrap(sink.connections.first)
        XCTAssertEqual(c.handshakes.map(\.index), [0, 1])
        XCTAssertEqual(c.renegotiations, 1)
    }
}
