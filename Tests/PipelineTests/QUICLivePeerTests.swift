import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Real QUIC conversations between an aioquic server and client on loopback
/// (Peers/quic_peer.py), captured live by `tlsdump -i lo 'udp port PORT'`:
/// a plain handshake with a request and response, a required client
/// certificate, a forced Retry, a ClientHello spanning three Initial packets
/// (61 ALPN values) and a handshake the server refuses (no common ALPN).
/// Live events are read without keys; the capture tlsdump wrote with `-w`
/// is read again with the client's key log (`-k`) for what only the keys show.
///
/// Needs root (or CAP_NET_RAW) for the live capture, as CI has, plus python3
/// with aioquic from PyPI (`make test-deps` installs it; the tests install it
/// when missing) and openssl (the peer makes its PKI). Anything missing
/// other than privileges fails the test with the reason: nothing is skipped.
///
/// Each mode runs once per test process and its result is shared by the tests
/// that look at it. TLSDUMP_TEST_BINARY overrides the binary under test
/// (default .build/debug/tlsdump).
final class QUICLivePeerTests: XCTestCase {
    static let serverALPN = "tlsdump-test"

    // MARK: plain: one request and response

    func testPlainHandshakeSeenLiveWithoutKeys() throws {
        let run = try Self.run("plain")
        let c = try run.connection(in: run.live)
        assertEstablishedQUIC(c, run)
        XCTAssertEqual(c["decrypted"] as? Bool, false, "no key log given")
        XCTAssertTrue(c["server_certificate"] is NSNull, "encrypted in Handshake packets: \(c["server_certificate"] ?? "missing")")
        XCTAssertTrue(c["certificate_request"] is NSNull, "hidden without keys: unknown, not none")
        XCTAssertTrue(c["client_authenticated"] is NSNull, "unknown without keys")
        XCTAssertNotNil(run.unknownReason(c, "certificate_request"), "\(c["unknown"] ?? "no unknown object")")
        XCTAssertTrue(c["alpn"] is NSNull, "the server's ALPN is in EncryptedExtensions: unknown without keys")
        let quic = try XCTUnwrap(c["quic"] as? [String: Any])
        XCTAssertEqual(quic["retry"] as? Bool, false)
        XCTAssertEqual(count(quic, "client", "retry"), 0)
        XCTAssertEqual(count(quic, "server", "retry"), 0)
        XCTAssertGreaterThanOrEqual(count(quic, "client", "handshake") ?? 0, 1, "\(quic)")
        XCTAssertGreaterThanOrEqual(count(quic, "server", "handshake") ?? 0, 1, "\(quic)")
        XCTAssertGreaterThanOrEqual(count(quic, "client", "short") ?? 0, 1, "the request went in 1-RTT packets: \(quic)")
        XCTAssertGreaterThanOrEqual(count(quic, "server", "short") ?? 0, 1, "the response went in 1-RTT packets: \(quic)")
        XCTAssertEqual(quic["undecryptable"] as? [String: Int], ["client": 0, "server": 0])
        XCTAssertTrue(quic["close"] is NSNull, "the client's CONNECTION_CLOSE went in a 1-RTT packet: \(quic["close"] ?? "missing")")
        for field in ["original_dcid", "client_cid", "server_cid"] {
            XCTAssertEqual((quic[field] as? String)?.count, 16, "aioquic's 8-byte connection IDs, \(field): \(quic)")
        }
        // aioquic's defaults, from the client's ClientHello (readable without keys).
        let parameters = try XCTUnwrap(quic["transport_parameters"] as? [String: Any])
        let client = try XCTUnwrap(parameters["client"] as? [String: Any], "\(parameters)")
        XCTAssertEqual(client["max_idle_timeout_ms"] as? Int, 60_000)
        XCTAssertEqual(client["initial_max_data"] as? Int, 1_048_576)
        XCTAssertEqual(client["active_connection_id_limit"] as? Int, 8)
        XCTAssertEqual(client["initial_max_streams_bidi"] as? Int, 128)
        XCTAssertTrue(parameters["server"] is NSNull, "the server's are in EncryptedExtensions: \(parameters)")

        // The ClientHello and ServerHello events, streamed during the capture.
        let hello = try XCTUnwrap(run.live.first { $0["type"] as? String == "client_hello" })
        XCTAssertEqual(hello["sni"] as? String, "localhost")
        XCTAssertEqual(hello["alpn"] as? [String], [Self.serverALPN])
        XCTAssertEqual(hello["ja4"] as? String, c["ja4"] as? String)
        XCTAssertEqual(hello["supported_versions"] as? [String], ["TLSv1.3"])
        let serverHello = try XCTUnwrap(run.live.first { $0["type"] as? String == "server_hello" })
        XCTAssertEqual(cipherCode(serverHello), run.peerCipherCode)
        XCTAssertEqual(serverHello["version"] as? String, "TLSv1.3")

        let stats = try XCTUnwrap(run.live.last)
        XCTAssertEqual(stats["type"] as? String, "stats")
        XCTAssertEqual(stats["quic_connections"] as? Int, 1, "\(stats)")
        XCTAssertEqual(stats["tcp_connections"] as? Int, 0, "\(stats)")
        XCTAssertFalse(run.stderr.contains("warning"), run.stderr)
    }

