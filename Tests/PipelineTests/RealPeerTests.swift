import Foundation
import TLSDumpAnalysis
import TLSDumpTLS
import XCTest

/// Renegotiation and CertificateRequest timing told from live conversations
/// between real OpenSSL 3.0 / GnuTLS 3.7 peers on loopback, captured by
/// Peers/scenario.sh and analysed in-process with NO keys: the ciphertext
/// alone must tell the story (project issue 3, the IIS pattern).
///
/// Each test runs one scenario (about a second each, sequentially). A missing
/// tool (openssl, gnutls-bin, tcpdump, gcc + libgnutls28-dev) or a capture
/// that cannot be taken fails the test with the script's message: nothing is
/// skipped. The scenario's files are kept when a test fails.
final class RealPeerTests: XCTestCase {
    // MARK: - Scenarios

    /// 1. IIS: plain TLS 1.0 AES128-SHA handshake with a 1024-bit key, the client's
    /// GET, then HelloRequest and a CertificateRequest in the renegotiation; the
    /// client sends a certificate and CertificateVerify.
    func testIISRenegotiationTLS10() throws {
        let run = try Scenario.run("iis-renegotiation-tls10", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.version, ProtocolVersion.tls10)
        XCTAssertEqual(c.cipherSuite, 0x002f)
        assertServerRenegotiationWithClientCertificate(run)
        XCTAssertEqual(run.renegotiationEvents(handshake: 1).map(\.outcome), [.unknown, .completed],
                       "a renegotiation event at the start (outcome unknown), then one with the outcome")
        XCTAssertTrue(run.findingIDs.isSuperset(of: ["old_protocol.tls1.0", "weak_key.rsa"]), "\(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 2. The same on TLS 1.2 ECDHE-RSA-AES128-GCM; the client has no certificate
    /// and answers the CertificateRequest with an empty Certificate (7 bytes).
    func testServerRenegotiationWithoutClientCertificateTLS12() throws {
        let run = try Scenario.run("renegotiation-no-client-cert-tls12", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.version, ProtocolVersion.tls12)
        XCTAssertEqual(c.cipherSuite, 0xc02f)
        assertRenegotiation(run, initiator: .server, outcome: .completed, secure: true)
        XCTAssertTrue(run.findingIDs.contains("renegotiation.server_initiated"), "\(run.findingIDs)")
        // The server still asked only in the renegotiation (the IIS pattern); the client's reply was
        // exactly 7 bytes (an empty Certificate) larger than its first key exchange, which AES-GCM
        // sizes show to the byte: the finding says no certificate was sent, and no_certificate follows.
        let via = try XCTUnwrap(run.finding("client_auth.via_renegotiation"))
        XCTAssertTrue(via.evidence.fields.contains { $0.0 == "client_certificate_sent" && $0.1 == .bool(false) }, describe(via))
        XCTAssertTrue(via.evidence.fields.contains { $0.0 == "extra_client_bytes" && $0.1 == .int(7) }, describe(via))
        XCTAssertTrue(via.evidence.fields.contains { $0.0 == "inferred" && $0.1 == .bool(true) }, describe(via))
        XCTAssertTrue(run.findingIDs.contains("client_auth.no_certificate"), "\(run.findingIDs)")
        XCTAssertEqual(c.clientAuthenticated, false, "the client sent an empty Certificate")
        XCTAssertEqual(c.certificateRequest, "renegotiation")
        XCTAssertTrue(c.certificateRequestInferred)
        run.keepFilesIfFailed()
    }

    /// 3. Server renegotiation without a CertificateRequest (s_server command r).
    func testServerRenegotiationWithoutCertificateRequest() throws {
        let run = try Scenario.run("server-renegotiation-no-certreq-tls12", test: self)
        let c = try run.connection()
        assertRenegotiation(run, initiator: .server, outcome: .completed, secure: true)
        XCTAssertTrue(run.findingIDs.contains("renegotiation.server_initiated"), "\(run.findingIDs)")
        XCTAssertEqual(run.helloRequests.filter { $0.handshake == 1 && $0.inferred }.count, 1, "one inferred HelloRequest")
        XCTAssertFalse(run.findingIDs.contains("client_auth.via_renegotiation"), "\(run.findingIDs)")
        XCTAssertTrue(run.certificateRequests.isEmpty, "no CertificateRequest was sent")
        XCTAssertTrue(c.certificateRequest == nil || c.certificateRequest == "none", "\(c.certificateRequest ?? "nil")")
        XCTAssertNotEqual(c.clientAuthenticated, true)
        run.keepFilesIfFailed()
    }

    /// 4. The client renegotiates (s_client command R), the server allows it
    /// (-client_renegotiation).
    func testClientRenegotiationAccepted() throws {
        let run = try Scenario.run("client-renegotiation-accepted", test: self)
        assertRenegotiation(run, initiator: .client, outcome: .completed, secure: true)
        XCTAssertTrue(run.findingIDs.contains("renegotiation.client_initiated"), "\(run.findingIDs)")
        XCTAssertFalse(run.findingIDs.contains("renegotiation.server_initiated"), "\(run.findingIDs)")
        XCTAssertTrue(run.helloRequests.isEmpty, "the client started it: no HelloRequest")
        XCTAssertFalse(run.findingIDs.contains("client_auth.via_renegotiation"), "\(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 5. The client renegotiates, the OpenSSL 3 server refuses by default: an
    /// encrypted warning (no_renegotiation), then the client's fatal alert.
    func testClientRenegotiationRefusedByServer() throws {
        let run = try Scenario.run("client-renegotiation-refused", test: self)
        assertRenegotiation(run, initiator: .client, outcome: .refused, secure: true)
        XCTAssertTrue(run.findingIDs.isSuperset(of: ["renegotiation.client_initiated", "renegotiation.refused"]), "\(run.findingIDs)")
        XCTAssertFalse(run.findingIDs.contains("renegotiation.failed"), "a refusal, not a failure: \(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 6. The server sends HelloRequest, the client refuses (s_client -no_renegotiation).
    func testServerRenegotiationRefusedByClient() throws {
        let run = try Scenario.run("renegotiation-refused-by-client", test: self)
        assertRenegotiation(run, initiator: .server, outcome: .refused, secure: true)
        XCTAssertTrue(run.findingIDs.isSuperset(of: ["renegotiation.server_initiated", "renegotiation.refused"]), "\(run.findingIDs)")
        XCTAssertFalse(run.findingIDs.contains("client_auth.via_renegotiation"), "\(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 7. CertificateRequest in the first (clear) handshake, client certificate sent.
    func testCertificateRequestInTheFirstHandshake() throws {
        let run = try Scenario.run("certreq-initial-tls12", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.renegotiations, 0)
        XCTAssertTrue(run.renegotiationEvents(handshake: nil).isEmpty)
        XCTAssertEqual(run.certificateRequests.count, 1)
        let request = try XCTUnwrap(run.certificateRequests.first)
        XCTAssertEqual(request.handshake, 0)
        XCTAssertEqual(request.phase, .initial)
        XCTAssertFalse(request.inferred)
        XCTAssertFalse(request.afterApplicationData)
        XCTAssertEqual(request.caNames, ["CN=tlsdump test CA,O=tlsdump"])
        XCTAssertEqual(c.certificateRequest, "initial")
        XCTAssertEqual(c.clientAuthenticated, true)
        XCTAssertEqual(c.clientCertificate?.subject, "CN=client.test,O=tlsdump")
        XCTAssertFalse(run.findingIDs.contains { $0.hasPrefix("renegotiation.") || $0 == "client_auth.via_renegotiation" },
                       "\(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 8a. GnuTLS both sides, TLS 1.0 RC4-MD5, 1024-bit key: the weak choices.
    func testRC4MD5TLS10WithGnuTLS() throws {
        let run = try Scenario.run("rc4-md5-tls10-gnutls", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.cipherSuite, 0x0004)
        XCTAssertEqual(c.renegotiations, 0)
        XCTAssertTrue(run.findingIDs.isSuperset(of: ["weak_cipher.rc4", "weak_mac.md5", "old_protocol.tls1.0", "weak_key.rsa"]),
                      "\(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 8b. The IIS story with its original suite (RC4-MD5, TLS 1.0, 1024-bit key),
    /// GnuTLS's reneg server (captures/tools/gnutls-reneg-server.c) and gnutls-cli.
    func testIISRenegotiationRC4MD5WithGnuTLS() throws {
        let run = try Scenario.run("iis-renegotiation-rc4-md5", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.cipherSuite, 0x0004)
        assertServerRenegotiationWithClientCertificate(run)
        XCTAssertTrue(run.findingIDs.isSuperset(of: ["weak_cipher.rc4", "weak_mac.md5", "old_protocol.tls1.0", "weak_key.rsa"]),
                      "\(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 9. TLS 1.3 post-handshake authentication and a KeyUpdate: all of it is
    /// encrypted, the authentication is inferred from record sizes without
    /// keys, and none of it is a renegotiation.
    func testTLS13PostHandshakeAuthAndKeyUpdateAreNotRenegotiations() throws {
        let run = try Scenario.run("tls13-pha-keyupdate", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.version, ProtocolVersion.tls13)
        XCTAssertTrue(c.established)
        XCTAssertEqual(c.renegotiations, 0)
        XCTAssertEqual(c.handshakes.count, 1)
        XCTAssertTrue(run.renegotiationEvents(handshake: nil).isEmpty)
        XCTAssertTrue(run.helloRequests.isEmpty)
        XCTAssertFalse(run.findingIDs.contains { $0.hasPrefix("renegotiation.") || $0 == "client_auth.via_renegotiation" },
                       "\(run.findingIDs)")
        // The post-handshake CertificateRequest is hidden, but its record sizes tell it (issue 28): inferred.
        XCTAssertEqual(c.certificateRequest, "post_handshake")
        XCTAssertTrue(c.certificateRequestInferred, "told from record sizes, and said so")
        XCTAssertTrue(run.findingIDs.contains("client_auth.post_handshake"), "\(run.findingIDs)")
        run.keepFilesIfFailed()
    }

    /// 10. Renegotiation without RFC 5746: gnutls-cli with %DISABLE_SAFE_RENEGOTIATION
    /// (neither renegotiation_info nor the SCSV) and the GnuTLS reneg server with
    /// %UNSAFE_RENEGOTIATION; TLS 1.2 ECDHE AES-256-GCM, a client certificate in the
    /// renegotiation.
    func testInsecureRenegotiation() throws {
        let run = try Scenario.run("insecure-renegotiation-gnutls", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.version, ProtocolVersion.tls12)
        assertRenegotiation(run, initiator: .server, outcome: .completed, secure: false)
        XCTAssertTrue(run.findingIDs.isSuperset(of: ["renegotiation.insecure", "renegotiation.server_initiated",
                                                     "client_auth.via_renegotiation"]), "\(run.findingIDs)")
        XCTAssertEqual(run.finding("renegotiation.insecure")?.severity, .high)
        run.keepFilesIfFailed()
    }

    // MARK: - Shared expectations

    /// A server-initiated, completed, secure renegotiation in which the client sent
    /// a certificate: the IIS pattern, told from encrypted record sizes alone.
    private func assertServerRenegotiationWithClientCertificate(_ run: Scenario.Run, file: StaticString = #filePath, line: UInt = #line) {
        assertRenegotiation(run, initiator: .server, outcome: .completed, secure: true, file: file, line: line)
        let ids = run.findingIDs
        XCTAssertTrue(ids.contains("renegotiation.server_initiated"), "\(ids)", file: file, line: line)
        XCTAssertEqual(run.helloRequests.filter { $0.handshake == 1 && $0.inferred }.count, 1,
                       "one HelloRequest for handshake 1, inferred", file: file, line: line)

        // The IIS pattern: client_auth.via_renegotiation, inferred, with the sizes behind it.
        if let finding = run.finding("client_auth.via_renegotiation") {
            XCTAssertEqual(finding.handshake, 1, file: file, line: line)
            let evidence = Dictionary(finding.evidence.fields, uniquingKeysWith: { first, _ in first })
            XCTAssertEqual(evidence["inferred"], .bool(true), describe(finding), file: file, line: line)
            let sizes = finding.evidence.fields.filter { key, value in
                if case .int(let n) = value { return key.contains("bytes") && n > 0 }
                return false
            }
            XCTAssertGreaterThanOrEqual(sizes.count, 2, "the record sizes the inference rests on: \(describe(finding))", file: file, line: line)
            if let sent = evidence["client_certificate_sent"] {
                XCTAssertEqual(sent, .bool(true), describe(finding), file: file, line: line)
            }
        } else {
            XCTFail("client_auth.via_renegotiation not raised; findings: \(ids.sorted())", file: file, line: line)
        }

        // A CertificateRequest may be reported, inferred, for the renegotiation only.
        let requests = run.certificateRequests
        XCTAssertTrue(requests.allSatisfy { $0.handshake == 1 }, "only the renegotiation asked: \(requests)", file: file, line: line)
        for request in requests {
            XCTAssertTrue(request.inferred, file: file, line: line)
            XCTAssertTrue(request.encrypted, file: file, line: line)
            XCTAssertEqual(request.phase, .renegotiation, file: file, line: line)
            XCTAssertTrue(request.afterApplicationData, file: file, line: line)
            XCTAssertGreaterThan(request.applicationBytesBefore.client, 0, "after the client's GET", file: file, line: line)
            XCTAssertNil(request.caNames, "hidden by encryption", file: file, line: line)
        }
        guard let c = try? run.connection() else { return }
        XCTAssertTrue(c.certificateRequest == nil || c.certificateRequest == "renegotiation",
                      "certificate_request \(c.certificateRequest ?? "nil"): the first handshake had none", file: file, line: line)
        XCTAssertNotEqual(c.clientAuthenticated, false, "the client did send a certificate", file: file, line: line)
    }

    /// One renegotiation (handshake 1) with this initiator, outcome and RFC 5746 state,
    /// consistent across the connection summary and the renegotiation events.
    private func assertRenegotiation(_ run: Scenario.Run, initiator: Side, outcome: RenegotiationOutcome, secure: Bool,
                                     file: StaticString = #filePath, line: UInt = #line) {
        guard let c = try? run.connection() else {
            XCTFail("no connection summary", file: file, line: line)
            return
        }
        XCTAssertTrue(c.established, file: file, line: line)
        XCTAssertEqual(c.renegotiations, 1, file: file, line: line)
        XCTAssertEqual(c.secureRenegotiation, secure, "secure renegotiation (RFC 5746)", file: file, line: line)
        XCTAssertEqual(c.handshakes.count, 2, file: file, line: line)
        if c.handshakes.count >= 2 {
            let hs = c.handshakes[1]
            XCTAssertEqual(hs.index, 1, file: file, line: line)
            XCTAssertEqual(hs.initiator, initiator, file: file, line: line)
            XCTAssertEqual(hs.outcome, outcome, "handshake 1 outcome", file: file, line: line)
            XCTAssertTrue(hs.encrypted, file: file, line: line)
        }
        let events = run.renegotiationEvents(handshake: 1)
        XCTAssertEqual(events.first?.outcome, .unknown, "announced when it starts", file: file, line: line)
        XCTAssertEqual(events.last?.outcome, outcome, "renegotiation events: \(events.map(\.outcome))", file: file, line: line)
        XCTAssertTrue(events.allSatisfy { $0.initiator == initiator.rawValue && $0.secure == secure && $0.encrypted },
                      "\(events)", file: file, line: line)
        XCTAssertTrue(run.renegotiationEvents(handshake: nil).allSatisfy { $0.handshake == 1 }, file: file, line: line)
    }

    private func describe(_ finding: Finding) -> String {
        "\(finding.id) \(finding.evidence.fields.map { "\($0.0)=\($0.1)" }.joined(separator: " "))"
    }
}

/// Runs Peers/scenario.sh and the pipeline over its capture.
enum Scenario {
    static let script = Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Peers/scenario.sh")
    /// The script stops itself after 20 s; this is the backstop if it hangs.
    static let timeoutSeconds = 40.0

    final class Run {
        let name: String
        let directory: URL
        let pcap: URL
        let sink: CollectingSink
        private let failuresAtStart: Int
        private unowned let test: XCTestCase

        init(name: String, directory: URL, pcap: URL, sink: CollectingSink, test: XCTestCase) {
            self.name = name
            self.directory = directory
            self.pcap = pcap
            self.sink = sink
            self.test = test
            failuresAtStart = test.testRun?.totalFailureCount ?? 0
        }

        /// The one TLS connection of the capture.
        func connection(file: StaticString = #filePath, line: UInt = #line) throws -> ConnectionSummary {
            XCTAssertEqual(sink.connections.count, 1, "\(name): one TLS connection expected in \(pcap.path)", file: file, line: line)
            return try XCTUnwrap(sink.connections.first?.summary, "\(name): no connection in \(pcap.path)", file: file, line: line)
        }

        var findingIDs: Set<String> { Set(sink.findings.map(\.id.rawValue)) }

        func finding(_ id: String) -> Finding? { sink.findings.first { $0.id.rawValue == id } }

        var helloRequests: [HelloRequestEvent] {
            sink.events.compactMap { if case .helloRequest(let e) = $0.body { return e } else { return nil } }
        }

        var certificateRequests: [CertificateRequestEvent] {
            sink.events.compactMap { if case .certificateRequest(let e) = $0.body { return e } else { return nil } }
        }

        /// Renegotiation events, of one handshake or (nil) all.
        func renegotiationEvents(handshake: Int?) -> [RenegotiationEvent] {
            sink.events.compactMap {
                if case .renegotiation(let e) = $0.body, handshake == nil || e.handshake == handshake { return e }
                return nil
            }
        }

        /// Deletes the scenario's files when the test passed; otherwise says where they are.
        func keepFilesIfFailed() {
            if (test.testRun?.totalFailureCount ?? 0) > failuresAtStart {
                print("RealPeerTests: \(name): capture, key log and peer logs kept in \(directory.path) (tlsdump -r \(pcap.path))")
            } else {
                try? FileManager.default.removeItem(at: directory)
            }
        }
    }

    /// Runs scenario NAME live and analyses its capture without keys.
    static func run(_ name: String, test: XCTestCase) throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-realpeer-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = try runScript(name, directory: directory)
        guard result.status == 0 else {
            let why = result.status == 3 ? "a tool the real-peer tests need is missing" : "the scenario failed"
            XCTFail("""
                \(name): \(why) (scenario.sh exit status \(result.status)); files in \(directory.path)
                \(result.stderr)
                """)
            throw ScenarioError.failed(name)
        }
        guard let path = result.stdout.split(separator: "\n").last.map(String.init), !path.isEmpty,
              FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(name): scenario.sh printed no capture path (stdout: \(result.stdout))")
            throw ScenarioError.failed(name)
        }
        let pcap = URL(fileURLWithPath: path)
        let sink = try analyse(pcap)
        return Run(name: name, directory: directory, pcap: pcap, sink: sink, test: test)
    }

    enum ScenarioError: Error { case failed(String), timedOut(String) }

    /// bash scenario.sh NAME DIR with a hard timeout; stdout and stderr go to files so
    /// that no peer left holding a pipe can block the test.
    static func runScript(_ name: String, directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let outURL = directory.appendingPathComponent("scenario.stdout")
        let errURL = directory.appendingPathComponent("scenario.stderr")
        XCTAssertTrue(FileManager.default.createFile(atPath: outURL.path, contents: nil), outURL.path)
        XCTAssertTrue(FileManager.default.createFile(atPath: errURL.path, contents: nil), errURL.path)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, name, directory.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        if ended.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            process.terminate()   // the script's trap stops its peers and the capture
            _ = ended.wait(timeout: .now() + 5)
            XCTFail("\(name): scenario.sh did not end within \(Int(timeoutSeconds)) s; files in \(directory.path)")
            throw ScenarioError.timedOut(name)
        }
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout, stderr)
    }
}
