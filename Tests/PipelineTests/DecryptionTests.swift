import Foundation
import TLSDumpAnalysis
import TLSDumpPipeline
import TLSDumpTLS
import XCTest

/// Decryption with the key logs the real peers wrote while the bundled captures
/// were made: the decrypted handshake and alert sequence must equal what
/// tshark decrypts with the same key log (Fixtures/decrypted-sequences, made by
/// captures/tools/sequence.py) and what the client itself printed (`-msg`).
final class DecryptionTests: XCTestCase {
    static let keyed = ["aes-cbc-tls10", "aes-cbc-tls12", "certreq-initial-tls12", "chacha20-tls12", "client-renegotiation-accepted",
                        "client-renegotiation-refused", "ecdhe-tls12", "gnutls-tls12", "iis-renegotiation-rc4-md5", "iis-renegotiation-tls10",
                        "rc4-md5-tls10-gnutls", "renegotiation-no-client-cert-tls12", "renegotiation-refused-by-client", "tls13-pha", "tls13"]

    private func keys(_ name: String) throws -> KeyMaterial {
        var log = KeyLog()
        log.parse(bytes: Array(try Data(contentsOf: Paths.bundledCaptures.appendingPathComponent(name + ".keys"))))
        XCTAssertGreaterThan(log.count, 0, name)
        return KeyMaterial(keyLog: log)
    }

    private func run(_ name: String, keys: KeyMaterial) throws -> CollectingSink {
        try analyse(Paths.bundledCaptures.appendingPathComponent(name + ".pcap"), trace: true) { $0.config.keys = keys }
    }

    /// "C handshake ClientHello" / "S alert warning close_notify", from trace entries.
    private func sequence(_ sink: CollectingSink) -> [String] {
        sink.events.compactMap { e -> String? in
            guard case .trace(let t) = e.body else { return nil }
            let who = t.sender == .client ? "C" : "S"
            let detail = t.detail.hasPrefix("decrypted, ") ? String(t.detail.dropFirst("decrypted, ".count)) : t.detail
            switch t.contentType {
            case ContentType.handshake where !detail.hasPrefix("encrypted"): return "\(who) handshake \(detail)"
            case ContentType.alert where detail != "encrypted": return "\(who) alert \(detail)"
            default: return nil
            }
        }
    }