    /// The capture written with -w during the live run reads back to the same connection.
    func testWrittenCaptureReadsBackToTheLiveConnection() throws {
        let run = try Self.run("plain")
        let back = try run.reread(keys: false)
        XCTAssertEqual(try run.connection(in: back) as NSDictionary, try run.connection(in: run.live) as NSDictionary)
        XCTAssertEqual(back.last?["packets"] as? Int, run.live.last?["packets"] as? Int, "every packet analysed was written")
    }

    func testPlainHandshakeWithKeyLogShowsTheServerFlight() throws {
        let run = try Self.run("plain")
        let events = try run.reread(keys: true)
        let c = try run.connection(in: events)
        assertEstablishedQUIC(c, run)
        XCTAssertEqual(c["decrypted"] as? Bool, true, "\(c)")
        assertServerCertificate(c)
        XCTAssertEqual(c["certificate_request"] as? String, "none", "the server flight was read and held no CertificateRequest")
        XCTAssertEqual(c["client_authenticated"] as? Bool, false)
        XCTAssertTrue(c["client_certificate"] is NSNull)
        XCTAssertNil(run.unknownReason(c, "certificate_request"))
        XCTAssertEqual(messages(c, from: "server"),
                       ["ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"])
        XCTAssertEqual(messages(c, from: "client"), ["ClientHello", "Finished"])
        let quic = try XCTUnwrap(c["quic"] as? [String: Any])
        let server = try XCTUnwrap((quic["transport_parameters"] as? [String: Any])?["server"] as? [String: Any],
                                   "the server's transport parameters, from EncryptedExtensions: \(quic)")
        XCTAssertEqual(server["initial_max_data"] as? Int, 1_048_576)
        XCTAssertEqual(server["max_idle_timeout_ms"] as? Int, 60_000)
        XCTAssertEqual((server["ids"] as? [Int])?.contains(0), true, "original_destination_connection_id (0x00), sent by servers only: \(server)")
        XCTAssertEqual(quic["undecryptable"] as? [String: Int], ["client": 0, "server": 0])
    }

    /// With keys, EncryptedExtensions is read: the ALPN the server selected is known.
    func testKeyLogRevealsTheSelectedALPN() throws {
        let run = try Self.run("plain")
        let c = try run.connection(in: try run.reread(keys: true))
        XCTAssertEqual(c["decrypted"] as? Bool, true)
        XCTAssertEqual(messages(c, from: "server").contains("EncryptedExtensions"), true)
        XCTAssertEqual(c["alpn"] as? String, run.peer["alpn"] as? String,
                       "the server's EncryptedExtensions selects \(run.peer["alpn"] ?? "?"): \(c["alpn"] ?? "missing")")
    }

