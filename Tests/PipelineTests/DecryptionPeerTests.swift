import Foundation
import TLSDumpAnalysis
import TLSDumpTLS
import XCTest

/// Issue 26, real peers on loopback (Peers/scenario.sh): decryption that needs
/// more than one connection's own key exchange.
final class DecryptionPeerTests: XCTestCase {
    private func serverKey() throws -> KeyMaterial {
        let pem = try String(contentsOf: Paths.packageRoot.appendingPathComponent("captures/pki/server.key"), encoding: .utf8)
        return KeyMaterial(rsaPrivateKeysPEM: [pem])
    }

    private func keyLog(_ run: Scenario.Run) throws -> KeyMaterial {
        var log = KeyLog()
        log.parse(bytes: Array(try Data(contentsOf: run.pcap.deletingPathExtension().appendingPathExtension("keys"))))
        return KeyMaterial(keyLog: log)
    }

    /// Item 2: a full static-RSA handshake, then five connections resuming it
    /// (s_client -reconnect). With the server's RSA key only, the resumed
    /// connections take the first one's master secret, by session id or by
    /// ticket (a stateless server: no session id to find it by).
    private func checkResumption(_ name: String) throws {
        let run = try Scenario.run(name, test: self)
        defer { run.keepFilesIfFailed() }
        let keyless = run.sink.connections.map(\.summary)
        XCTAssertEqual(keyless.count, 6, name)
        XCTAssertEqual(keyless.map(\.resumed), [false, true, true, true, true, true], name)
        for keys in [try serverKey(), try keyLog(run)] {
            let keyed = try analyse(run.pcap) { $0.config.keys = keys }.connections.map(\.summary)
            XCTAssertEqual(keyed.count, 6, name)
            XCTAssertEqual(keyed.map(\.decrypted), Array(repeating: true, count: 6), "\(name): every connection decrypts")
            XCTAssertEqual(keyed.map(\.resumed), keyless.map(\.resumed), "\(name): keys add, never contradict")
            XCTAssertNil(keyed.compactMap(\.decryptionNote).first, name)
        }
    }

    func testResumptionBySessionIDWithTheServerKey() throws { try checkResumption("resumption-id-rsa-tls12") }
    func testResumptionByTicketWithTheServerKey() throws { try checkResumption("resumption-ticket-rsa-tls12") }
}

/// Item 1: TLS 1.3 0-RTT between OpenSSL peers (s_client -sess_in -early_data,
/// s_server -early_data), accepted and rejected, with and without the
/// CLIENT_EARLY_TRAFFIC_SECRET line: early data opens when its secret is there,
/// is shown as early data when not, and the rest of the connection decrypts.
final class EarlyDataPeerTests: XCTestCase {
    private func details(_ sink: CollectingSink) -> [(detail: String, payload: [UInt8]?)] {
        sink.events.compactMap { if case .trace(let t) = $0.body, t.sender == .client { return (t.detail, t.payload) } else { return nil } }
    }

    private func check(_ name: String) throws {
        let run = try Scenario.run(name, test: self)
        defer { run.keepFilesIfFailed() }
        let keyText = try String(contentsOf: run.pcap.deletingPathExtension().appendingPathExtension("keys"), encoding: .utf8)
        XCTAssertTrue(keyText.contains("CLIENT_EARLY_TRAFFIC_SECRET"), name)
        for withEarlySecret in [true, false] {
            var log = KeyLog()
            log.parse(keyText.split(separator: "\n").filter { withEarlySecret || !$0.hasPrefix("CLIENT_EARLY_TRAFFIC_SECRET") }.joined(separator: "\n"))
            let sink = try analyse(run.pcap, trace: true) {
                $0.config.keys = KeyMaterial(keyLog: log)
                $0.config.tracePayloads = true
            }
            let label = "\(name), early secret \(withEarlySecret)"
            XCTAssertEqual(sink.connections.count, 2, label)
            XCTAssertFalse(sink.findings.contains { $0.id.rawValue.hasPrefix("decryption") },
                           "\(label): \(sink.findings.filter { $0.id.rawValue.hasPrefix("decryption") }.map(\.message))")
            XCTAssertTrue(sink.connections.allSatisfy { $0.summary.decrypted }, label)
            let resumed = try XCTUnwrap(sink.connections.last?.summary)
            // The client's Finished after the early data was read.
            XCTAssertTrue(resumed.handshakes.first?.messages.contains { $0.sender == .client && $0.type == "Finished" && $0.decrypted } == true, label)
            let lines = details(sink)
            let early = lines.filter { $0.detail == "decrypted early data (0-RTT)" }
            if withEarlySecret {
                XCTAssertEqual(early.count, 1, label)
                XCTAssertEqual(early.first?.payload.map { String(decoding: $0.prefix(10), as: UTF8.self) }, "GET /early", label)
            } else {
                XCTAssertTrue(early.isEmpty, label)
                XCTAssertGreaterThanOrEqual(lines.filter { $0.detail == "early data (0-RTT), not decrypted" }.count, 1, label)
            }
        }
    }