    /// tshark's view: "S [enc] alert warning(1) close_notify(0)" -> "S alert warning close_notify".
    private func tsharkSequence(_ name: String) throws -> [String] {
        let text = try String(contentsOf: Paths.fixtures.appendingPathComponent("decrypted-sequences/\(name).txt"), encoding: .utf8)
        return text.split(separator: "\n").map { line in
            let cleaned = line.replacingOccurrences(of: " [enc]", with: "")
                .replacingOccurrences(of: #"\(\d+\)"#, with: "", options: .regularExpression)
            return cleaned
        }
    }

    /// The client's own `openssl s_client -msg` lines, same shape.
    private func clientSequence(_ name: String) throws -> [String]? {
        let url = Paths.bundledCaptures.appendingPathComponent(name + ".msg.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8), text.contains(">>> ") else { return nil }
        var result: [String] = []
        for line in text.split(separator: "\n") {
            guard line.hasPrefix(">>> ") || line.hasPrefix("<<< ") else { continue }
            let who = line.hasPrefix(">>>") ? "C" : "S"
            guard let kindRange = line.range(of: #", (Handshake|Alert) \[length [0-9a-f]+\], "#, options: .regularExpression) else { continue }
            let kind = line[kindRange].contains("Handshake") ? "handshake" : "alert"
            result.append("\(who) \(kind) \(line[kindRange.upperBound...])")
        }
        return result
    }

    /// The client's own printout (`openssl s_client -msg`, saved when the
    /// capture was made) as the key file: its SSL-Session blocks open every
    /// TLS 1.0-1.2 capture whose client was s_client as the key log does, up
    /// to a renegotiation's new keys (s_client prints the first session only). The servers sent no session id (no
    /// cache, or tickets), so the blocks' master secrets are found by trying
    /// them on the first encrypted record, not by id.
    func testSClientPrintoutDecryptsLikeTheKeyLog() throws {
        let opensslClients = ["aes-cbc-tls10", "aes-cbc-tls12", "certreq-initial-tls12", "chacha20-tls12", "client-renegotiation-accepted",
                              "client-renegotiation-refused", "ecdhe-tls12", "iis-renegotiation-tls10",
                              "renegotiation-no-client-cert-tls12", "renegotiation-refused-by-client"]
        for name in opensslClients {
            var paste = KeyLog()
            paste.parse(bytes: Array(try Data(contentsOf: Paths.bundledCaptures.appendingPathComponent(name + ".msg.txt"))))
            XCTAssertGreaterThan(paste.sessionMasterSecrets.count, 0, name)
            let withPaste = try run(name, keys: KeyMaterial(keyLog: paste))
            let withKeyLog = try run(name, keys: keys(name))
            let decrypted = sequence(withPaste), full = sequence(withKeyLog)
            if name.contains("renegotiation") && !name.contains("refused") {
                // s_client prints the first session only: what the renegotiation's new keys protect
                // (its Finished messages and what follows) stays ciphertext; everything before is read.
                XCTAssertEqual(decrypted, Array(full.prefix(decrypted.count)), name)
                XCTAssertEqual(decrypted.filter { $0.hasSuffix("ClientHello") }.count, 2, "\(name): the renegotiation's hello, under the first keys")
            } else {
                XCTAssertEqual(decrypted, full, name)
            }
            XCTAssertTrue(decrypted.contains { $0.hasPrefix("C handshake") && $0.contains("Finished") }, "\(name): \(decrypted)")
            XCTAssertFalse(withPaste.findings.contains { $0.id.rawValue.hasPrefix("decryption") }, name)
            XCTAssertEqual(withPaste.connections.first?.summary.decrypted, true, name)
        }
    }

    /// A TLS 1.3 printout holds no usable key: the warning says why, not just "no keys".
    func testCLIExplainsATLS13SessionPaste() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("tls13.pcap").path
        let paste = Paths.bundledCaptures.appendingPathComponent("tls13.msg.txt").path
        let r = try runTLSDump(["-r", capture, "-k", paste, "--format", "json"])
        XCTAssertEqual(r.status, 0)
        let stderr = String(decoding: r.stderr, as: UTF8.self)
        XCTAssertTrue(stderr.contains("no keys found") && stderr.contains("1 SSL-Session block is TLS 1.3") && stderr.contains("-keylogfile"), stderr)
    }

    /// Keys that fit no connection: every candidate fails on the first
    /// encrypted record, nothing is called decrypted and no garbage is shown.
    func testSessionPasteOfAnotherConnectionDecryptsNothing() throws {
        var paste = KeyLog()
        paste.parse(bytes: Array(try Data(contentsOf: Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.msg.txt"))))
        let sink = try run("aes-cbc-tls12", keys: KeyMaterial(keyLog: paste))
        XCTAssertFalse(sequence(sink).contains { $0.contains("Finished") }, "\(sequence(sink))")
        XCTAssertEqual(sink.connections.count, 1)
        XCTAssertEqual(sink.connections.first?.summary.established, true, "the keyless story still holds")
        XCTAssertEqual(sink.connections.first?.summary.decrypted, false)
    }

    func testDecryptedSequencesMatchTsharkAndTheClient() throws {
        for name in DecryptionTests.keyed {
            let sink = try run(name, keys: keys(name))
            let ours = sequence(sink)
            var expected = try tsharkSequence(name)
            if name == "tls13-pha" {
                // tshark 4.0 restarts the client's record counter after the post-handshake Finished and cannot
                // decrypt the client's close_notify; the client's own log shows it was sent (checked below).
                expected.insert("C alert warning close_notify", at: expected.count - 1)
            }
            XCTAssertEqual(ours, expected, "\(name): decrypted sequence differs from tshark's")
            if let client = try clientSequence(name) {
                // The client's log ends when it exits: a prefix of the whole conversation.
                XCTAssertEqual(Array(ours.prefix(client.count)), client, "\(name): differs from the client's -msg log")
            }
            let (_, summary) = try XCTUnwrap(sink.connections.first, name)
            XCTAssertTrue(summary.decrypted, name)
            XCTAssertNil(summary.decryptionNote, name)
            XCTAssertFalse(sink.findings.contains { $0.id.rawValue.hasPrefix("decryption") }, "\(name): \(sink.findings.map(\.id.rawValue))")
        }
    }

    func testIISRenegotiationShowsTheCANamesAndTheClientCertificate() throws {
        for name in ["iis-renegotiation-tls10", "iis-renegotiation-rc4-md5"] {
            let sink = try run(name, keys: keys(name))
            let requests = sink.events.compactMap { e -> CertificateRequestEvent? in
                if case .certificateRequest(let r) = e.body { return r }
                return nil
            }
            XCTAssertEqual(requests.count, 1, name)
            let request = try XCTUnwrap(requests.first)
            XCTAssertEqual(request.phase, .renegotiation, name)
            XCTAssertTrue(request.encrypted && request.decrypted && !request.inferred, name)
            XCTAssertEqual(request.caNames, ["CN=tlsdump test CA,O=tlsdump"], name)
            XCTAssertTrue(request.afterApplicationData, name)
            let (_, c) = try XCTUnwrap(sink.connections.first)
            XCTAssertEqual(c.clientCertificate?.subject, "CN=client.test,O=tlsdump", name)
            XCTAssertEqual(c.certificateRequest, "renegotiation", name)
            XCTAssertFalse(c.certificateRequestInferred, "seen, not inferred: \(name)")
            XCTAssertEqual(c.clientAuthenticated, true, name)
            XCTAssertEqual(c.renegotiations, 1, name)
            XCTAssertEqual(c.handshakes[1].initiator, .server, name)
            XCTAssertEqual(c.handshakes[1].messages.first?.type, "HelloRequest", name)
            XCTAssertTrue(c.handshakes[1].messages.allSatisfy { $0.decrypted && !$0.inferred }, name)
            let hello = sink.events.compactMap { e -> HelloRequestEvent? in
                if case .helloRequest(let h) = e.body { return h }
                return nil
            }
            XCTAssertEqual(hello.map(\.inferred), [false], "a decrypted HelloRequest is seen, not inferred: \(name)")
            XCTAssertTrue(sink.findings.contains { $0.id.rawValue == "client_auth.via_renegotiation" }, name)
        }
    }

    func testTLS13PostHandshakeAuthenticationAndKeyUpdate() throws {
        let sink = try run("tls13-pha", keys: keys("tls13-pha"))
        let requests = sink.events.compactMap { e -> CertificateRequestEvent? in
            if case .certificateRequest(let r) = e.body { return r }
            return nil
        }
        XCTAssertEqual(requests.map(\.phase), [.postHandshake])
        XCTAssertEqual(requests.first?.caNames, ["CN=tlsdump test CA,O=tlsdump"])
        XCTAssertTrue(sink.findings.contains { $0.id.rawValue == "client_auth.post_handshake" })
        let updates = sink.events.compactMap { e -> KeyUpdateEvent? in
            if case .keyUpdate(let k) = e.body { return k }
            return nil
        }
        XCTAssertEqual(updates.map(\.sender), [.server])
        XCTAssertEqual(updates.first?.updateRequested, false)
        let (_, c) = try XCTUnwrap(sink.connections.first)
        XCTAssertEqual(c.certificateRequest, "post_handshake")
        XCTAssertEqual(c.clientCertificate?.subject, "CN=client.test,O=tlsdump")
    }

    func testServerRSAKeyDecryptsStaticRSAWithoutAKeyLog() throws {
        let pki = Paths.bundledCaptures.appendingPathComponent("pki")
        for (name, key) in [("aes-cbc-tls10", "server1024.key"), ("iis-renegotiation-tls10", "server1024.key"), ("aes-cbc-tls12", "server.key")] {
            let pem = try String(contentsOf: pki.appendingPathComponent(key), encoding: .utf8)
            let sink = try run(name, keys: KeyMaterial(rsaPrivateKeysPEM: [pem]))
            XCTAssertEqual(sequence(sink), try tsharkSequence(name), name)
            XCTAssertEqual(sink.connections.first?.summary.decrypted, true, name)
        }
    }

    func testWrongKeyGivesDecryptionErrorNotGarbage() throws {
        // ecdhe-tls12's own key log, lines rewritten to another capture's client random: no key for it.
        let sink = try run("chacha20-tls12", keys: keys("ecdhe-tls12"))
        let (_, c) = try XCTUnwrap(sink.connections.first)
        XCTAssertFalse(c.decrypted)
        XCTAssertEqual(c.decryptionNote, "no key for this connection in the key log or RSA keys")
        // A key log entry for the right client random with a wrong master secret: MAC failures.
        var log = KeyLog()
        let real = try String(contentsOf: Paths.bundledCaptures.appendingPathComponent("chacha20-tls12.keys"), encoding: .utf8)
        let broken = real.split(separator: "\n").map { line -> String in
            guard line.hasPrefix("CLIENT_RANDOM ") else { return String(line) }
            var fields = line.split(separator: " ").map(String.init)
            fields[2] = String(repeating: "ab", count: 48)
            return fields.joined(separator: " ")
        }.joined(separator: "\n")
        log.parse(broken)
        let wrong = try run("chacha20-tls12", keys: KeyMaterial(keyLog: log))
        XCTAssertTrue(wrong.findings.contains { $0.id.rawValue == "decryption_error" }, "\(wrong.findings.map(\.id.rawValue))")
        let (_, w) = try XCTUnwrap(wrong.connections.first)
        XCTAssertFalse(w.decrypted)
        XCTAssertTrue(w.established, "the encrypted view still tells the handshake completed")
        XCTAssertEqual(sequence(wrong).filter { $0.hasPrefix("C alert") || $0.hasPrefix("S alert") }, [], "no garbage alerts")
    }

    /// With every record read, what was not there is said (`"none"`, `false`);
    /// with the handshake read but the application records not (no traffic
    /// secrets), a post-handshake CertificateRequest could hide: unknown again.
    func testCertificateRequestIsNoneOnlyWhenNothingStayedHidden() throws {
        let all = try run("tls13", keys: keys("tls13"))
        let (_, c) = try XCTUnwrap(all.connections.first)
        XCTAssertTrue(c.decrypted)
        XCTAssertEqual(c.certificateRequest, "none")
        XCTAssertEqual(c.clientAuthenticated, false)
        XCTAssertTrue(c.unknownReasons.isEmpty, "\(c.unknownReasons)")

        var log = KeyLog()
        let real = try String(contentsOf: Paths.bundledCaptures.appendingPathComponent("tls13.keys"), encoding: .utf8)
        log.parse(real.split(separator: "\n").filter { !$0.contains("TRAFFIC_SECRET_0") }.joined(separator: "\n"))
        let handshakeOnly = try run("tls13", keys: KeyMaterial(keyLog: log))
        let (_, h) = try XCTUnwrap(handshakeOnly.connections.first)
        XCTAssertTrue(h.decrypted, "the handshake was read")
        XCTAssertEqual(h.handshakes.first?.decrypted, false, "a TLS 1.3 handshake starts in clear")
        XCTAssertNil(h.certificateRequest, "application records stayed ciphertext")
        XCTAssertEqual(h.unknownReasons.map(\.0), ["certificate_request"])

        let none = try run("tls13", keys: KeyMaterial())
        let (_, n) = try XCTUnwrap(none.connections.first)
        XCTAssertNil(n.certificateRequest)
        XCTAssertNil(n.clientAuthenticated)
    }

    func testCLIReadsKeyLogsAndDumpsHex() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap").path
        let keylog = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.keys").path
        let r = try runTLSDump(["-r", capture, "-k", keylog, "--format", "trace", "-x"])
        XCTAssertEqual(r.status, 0, String(decoding: r.stderr, as: UTF8.self))
        let trace = String(decoding: r.stdout, as: UTF8.self)
        XCTAssertTrue(trace.contains("decrypted, Finished"), trace)
        XCTAssertTrue(trace.contains("GET / HTTP/1.1"), "hex/ASCII dump of the request: \(trace)")
        let json = try runTLSDump(["-r", capture, "--keylog", keylog, "--format", "json", "--type", "connection"])
        let event = try XCTUnwrap(try jsonLines(json.stdout).first)
        XCTAssertEqual(event["decrypted"] as? Bool, true)
    }

    /// Issue 26 item 6: the dump's cuts are settable and printed where they happen.
    func testDumpLimitCutsAndLifts() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap").path
        let keylog = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.keys").path
        func trace(_ extra: [String]) throws -> String {
            let r = try runTLSDump(["-r", capture, "-k", keylog, "--format", "trace", "-x"] + extra)
            XCTAssertEqual(r.status, 0, String(decoding: r.stderr, as: UTF8.self))
            return String(decoding: r.stdout, as: UTF8.self)
        }
        func dumpedBytes(_ text: String) -> Int {
            // Each hex row: "      0000  47 45 54 ..." -> count the two-digit groups of the hex column.
            text.split(separator: "\n").filter { $0.hasPrefix("      ") && !$0.contains("...") }.reduce(0) { sum, line in
                let hex = line.dropFirst(12).prefix(47)
                return sum + hex.split(separator: " ").count
            }
        }
        let small = try trace(["--dump-limit", "16"])
        XCTAssertTrue(small.contains("GET / HTTP/1.1"), small)
        XCTAssertTrue(small.contains("more bytes (--dump-limit 16)"), small)
        let whole = try trace(["--dump-limit", "0"])
        XCTAssertFalse(whole.contains("more bytes"), whole)
        let standard = try trace([])
        XCTAssertGreaterThan(dumpedBytes(whole), dumpedBytes(small))
        XCTAssertGreaterThanOrEqual(dumpedBytes(whole), dumpedBytes(standard))
        if standard.contains("more bytes (--dump-limit 4096)") {
            XCTAssertGreaterThan(dumpedBytes(whole), dumpedBytes(standard), "0 shows what the default cut")
        }
        for bad in [["--dump-limit", "-1"], ["--dump-limit", "10", "--format", "json"]] {
            let r = try runTLSDump(["-r", capture, "-k", keylog] + (bad.contains("json") ? bad : ["--format", "trace", "-x"] + bad))
            XCTAssertNotEqual(r.status, 0, "\(bad)")
        }
    }
}