    /// The client writes its key log while tlsdump captures with -k on that (not yet existing) file.
    func testLiveKeyLogWrittenDuringTheCaptureDecrypts() throws {
        let run = try Self.run("plain", liveKeyLog: true)
        let c = try run.connection(in: run.live)
        assertEstablishedQUIC(c, run)
        XCTAssertEqual(c["decrypted"] as? Bool, true, "\(c)")
        assertServerCertificate(c)
        XCTAssertEqual(c["certificate_request"] as? String, "none")
        XCTAssertTrue(run.live.contains { $0["type"] as? String == "certificate" && $0["sender"] as? String == "server" })
    }

    // MARK: client-cert: CertificateRequest in the handshake

    func testClientCertificateWithKeyLog() throws {
        let run = try Self.run("client-cert")
        let events = try run.reread(keys: true)
        let c = try run.connection(in: events)
        assertEstablishedQUIC(c, run)
        XCTAssertEqual(c["decrypted"] as? Bool, true, "\(c)")
        XCTAssertEqual(c["certificate_request"] as? String, "initial")
        XCTAssertEqual(c["client_authenticated"] as? Bool, true)
        let expectedSubject = try XCTUnwrap(run.peer["server_client_certificate"] as? String, "the server saw the client's certificate")
        XCTAssertEqual(expectedSubject, "CN=quic-client.test,O=tlsdump")
        let clientCertificate = try XCTUnwrap(c["client_certificate"] as? [String: Any], "\(c)")
        XCTAssertEqual(clientCertificate["subject"] as? String, expectedSubject)
        XCTAssertEqual(clientCertificate["issuer"] as? String, "CN=tlsdump QUIC test CA,O=tlsdump")
        assertServerCertificate(c)
        XCTAssertEqual(messages(c, from: "server"),
                       ["ServerHello", "EncryptedExtensions", "CertificateRequest", "Certificate", "CertificateVerify", "Finished"])
        XCTAssertEqual(messages(c, from: "client"), ["ClientHello", "Certificate", "CertificateVerify", "Finished"])
        let parameters = try XCTUnwrap((c["quic"] as? [String: Any])?["transport_parameters"] as? [String: Any])
        XCTAssertNotNil(parameters["server"] as? [String: Any], "\(parameters)")

        let request = try XCTUnwrap(events.first { $0["type"] as? String == "certificate_request" }, "a certificate_request event")
        XCTAssertEqual(request["phase"] as? String, "initial")
        XCTAssertEqual(request["decrypted"] as? Bool, true)
        XCTAssertEqual(request["inferred"] as? Bool, false)
        XCTAssertEqual(request["handshake"] as? Int, 0)
        XCTAssertEqual((request["signature_algorithms"] as? [String])?.contains("ecdsa_secp256r1_sha256"), true, "\(request)")
        let clientChain = events.first { $0["type"] as? String == "certificate" && $0["sender"] as? String == "client" }
        XCTAssertEqual(((clientChain?["chain"] as? [[String: Any]])?.first)?["subject"] as? String, expectedSubject)
    }

    func testClientCertificateRequestIsHiddenWithoutKeys() throws {
        let run = try Self.run("client-cert")
        let c = try run.connection(in: run.live)
        assertEstablishedQUIC(c, run)
        XCTAssertEqual(c["decrypted"] as? Bool, false)
        XCTAssertTrue(c["certificate_request"] is NSNull, "hidden, so unknown: \(c["certificate_request"] ?? "missing")")
        let reason = try XCTUnwrap(run.unknownReason(c, "certificate_request"), "\(c["unknown"] ?? "no unknown object")")
        XCTAssertFalse(reason.isEmpty)
        XCTAssertTrue(c["client_certificate"] is NSNull)
        XCTAssertNotEqual(c["client_authenticated"] as? Bool, false, "not known to be false without keys")
        XCTAssertFalse(run.live.contains { $0["type"] as? String == "certificate_request" }, "nothing to report without keys")
    }

    // MARK: retry