    func testEarlyDataAccepted() throws { try check("early-data-accepted-tls13") }
    func testEarlyDataRejectedByTheServer() throws { try check("early-data-rejected-tls13") }
}

/// Item 5: PSK suites and AES-CCM between OpenSSL peers (s_server -psk): TLS 1.2
/// PSK-AES128-CCM, PSK-AES128-CCM8 and RSA-PSK-AES128-GCM-SHA256 with --psk
/// (and the server key for RSA-PSK), TLS 1.3 AES-128-CCM and CCM_8 with the key log.
final class PSKPeerTests: XCTestCase {
    private func requests(_ sink: CollectingSink) -> Int {
        sink.events.filter {
            if case .trace(let t) = $0.body, let payload = t.payload { return String(decoding: payload.prefix(8), as: UTF8.self) == "GET /psk" }
            return false
        }.count
    }

    func testPSKAndCCMSuites() throws {
        let run = try Scenario.run("psk-ccm", test: self)
        defer { run.keepFilesIfFailed() }
        let suites = run.sink.connections.map { $0.summary.cipherSuite }
        XCTAssertEqual(suites, [0xc0a4, 0xc0a8, 0x00ac, 0xccac, 0x1304, 0x1305])
        let pem = try String(contentsOf: Paths.packageRoot.appendingPathComponent("captures/pki/server.key"), encoding: .utf8)
        func analysed(_ keys: KeyMaterial) throws -> CollectingSink {
            try analyse(run.pcap, trace: true) { $0.config.keys = keys; $0.config.tracePayloads = true }
        }
        var pskKeys = KeyMaterial(rsaPrivateKeysPEM: [pem])
        pskKeys.preSharedKeys = [try XCTUnwrap(PreSharedKey(argument: "client1:00112233445566778899aabbccddeeff"))]
        let withPSK = try analysed(pskKeys)
        XCTAssertEqual(withPSK.connections.map { $0.summary.decrypted }, [true, true, true, false, false, false])
        XCTAssertEqual(requests(withPSK), 3)
        XCTAssertTrue(withPSK.findings.contains { $0.id.rawValue == "decryption_unsupported" && $0.message.contains("(EC)DHE") },
                      "ECDHE-PSK: the PSK alone cannot open it, and tlsdump says so")
        var log = KeyLog()
        log.parse(bytes: Array(try Data(contentsOf: run.pcap.deletingPathExtension().appendingPathExtension("keys"))))
        let withLog = try analysed(KeyMaterial(keyLog: log))
        XCTAssertEqual(withLog.connections.map { $0.summary.decrypted }, [true, true, true, true, true, true])
        XCTAssertEqual(requests(withLog), 6)
        XCTAssertFalse(withLog.findings.contains { $0.id.rawValue.hasPrefix("decryption") })
        // A wrong PSK opens nothing and says so; a PSK for another identity is not tried.
        var wrong = KeyMaterial()
        wrong.preSharedKeys = [PreSharedKey(identity: nil, key: [UInt8](repeating: 0x11, count: 16))]
        let withWrong = try analysed(wrong)
        XCTAssertEqual(withWrong.connections.map { $0.summary.decrypted }, [false, false, false, false, false, false])
        XCTAssertTrue(withWrong.findings.contains { $0.id.rawValue == "decryption_error" })
        var other = KeyMaterial()
        other.preSharedKeys = [PreSharedKey(identity: Array("client2".utf8), key: [UInt8](repeating: 0x11, count: 16))]
        XCTAssertTrue(try analysed(other).findings.contains { $0.id.rawValue == "decryption_unsupported" && $0.message.contains("client1") })
    }
}