    func testRetryIsSeenAndTheClientHelloStillParsed() throws {
        let run = try Self.run("retry")
        let c = try run.connection(in: run.live)
        assertEstablishedQUIC(c, run)
        let quic = try XCTUnwrap(c["quic"] as? [String: Any])
        XCTAssertEqual(quic["retry"] as? Bool, true, "\(quic)")
        XCTAssertEqual(count(quic, "server", "retry"), 1, "\(quic)")
        XCTAssertEqual(count(quic, "client", "retry"), 0, "\(quic)")
        XCTAssertGreaterThanOrEqual(count(quic, "client", "initial") ?? 0, 2, "before and after the Retry: \(quic)")
        XCTAssertEqual(quic["undecryptable"] as? [String: Int], ["client": 0, "server": 0],
                       "the Initials after the Retry use keys from the new DCID")
        XCTAssertNotEqual(quic["original_dcid"] as? String, quic["server_cid"] as? String)
        XCTAssertEqual(run.live.filter { $0["type"] as? String == "server_hello" }.count, 1)
    }

    /// aioquic answers a Retry with a NEW ClientHello (a new random; RFC 9000
    /// 17.2.5.3 asks for the same one), and the server's handshake follows
    /// that second one: its keys are the ones in the key log.
    func testRetryKeyLogDecryptsAfterTheNewClientHello() throws {
        let run = try Self.run("retry")
        let randoms = try XCTUnwrap(run.peer["client_randoms"] as? [String])
        XCTAssertEqual(randoms.count, 2, "a ClientHello before and one after the Retry")
        XCTAssertEqual(Set(randoms).count, randoms.count, "aioquic sends a new random after the Retry")
        let keylog = (try? String(contentsOf: run.keylog, encoding: .utf8)) ?? ""
        XCTAssertTrue(keylog.contains(randoms.last ?? "?"), "the key log is for the second ClientHello")
        let c = try run.connection(in: try run.reread(keys: true))
        XCTAssertEqual(c["decrypted"] as? Bool, true, "decryption keyed on the ClientHello after the Retry: \(c)")
        assertServerCertificate(c)
        XCTAssertEqual(c["certificate_request"] as? String, "none")
    }

    // MARK: big-hello: the ClientHello in three Initials

    func testClientHelloSpanningSeveralInitials() throws {
        let run = try Self.run("big-hello")
        let c = try run.connection(in: run.live)
        assertEstablishedQUIC(c, run)
        let expectedLength = try XCTUnwrap(run.peer["client_hello_length"] as? Int)
        XCTAssertGreaterThan(expectedLength, 2400, "the peer's ClientHello must need three 1200-byte Initials")
        let clientHello = try XCTUnwrap(handshakeMessages(c).first { $0["type"] as? String == "ClientHello" }, "\(c)")
        XCTAssertEqual(clientHello["length"] as? Int, expectedLength)
        let quic = try XCTUnwrap(c["quic"] as? [String: Any])
        XCTAssertGreaterThanOrEqual(count(quic, "client", "initial") ?? 0, 3, "2,936 bytes of CRYPTO need three Initials: \(quic)")
        XCTAssertEqual(quic["undecryptable"] as? [String: Int], ["client": 0, "server": 0])

        let hello = try XCTUnwrap(run.live.first { $0["type"] as? String == "client_hello" })
        let alpn = try XCTUnwrap(hello["alpn"] as? [String])
        XCTAssertEqual(alpn.count, run.peer["client_alpn_count"] as? Int)
        XCTAssertEqual(alpn.count, 61)
        XCTAssertEqual(alpn.first, "tlsdump-00-" + String(repeating: "x", count: 29))
        XCTAssertEqual(alpn.last, Self.serverALPN)
        XCTAssertEqual(hello["sni"] as? String, "localhost")
        XCTAssertEqual((hello["extensions"] as? [String])?.contains("quic_transport_parameters"), true)
        XCTAssertEqual(run.live.filter { $0["type"] as? String == "client_hello" }.count, 1, "one ClientHello, reassembled")
        // JA4's ALPN part: first and last character of the first ALPN value ("tlsdump-00-xxx").
        XCTAssertEqual((c["ja4"] as? String)?.split(separator: "_").first.map { String($0.suffix(2)) }, "tx", "\(c["ja4"] ?? "")")
        // The parameters follow 2,400 bytes of ALPN in the same ClientHello.
        let parameters = try XCTUnwrap((quic["transport_parameters"] as? [String: Any])?["client"] as? [String: Any])
        XCTAssertEqual(parameters["initial_max_data"] as? Int, 1_048_576)
    }

    // MARK: no-alpn: the server refuses the handshake

    func testNoCommonALPNFailsWithCryptoErrorClose() throws {
        let run = try Self.run("no-alpn")
        XCTAssertEqual(run.peer["server_close_error"] as? Int, 0x178, "the server closed with crypto_error no_application_protocol")
        let c = try run.connection(in: run.live)
        XCTAssertEqual(c["transport"] as? String, "quic")
        XCTAssertEqual(c["sni"] as? String, "localhost")
        XCTAssertEqual(c["established"] as? Bool, false)
        XCTAssertTrue(c["alpn"] is NSNull)
        XCTAssertTrue(c["cipher_suite"] is NSNull, "no ServerHello was sent")
        XCTAssertEqual((c["ja4"] as? String)?.hasPrefix("q13"), true, "\(c["ja4"] ?? "")")
        XCTAssertEqual((c["findings"] as? [String])?.contains("handshake.failed"), true, "\(c["findings"] ?? "")")
        XCTAssertEqual(c["close"] as? String, "connection_close")
        let quic = try XCTUnwrap(c["quic"] as? [String: Any])
        XCTAssertEqual(quic["version_name"] as? String, "QUICv1")
        XCTAssertEqual(count(quic, "client", "initial"), 1, "\(quic)")
        XCTAssertEqual(count(quic, "server", "initial"), 1, "\(quic)")
        XCTAssertEqual(count(quic, "server", "handshake"), 0, "\(quic)")
        let close = try XCTUnwrap(quic["close"] as? [String: Any], "the server's CONNECTION_CLOSE, in an Initial: \(quic)")
        XCTAssertEqual(close["sender"] as? String, "server")
        XCTAssertEqual(close["packet_type"] as? String, "Initial")
        XCTAssertEqual(close["frame"] as? String, "transport")
        XCTAssertEqual(close["error_code"] as? String, "0x178")
        XCTAssertEqual(close["error_name"] as? String, "CRYPTO_ERROR")
        XCTAssertEqual(close["tls_alert"] as? String, "no_application_protocol")
        XCTAssertEqual(close["reason"] as? String, "No common ALPN protocols")

        let finding = try XCTUnwrap(run.live.first { $0["type"] as? String == "finding" && $0["id"] as? String == "handshake.failed" })
        XCTAssertEqual((finding["evidence"] as? [String: Any])?["alert"] as? String, "no_application_protocol", "\(finding)")
        XCTAssertEqual((finding["evidence"] as? [String: Any])?["sender"] as? String, "server", "\(finding)")
        let alert = try XCTUnwrap(run.live.first { $0["type"] as? String == "alert" }, "the CRYPTO_ERROR told as the alert it carries")
        XCTAssertEqual(alert["description"] as? String, "no_application_protocol")
        XCTAssertEqual(alert["sender"] as? String, "server")
        XCTAssertFalse(run.live.contains { $0["type"] as? String == "handshake_done" })
    }

    // MARK: shared expectations