/// Item 8: certificates with thousands of names from a real s_server. 10,000
/// names (~280 KB, over the 256 KiB message cap) are read whole: chain,
/// fingerprint, validation. 40,000 names (~1.1 MB, over 1 MiB) stay in the
/// ladder with their length, raise tls.oversized_message (not tls.malformed),
/// and validation says why it did not run.
final class LargeCertificatePeerTests: XCTestCase {
    func testLargeCertificates() throws {
        let run = try Scenario.run("large-certificate", test: self)
        defer { run.keepFilesIfFailed() }
        let connections = run.sink.connections.map(\.summary)
        XCTAssertEqual(connections.count, 2)
        XCTAssertFalse(run.findingIDs.contains("tls.malformed"), "\(run.findingIDs)")
        let read = try XCTUnwrap(connections.first)
        let readCertificate = try XCTUnwrap(read.handshakes.first?.messages.first { $0.type == "Certificate" })
        XCTAssertGreaterThan(readCertificate.length, 256 * 1024)
        XCTAssertNotNil(read.serverCertificate?.sha256)
        XCTAssertNotEqual(read.validation?.status, .notChecked)
        XCTAssertEqual(read.serverCertificate?.subject, "CN=big.test")
        let skipped = try XCTUnwrap(connections.last)
        let skippedCertificate = try XCTUnwrap(skipped.handshakes.first?.messages.first { $0.type == "Certificate" })
        XCTAssertGreaterThan(skippedCertificate.length, 1024 * 1024)
        XCTAssertNil(skipped.serverCertificate)
        XCTAssertEqual(skipped.validation?.status, .notChecked)
        XCTAssertTrue(skipped.validation?.reason?.contains("over the 1048576-byte limit") == true, "\(String(describing: skipped.validation?.reason))")
        XCTAssertEqual(run.sink.findings.filter { $0.id.rawValue == "tls.oversized_message" }.count, 1)
        XCTAssertEqual(LargeMessageBudget.shared.inUse, 0, "every large message gave its memory back")
    }
}

/// Item 4: SSL 3.0 between tlslite-ng peers, static RSA, decrypted with the
/// server's key: RC4-MD5, RC4-SHA, AES128-SHA and 3DES-EDE-CBC-SHA.
final class SSL3PeerTests: XCTestCase {
    func testSSL3WithTheServerKey() throws {
        let run = try Scenario.run("ssl3-tlslite", test: self)
        defer { run.keepFilesIfFailed() }
        XCTAssertEqual(run.sink.connections.map { $0.summary.version }, [0x0300, 0x0300, 0x0300, 0x0300])
        XCTAssertEqual(run.sink.connections.map { $0.summary.cipherSuite }, [0x0004, 0x0005, 0x002f, 0x000a])
        let pem = try String(contentsOf: Paths.packageRoot.appendingPathComponent("captures/pki/server.key"), encoding: .utf8)
        let sink = try analyse(run.pcap, trace: true) {
            $0.config.keys = KeyMaterial(rsaPrivateKeysPEM: [pem])
            $0.config.tracePayloads = true
        }
        XCTAssertEqual(sink.connections.map { $0.summary.decrypted }, [true, true, true, true])
        XCTAssertFalse(sink.findings.contains { $0.id.rawValue.hasPrefix("decryption") }, "\(sink.findings.map(\.message))")
        // Each client's request, whole (the CBC ones split 1/n-1 by tlslite-ng) in its connection's plaintext.
        var plaintext: [String: [UInt8]] = [:]
        for event in sink.events {
            if case .trace(let t) = event.body, t.sender == .client, t.contentType == 23, let payload = t.payload, let flow = event.flow {
                plaintext[flow.flowID, default: []] += payload
            }
        }
        let requests = Set(plaintext.values.map { String(decoding: $0, as: UTF8.self) })
        XCTAssertEqual(requests, ["GET /ssl3 rc4-md5", "GET /ssl3 rc4-sha", "GET /ssl3 aes128-sha", "GET /ssl3 3des-sha"])
    }
}