    /// An established QUIC v1 connection between the peers, on the test's port.
    private func assertEstablishedQUIC(_ c: [String: Any], _ run: PeerRun, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(c["transport"] as? String, "quic", file: file, line: line)
        XCTAssertEqual(c["sni"] as? String, "localhost", file: file, line: line)
        XCTAssertEqual(c["version"] as? String, "TLSv1.3", file: file, line: line)
        XCTAssertEqual(c["established"] as? Bool, true, "\(c)", file: file, line: line)
        XCTAssertNotNil(run.peerCipherCode, "the peer reports its cipher suite: \(run.peer)", file: file, line: line)
        XCTAssertEqual(cipherCode(c), run.peerCipherCode, "the suite aioquic negotiated", file: file, line: line)
        XCTAssertEqual((c["ja4"] as? String)?.hasPrefix("q13d"), true, "\(c["ja4"] ?? "")", file: file, line: line)
        XCTAssertEqual((c["server"] as? [String: Any])?["port"] as? Int, run.port, file: file, line: line)
        XCTAssertEqual((c["server"] as? [String: Any])?["ip"] as? String, "127.0.0.1", file: file, line: line)
        XCTAssertEqual(c["gaps"] as? Int, 0, file: file, line: line)
        guard let quic = c["quic"] as? [String: Any] else {
            return XCTFail("no quic object: \(c)", file: file, line: line)
        }
        XCTAssertEqual(quic["version"] as? String, "0x00000001", file: file, line: line)
        XCTAssertEqual(quic["version_name"] as? String, "QUICv1", file: file, line: line)
        XCTAssertGreaterThanOrEqual(count(quic, "client", "initial") ?? 0, 1, "\(quic)", file: file, line: line)
        XCTAssertGreaterThanOrEqual(count(quic, "server", "initial") ?? 0, 1, "\(quic)", file: file, line: line)
        XCTAssertEqual(count(quic, "client", "version_negotiation"), 0, file: file, line: line)
        XCTAssertEqual(count(quic, "client", "zero_rtt"), 0, "no session to resume", file: file, line: line)
        // The server's chain ends at quic_peer.py's own CA: trusted when the run gave it
        // with --ca-file (reread), unknown to the system store otherwise (the live run).
        let validation = c["validation"] as? [String: Any]
        let ownCA = (validation?["reason"] as? String)?.contains("tlsdump QUIC test CA") == true
        XCTAssertEqual((c["findings"] as? [String])?.filter { !(ownCA && $0 == "cert.untrusted") }, [], "\(validation ?? [:])", file: file, line: line)
    }

    private func assertServerCertificate(_ c: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
        guard let certificate = c["server_certificate"] as? [String: Any] else {
            return XCTFail("no server certificate: \(c["server_certificate"] ?? "missing")", file: file, line: line)
        }
        XCTAssertEqual(certificate["subject"] as? String, "CN=localhost", file: file, line: line)
        XCTAssertEqual(certificate["issuer"] as? String, "CN=tlsdump QUIC test CA,O=tlsdump", file: file, line: line)
        XCTAssertEqual((certificate["san"] as? [String])?.contains("localhost"), true, "\(certificate)", file: file, line: line)
        XCTAssertEqual(certificate["key_type"] as? String, "EC", file: file, line: line)
    }

    // MARK: running the peers

    /// One mode's conversation captured live, and what the peers said of it.
    struct PeerRun {
        let mode: String
        let port: Int
        let workdir: URL
        let pcap: URL
        let keylog: URL
        /// quic_peer.py's own account (negotiated ALPN, cipher, ClientHello length ...).
        let peer: [String: Any]
        /// The live tlsdump's events (no keys, unless liveKeyLog).
        let live: [[String: Any]]
        let stderr: String

        var peerCipherCode: String? {
            (peer["cipher_suite"] as? Int).map { "0x" + String(format: "%04x", $0) }
        }

        /// The one QUIC connection on the test's port: fails unless there is exactly one.
        func connection(in events: [[String: Any]]) throws -> [String: Any] {
            let connections = events.filter { $0["type"] as? String == "connection" }
            guard connections.count == 1, let only = connections.first else {
                throw QUICTestFailure(description: "\(mode): expected one connection event, found \(connections.count): \(connections)")
            }
            guard only["transport"] as? String == "quic" else {
                throw QUICTestFailure(description: "\(mode): the connection is not QUIC: \(only)")
            }
            return only
        }

        func unknownReason(_ c: [String: Any], _ field: String) -> String? {
            (c["unknown"] as? [String: Any])?[field] as? String
        }

        /// The -w capture read again, with or without the client's key log.
        func reread(keys: Bool) throws -> [[String: Any]] {
            var arguments = ["-r", pcap.path, "--format", "json"]
            if keys { arguments += ["-k", keylog.path] }
            let ca = workdir.appendingPathComponent("pki/ca.pem")
            if FileManager.default.fileExists(atPath: ca.path) { arguments += ["--ca-file", ca.path] }
            let result = try QUICLivePeerTests.runBinary(arguments)
            let stderr = String(decoding: result.stderr, as: UTF8.self)
            guard result.status == 0 else {
                throw QUICTestFailure(description: "tlsdump \(arguments) failed with status \(result.status): \(stderr)")
            }
            return try jsonLines(result.stdout)
        }
    }

    // XCTest runs the tests of a class one after another, on one thread.
    nonisolated(unsafe) private static var scratch: URL?
    nonisolated(unsafe) private static var runs: [String: PeerRun] = [:]
    nonisolated(unsafe) private static var aioquicChecked = false

    override class func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        scratch = nil
        runs.removeAll()
        super.tearDown()
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["TLSDUMP_TEST_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return Paths.tlsdump
    }

    static func runBinary(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // stderr is small; stdout is read to its end first.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, outData, errData)
    }

    /// Runs MODE once per test process (twice with liveKeyLog: a run of its own).
    static func run(_ mode: String, liveKeyLog: Bool = false) throws -> PeerRun {
        let key = liveKeyLog ? "\(mode)+live-keys" : mode
        if let cached = runs[key] { return cached }
        if geteuid() != 0 {
            throw XCTSkip("live capture on lo needs root or CAP_NET_RAW (CI runs the tests as root)")
        }
        try ensureAioquic()
        let scratch = try scratchDirectory()
        let port = try freeLoopbackPort(SOCK_DGRAM)
        let workdir = scratch.appendingPathComponent("\(key)-\(port)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        let keylog = workdir.appendingPathComponent("keys.log")  // quic_peer.py writes it there
        let pcap = workdir.appendingPathComponent("live.pcap")
        let out = workdir.appendingPathComponent("live.ndjson"), err = workdir.appendingPathComponent("live.err")

        // tlsdump -i lo, all of the peers' UDP port.
        var arguments = ["-i", "lo", "--format", "json", "-o", out.path, "-w", pcap.path]
        if liveKeyLog { arguments += ["-k", keylog.path] }
        arguments.append("udp port \(port)")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let tlsdump = Process()
        tlsdump.executableURL = binary
        tlsdump.arguments = arguments
        tlsdump.standardInput = FileHandle.nullDevice
        tlsdump.standardOutput = FileHandle.nullDevice
        tlsdump.standardError = try FileHandle(forWritingTo: err)
        try tlsdump.run()
        defer {
            if tlsdump.isRunning { kill(tlsdump.processIdentifier, SIGKILL); tlsdump.waitUntilExit() }
        }
        let stderrText = { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }
        try waitUntil("tlsdump to listen on lo", seconds: 10, detail: stderrText) {
            stderrText().contains("listening on") || !tlsdump.isRunning
        }
        guard tlsdump.isRunning else { throw QUICTestFailure(description: "tlsdump ended at start: \(stderrText())") }

        // The peers: one conversation, to its end.
        let peerOut = workdir.appendingPathComponent("peer.out"), peerErr = workdir.appendingPathComponent("peer.err")
        _ = FileManager.default.createFile(atPath: peerOut.path, contents: nil)
        _ = FileManager.default.createFile(atPath: peerErr.path, contents: nil)
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        peer.arguments = ["python3", Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Peers/quic_peer.py").path,
                          mode, "\(port)", workdir.path]
        peer.standardInput = FileHandle.nullDevice
        peer.standardOutput = try FileHandle(forWritingTo: peerOut)
        peer.standardError = try FileHandle(forWritingTo: peerErr)
        try peer.run()
        defer {
            if peer.isRunning { kill(peer.processIdentifier, SIGKILL); peer.waitUntilExit() }
        }
        try waitUntil("quic_peer.py \(mode) to finish", seconds: 40) { !peer.isRunning }
        peer.waitUntilExit()
        let peerStderr = (try? String(contentsOf: peerErr, encoding: .utf8)) ?? ""
        guard peer.terminationStatus == 0 else {
            throw QUICTestFailure(description: "quic_peer.py \(mode) failed with status \(peer.terminationStatus) (3: aioquic missing): \(peerStderr)")
        }
        let peerLine = try Data(contentsOf: peerOut)
        guard let account = try JSONSerialization.jsonObject(with: peerLine) as? [String: Any] else {
            throw QUICTestFailure(description: "quic_peer.py \(mode) printed no JSON object: \(String(decoding: peerLine, as: UTF8.self))")
        }

        // Streaming: the handshake's end (or the refusal) shows while tlsdump still runs.
        let events = { () -> [[String: Any]] in
            var data = (try? Data(contentsOf: out)) ?? Data()
            if let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) { data = data.prefix(through: lastNewline) } else { data = Data() }
            return (try? jsonLines(data)) ?? []
        }
        let awaited = mode == "no-alpn" ? "connection" : "handshake_done"
        try waitUntil("tlsdump's \(awaited) event during the capture", seconds: 15, detail: stderrText) {
            events().contains { $0["type"] as? String == awaited } || !tlsdump.isRunning
        }
        guard tlsdump.isRunning else { throw QUICTestFailure(description: "tlsdump ended during the capture: \(stderrText())") }
        kill(tlsdump.processIdentifier, SIGINT)
        try waitUntil("tlsdump to stop on SIGINT", seconds: 10, detail: stderrText) { !tlsdump.isRunning }
        tlsdump.waitUntilExit()
        guard tlsdump.terminationStatus == 0 else {
            throw QUICTestFailure(description: "tlsdump ended with status \(tlsdump.terminationStatus): \(stderrText())")
        }
        let live = try jsonLines(Data(contentsOf: out))
        guard live.last?["type"] as? String == "stats" else {
            throw QUICTestFailure(description: "the live output does not end with stats: \(live.last ?? [:])")
        }
        let run = PeerRun(mode: mode, port: port, workdir: workdir, pcap: pcap, keylog: keylog,
                          peer: account, live: live, stderr: stderrText())
        runs[key] = run
        return run
    }