/// Item 2 on one connection: a TLS 1.2 client renegotiates by resuming its own
/// session (SSL_renegotiate_abbreviated, captures/tools/openssl-resuming-renegotiation.c)
/// against s_server, by session id and by ticket. With the server's RSA key, or
/// a key log holding only the first handshake's line, the abbreviated handshake
/// takes the first one's master secret and what follows decrypts; without keys
/// the renegotiation is never `decrypted`.
final class ResumedRenegotiationPeerTests: XCTestCase {
    private func check(_ name: String) throws {
        let run = try Scenario.run(name, test: self)
        defer { run.keepFilesIfFailed() }
        let keyless = try run.connection()
        XCTAssertEqual(keyless.handshakes.count, 2, name)
        XCTAssertEqual(keyless.handshakes.last?.decrypted, false, name)
        let pem = try String(contentsOf: Paths.packageRoot.appendingPathComponent("captures/pki/server.key"), encoding: .utf8)
        let lines = try String(contentsOf: run.pcap.deletingPathExtension().appendingPathExtension("keys"), encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("CLIENT_RANDOM ") }
        XCTAssertEqual(lines.count, 2, "\(name): one line per handshake")
        var firstOnly = KeyLog()
        firstOnly.parse(String(lines[0]))
        for (label, keys) in [("--rsa-key", KeyMaterial(rsaPrivateKeysPEM: [pem])), ("first key log line", KeyMaterial(keyLog: firstOnly))] {
            let sink = try analyse(run.pcap, trace: true) { $0.config.keys = keys; $0.config.tracePayloads = true }
            let c = try XCTUnwrap(sink.connections.first?.summary)
            let renegotiation = try XCTUnwrap(c.handshakes.last)
            XCTAssertEqual(renegotiation.messages.map { $0.type ?? "?" }, ["ClientHello", "ServerHello", "Finished", "Finished"], "\(name) \(label)")
            XCTAssertTrue(renegotiation.decrypted, "\(name) \(label)")
            XCTAssertTrue(renegotiation.messages.allSatisfy(\.decrypted), "\(name) \(label)")
            XCTAssertFalse(sink.findings.contains { $0.id.rawValue.hasPrefix("decryption") }, "\(name) \(label): \(sink.findings.map(\.message))")
            let after = sink.events.contains {
                if case .trace(let t) = $0.body, t.sender == .client, let p = t.payload { return String(decoding: p, as: UTF8.self).contains("after-renegotiation") }
                return false
            }
            XCTAssertTrue(after, "\(name) \(label): the request after the renegotiation was read")
        }
    }

    func testRenegotiationResumingBySessionID() throws { try check("renegotiation-resumed-id-tls12") }
    func testRenegotiationResumingByTicket() throws { try check("renegotiation-resumed-ticket-tls12") }
}

/// Item 10 from real peers: the capture filter drops the server's data-less FIN
/// while the client acknowledges it (one past the server's last byte): no byte
/// was lost, so no stream.gap.
final class UncapturedFINPeerTests: XCTestCase {
    func testAckOfAnUncapturedFINIsNoGap() throws {
        let run = try Scenario.run("uncaptured-server-fin", test: self)
        defer { run.keepFilesIfFailed() }
        let c = try run.connection()
        XCTAssertEqual(c.handshakes.first?.outcome, .completed)
        XCTAssertNil(run.finding("stream.gap"), "\(run.findingIDs)")
    }
}

/// Item 9 from real peers: TLS 1.2 (Python's ssl, OpenSSL) inside WebSocket
/// frames after an HTTP Upgrade; the client's frames are masked. The server's
/// hello, found inside the frames, is told as seen: no handshake.failed, no
/// tls.malformed for the frame headers between its records.
final class TLSInWebSocketPeerTests: XCTestCase {
    func testServerHelloInsideWebSocketFrames() throws {
        let run = try Scenario.run("tls-in-websocket", test: self)
        defer { run.keepFilesIfFailed() }
        let c = try run.connection()
        XCTAssertEqual(c.handshakes.first?.messages.first?.type, "ServerHello")
        XCTAssertEqual(c.handshakes.first?.messages.first?.sender, .server)
        XCTAssertFalse(run.findingIDs.contains("tls.malformed"), "\(run.findingIDs)")
        XCTAssertFalse(run.findingIDs.contains("handshake.failed"), "\(run.findingIDs)")
    }
}

/// Item 4, 3DES beyond SSL 3.0: TLS 1.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA between GnuTLS
/// peers, decrypted with the client's key log and with the server's RSA key.
final class TripleDESPeerTests: XCTestCase {
    func testTLS12TripleDES() throws {
        let run = try Scenario.run("des3-tls12-gnutls", test: self)
        defer { run.keepFilesIfFailed() }
        XCTAssertEqual(try run.connection().cipherSuite, 0x000a)
        var log = KeyLog()
        log.parse(bytes: Array(try Data(contentsOf: run.pcap.deletingPathExtension().appendingPathExtension("keys"))))
        let pem = try String(contentsOf: Paths.packageRoot.appendingPathComponent("captures/pki/server.key"), encoding: .utf8)
        for keys in [KeyMaterial(keyLog: log), KeyMaterial(rsaPrivateKeysPEM: [pem])] {
            let sink = try analyse(run.pcap, trace: true) { $0.config.keys = keys; $0.config.tracePayloads = true }
            XCTAssertEqual(sink.connections.first?.summary.decrypted, true)
            XCTAssertFalse(sink.findings.contains { $0.id.rawValue.hasPrefix("decryption") }, "\(sink.findings.map(\.message))")
            let echoed = sink.events.filter {
                if case .trace(let t) = $0.body, let p = t.payload { return String(decoding: p, as: UTF8.self) == "GET /3des-tls12\n" }
                return false
            }
            XCTAssertEqual(echoed.count, 2, "the line and its echo")
        }
    }
}