    private static func scratchDirectory() throws -> URL {
        if let scratch { return scratch }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-quic-live-\(getpid())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        scratch = url
        return url
    }

    /// aioquic from PyPI, installed when missing (make test-deps does it first on CI).
    private static func ensureAioquic() throws {
        if aioquicChecked { return }
        let check = "import aioquic"
        if try shell(["python3", "-c", check]).status != 0 {
            _ = try shell(["python3", "-m", "pip", "install", "-q", "aioquic"])
            if try shell(["python3", "-c", check]).status != 0 {
                // Debian's own python3 refuses pip installs without this (PEP 668).
                let second = try shell(["python3", "-m", "pip", "install", "-q", "--break-system-packages", "aioquic"])
                guard try shell(["python3", "-c", check]).status == 0 else {
                    throw QUICTestFailure(description: "aioquic is missing and pip could not install it: \(second.output)")
                }
            }
        }
        aioquicChecked = true
    }

    private static func shell(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

}

// MARK: - helpers

private struct QUICTestFailure: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` every 50 ms; throws when `seconds` pass first.
private func waitUntil(_ what: String, seconds: Double, detail: () -> String = { "" }, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(50_000)
    }
    if try condition() { return }
    throw QUICTestFailure(description: "timed out after \(seconds) s waiting for \(what). \(detail())")
}

/// quic.packets.SIDE.TYPE
private func count(_ quic: [String: Any], _ side: String, _ type: String) -> Int? {
    ((quic["packets"] as? [String: Any])?[side] as? [String: Any])?[type] as? Int
}

private func cipherCode(_ event: [String: Any]) -> String? {
    (event["cipher_suite"] as? [String: Any])?["code"] as? String
}

private func handshakeMessages(_ c: [String: Any]) -> [[String: Any]] {
    ((c["handshakes"] as? [[String: Any]])?.first?["messages"] as? [[String: Any]]) ?? []
}

/// The first handshake's message types sent by SIDE, in order (encrypted ones unnamed are "?").
private func messages(_ c: [String: Any], from side: String) -> [String] {
    handshakeMessages(c).filter { $0["sender"] as? String == side }.map { $0["type"] as? String ?? "?" }
}
