import Foundation
import XCTest

/// The renegotiation matrix: for three suites, every way a renegotiation can go,
/// each taken LIVE from real peers on loopback by tlsdump's own capture
/// (Peers/scenario.sh, scenarios `matrix-SUITE-CASE`) with the client's key log,
/// then read by the tlsdump BINARY four times: `--format json` and `--format text`,
/// each without and with `-k KEYLOG`. The JSON event contract (docs/events.md in
/// ../shared) is what is checked, not the in-process API.
///
/// Suites:
/// - TLS 1.0 `TLS_RSA_WITH_RC4_128_MD5` (1024-bit key): GnuTLS on both sides.
///   Debian 12's OpenSSL 3.0 has no RC4 suite at all (not even with
///   `@SECLEVEL=0` and the legacy provider: captures/README.md), so every RC4
///   case has a GnuTLS peer on each side: gnutls-cli, and the IIS-like server
///   captures/tools/gnutls-reneg-server.c (gnutls-serv cannot start a
///   renegotiation nor refuse one).
/// - TLS 1.2 `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` and
///   `TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256`: OpenSSL 3.0 s_server and
///   s_client, except case (d) (below).
///
/// Cases (how each is produced is in scenario.sh beside its function):
/// - (a) server-initiated, CertificateRequest in the renegotiation, the client
///   sends its certificate: s_server command `R` with `-CAfile`; the GnuTLS
///   server's default (GNUTLS_CERT_REQUIRE in the renegotiation).
/// - (b) server-initiated without CertificateRequest: s_server command `r`;
///   `gnutls-reneg-server --no-certreq`.
/// - (c) server-initiated, refused: a warning `no_renegotiation` INSTEAD of a
///   ClientHello. `s_client -no_renegotiation` (s_server then ends with a fatal
///   handshake_failure). For RC4 no stock client can do it: gnutls-cli always
///   performs the renegotiation it is asked for (its no_renegotiation reply is
///   commented out in its source) and OpenSSL has no RC4, so the client is
///   captures/tools/gnutls-refusing-client.c: GnuTLS's own
///   gnutls_alert_send(WARNING, NO_RENEGOTIATION), what BoringSSL, Go and Botan
///   send by default; the GnuTLS server then goes on and answers the request.
/// - (d) server-initiated, failed AFTER the client's ClientHello: the server
///   presents another certificate in the renegotiation and the client aborts with
///   a fatal alert after the server's flight. s_server cannot change anything
///   between handshakes, so the server is gnutls-reneg-server `--reneg-cert` in
///   all three suites. TLS 1.2 suites: s_client `-verify_return_error
///   -verify_hostname server.test`, shown the client's own certificate (clientAuth
///   only): fatal `unsupported_certificate`. RC4: gnutls-cli, shown the other
///   valid server certificate (RSA 2048 instead of 1024): GnuTLS refuses a peer
///   certificate that changed in a rehandshake, fatal `insufficient_security`.
/// - (e) client-initiated, completed: s_client command `R` against
///   `s_server -client_renegotiation`; gnutls-cli `--inline-commands` line
///   `^renegotiate^` against `gnutls-reneg-server --client-reneg accept`.
/// - (f) client-initiated, refused by the server: OpenSSL 3's s_server default
///   (warning no_renegotiation, then s_client's fatal handshake_failure). RC4:
///   `gnutls-reneg-server --client-reneg refuse --refuse-fatal`, a FATAL
///   handshake_failure instead of the ServerHello. After a warning gnutls-cli's
///   handshake loop (a warning is not fatal to it) keeps waiting for a
///   ServerHello, fails on the server's next record and sends a second
///   ClientHello, no clean refusal: the warning form of (f) is covered by the
///   TLS 1.2 suites only.
///
/// What is asserted, for every scenario:
/// - with keys the story is EXACT: the renegotiation's initiator and outcome
///   (`renegotiation` events and `connection.handshakes[1]`), findings
///   renegotiation.refused vs renegotiation.failed, `certificate_request`
///   ("renegotiation" or "none"), `client_authenticated`, every `inferred` flag
///   false, and the decrypted transcript and alert that make the case what it is;
/// - without keys: the same initiator; the outcome the same or honestly less
///   certain ("unknown"/null), never another definite one; facts told from
///   ciphertext marked inferred;
/// - the story with keys never contradicts the one without, it only adds: every
///   definite value of the keyless connection event in a fixed set of fields is
///   the same in the keyed one (null may become a value), and every renegotiation
///   finding without keys is there with keys;
/// - the text view's handshake lines give the same initiators and outcomes as the
///   JSON connection event, both ways.
///
/// Semantics (docs/events.md): "refused" is an alert INSTEAD OF the hello that was
/// asked for; an alert AFTER the hello is a failure ("failed", renegotiation.failed).
/// When every handshake record was decrypted and none was a CertificateRequest,
/// certificate_request is "none" and client_authenticated false, not null.
///
/// A missing tool fails the test with the script's message (nothing is skipped);
/// the scenario's files (capture, key log, peer logs, tlsdump's four outputs) are
/// kept when a test fails and the path is printed. About 1.5 s per scenario.
final class RenegotiationMatrixTests: XCTestCase {
    // MARK: - TLS 1.0 RC4-MD5 (GnuTLS on both sides)

    func testRC4MD5ServerRenegotiationWithClientCertificate() throws { try check(.rc4md5, .serverClientCertificate) }
    func testRC4MD5ServerRenegotiationWithoutCertificateRequest() throws { try check(.rc4md5, .serverNoCertificateRequest) }
    func testRC4MD5ServerRenegotiationRefusedByClient() throws { try check(.rc4md5, .serverRefused) }
    func testRC4MD5ServerRenegotiationFailedAfterClientHello() throws { try check(.rc4md5, .serverFailed) }
    func testRC4MD5ClientRenegotiationCompleted() throws { try check(.rc4md5, .clientCompleted) }
    func testRC4MD5ClientRenegotiationRefusedByServer() throws { try check(.rc4md5, .clientRefused) }

    // MARK: - TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256

    func testAESGCMServerRenegotiationWithClientCertificate() throws { try check(.aesgcm, .serverClientCertificate) }
    func testAESGCMServerRenegotiationWithoutCertificateRequest() throws { try check(.aesgcm, .serverNoCertificateRequest) }
    func testAESGCMServerRenegotiationRefusedByClient() throws { try check(.aesgcm, .serverRefused) }
    func testAESGCMServerRenegotiationFailedAfterClientHello() throws { try check(.aesgcm, .serverFailed) }
    func testAESGCMClientRenegotiationCompleted() throws { try check(.aesgcm, .clientCompleted) }
    func testAESGCMClientRenegotiationRefusedByServer() throws { try check(.aesgcm, .clientRefused) }

    // MARK: - TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305

    func testChaCha20ServerRenegotiationWithClientCertificate() throws { try check(.chacha20, .serverClientCertificate) }
    func testChaCha20ServerRenegotiationWithoutCertificateRequest() throws { try check(.chacha20, .serverNoCertificateRequest) }
    func testChaCha20ServerRenegotiationRefusedByClient() throws { try check(.chacha20, .serverRefused) }
    func testChaCha20ServerRenegotiationFailedAfterClientHello() throws { try check(.chacha20, .serverFailed) }
    func testChaCha20ClientRenegotiationCompleted() throws { try check(.chacha20, .clientCompleted) }
    func testChaCha20ClientRenegotiationRefusedByServer() throws { try check(.chacha20, .clientRefused) }

    // MARK: - The matrix

    enum Suite: String {
        case rc4md5 = "rc4md5-tls10"
        case aesgcm = "aesgcm-tls12"
        case chacha20 = "chacha20-tls12"

        var version: String { self == .rc4md5 ? "TLSv1.0" : "TLSv1.2" }

        var cipherSuiteCode: String {
            switch self {
            case .rc4md5: return "0x0004"
            case .aesgcm: return "0xc02f"
            case .chacha20: return "0xcca8"
            }
        }
    }

    enum Case: String {
        case serverClientCertificate = "server-client-cert"
        case serverNoCertificateRequest = "server-no-certreq"
        case serverRefused = "server-refused"
        case serverFailed = "server-failed"
        case clientCompleted = "client-completed"
        case clientRefused = "client-refused"

        var initiator: String {
            switch self {
            case .clientCompleted, .clientRefused: return "client"
            default: return "server"
            }
        }

        var outcome: String {
            switch self {
            case .serverClientCertificate, .serverNoCertificateRequest, .clientCompleted: return "completed"
            case .serverRefused, .clientRefused: return "refused"
            case .serverFailed: return "failed"
            }
        }

        /// Only (a) asks for a certificate, and only in the renegotiation.
        var certificateRequest: String { self == .serverClientCertificate ? "renegotiation" : "none" }
        var clientAuthenticated: Bool { self == .serverClientCertificate }
    }

    /// The first alert of the renegotiation, decrypted: (sender, level, description).
    private func expectedAlert(_ suite: Suite, _ kase: Case) -> (sender: String, level: String, description: String)? {
        switch kase {
        case .serverRefused: return ("client", "warning", "no_renegotiation")
        case .serverFailed: return ("client", "fatal", suite == .rc4md5 ? "insufficient_security" : "unsupported_certificate")
        case .clientRefused: return suite == .rc4md5 ? ("server", "fatal", "handshake_failure") : ("server", "warning", "no_renegotiation")
        default: return nil
        }
    }

    /// Findings about the renegotiation: one present without keys must be present with keys.
    private static let renegotiationFindings: Set<String> = [
        "renegotiation.server_initiated", "renegotiation.client_initiated", "renegotiation.refused", "renegotiation.failed",
        "renegotiation.insecure", "client_auth.via_renegotiation", "client_auth.no_certificate",
    ]

    /// Connection fields whose definite keyless values the keyed story must repeat.
    private static let stableFields = ["established", "version", "cipher_suite", "renegotiations", "certificate_request",
                                       "client_authenticated", "secure_renegotiation"]

    private func check(_ suite: Suite, _ kase: Case, file: StaticString = #filePath, line: UInt = #line) throws {
        let name = "matrix-\(suite.rawValue)-\(kase.rawValue)"
        let failuresAtStart = testRun?.totalFailureCount ?? 0
        let capture = try MatrixCapture.take(name)
        let keyless = try capture.story(keys: false)
        let keyed = try capture.story(keys: true)

        assertKeyed(keyed, suite, kase)
        assertKeyless(keyless, kase)
        assertOnlyAdds(keyless: keyless, keyed: keyed)
        assertTextAgrees(keyless)
        assertTextAgrees(keyed)

        if (testRun?.totalFailureCount ?? 0) > failuresAtStart {
            print("RenegotiationMatrixTests: \(name): files kept in \(capture.directory.path) "
                  + "(tlsdump -r \(capture.pcap.path) -k \(capture.keys.path))")
        } else {
            try? FileManager.default.removeItem(at: capture.directory)
        }
    }

    // MARK: - With keys: the exact story

    private func assertKeyed(_ s: Story, _ suite: Suite, _ kase: Case) {
        let c = s.connection
        let at = s.label
        XCTAssertEqual(c.bool("decrypted"), true, "\(at): connection.decrypted (the key log must have been used)")
        XCTAssertEqual(c.bool("established"), true, "\(at): established")
        XCTAssertEqual(c.string("version"), suite.version, "\(at): version")
        XCTAssertEqual(c.object("cipher_suite")?.string("code"), suite.cipherSuiteCode, "\(at): cipher_suite")
        XCTAssertEqual(c.int("renegotiations"), 1, "\(at): renegotiations")
        XCTAssertEqual(c.bool("secure_renegotiation"), true, "\(at): secure_renegotiation")

        let handshakes = s.handshakes
        XCTAssertEqual(handshakes.count, 2, "\(at): handshakes \(describe(c["handshakes"]))")
        if let first = handshakes.first {
            XCTAssertEqual(first.string("initiator"), "client", "\(at): handshakes[0].initiator")
            XCTAssertEqual(first.string("outcome"), "completed", "\(at): handshakes[0].outcome")
        }
        // Every record was decrypted: the premise of an exact story.
        for (i, hs) in handshakes.enumerated() {
            for m in hs.messages where m.bool("encrypted") == true {
                XCTAssertEqual(m.bool("decrypted"), true, "\(at): handshakes[\(i)] message not decrypted: \(describe(m.raw))")
            }
        }

        // The renegotiation: initiator and outcome, in the events and the summary.
        let reneg = handshakes.count > 1 ? handshakes[1] : JSONObject([:])
        XCTAssertEqual(reneg.string("initiator"), kase.initiator, "\(at): handshakes[1].initiator")
        XCTAssertEqual(reneg.string("outcome"), kase.outcome, "\(at): handshakes[1].outcome")
        XCTAssertEqual(reneg.bool("encrypted"), true, "\(at): handshakes[1].encrypted")
        let events = s.renegotiationEvents
        XCTAssertFalse(events.isEmpty, "\(at): no renegotiation event")
        for e in events {
            XCTAssertEqual(e.int("handshake"), 1, "\(at): renegotiation event \(describe(e.raw))")
            XCTAssertEqual(e.string("initiator"), kase.initiator, "\(at): renegotiation event initiator")
            XCTAssertEqual(e.bool("secure"), true, "\(at): renegotiation event secure")
            if let outcome = e.string("outcome"), outcome != "unknown" {
                XCTAssertEqual(outcome, kase.outcome, "\(at): a renegotiation event with another definite outcome")
            }
        }
        XCTAssertEqual(events.last?.string("outcome"), kase.outcome,
                       "\(at): last renegotiation event's outcome (all: \(events.map { $0.string("outcome") ?? "null" }))")

        // Findings: who started it, and refused vs failed.
        let ids = s.findingIDs
        let started = kase.initiator == "server" ? "renegotiation.server_initiated" : "renegotiation.client_initiated"
        let other = kase.initiator == "server" ? "renegotiation.client_initiated" : "renegotiation.server_initiated"
        XCTAssertTrue(ids.contains(started), "\(at): \(started) missing from \(ids.sorted())")
        XCTAssertFalse(ids.contains(other), "\(at): \(other) in \(ids.sorted())")
        XCTAssertEqual(ids.contains("renegotiation.refused"), kase.outcome == "refused",
                       "\(at): renegotiation.refused \(kase.outcome == "refused" ? "missing" : "raised for a \(kase.outcome) renegotiation"): \(ids.sorted())")
        XCTAssertEqual(ids.contains("renegotiation.failed"), kase.outcome == "failed",
                       "\(at): renegotiation.failed \(kase.outcome == "failed" ? "missing" : "raised for a \(kase.outcome) renegotiation"): \(ids.sorted())")
        XCTAssertEqual(ids.contains("client_auth.via_renegotiation"), kase == .serverClientCertificate,
                       "\(at): client_auth.via_renegotiation: \(ids.sorted())")
        XCTAssertFalse(ids.contains("client_auth.no_certificate"), "\(at): the client never sent an empty Certificate: \(ids.sorted())")
        XCTAssertFalse(ids.contains("renegotiation.insecure"), "\(at): RFC 5746 was in force: \(ids.sorted())")

        // Client authentication: exact, not null.
        XCTAssertEqual(c.string("certificate_request"), kase.certificateRequest,
                       "\(at): certificate_request is \(describe(c["certificate_request"])) (unknown: \(describe(c["unknown"])))")
        XCTAssertEqual(c.bool("client_authenticated"), kase.clientAuthenticated,
                       "\(at): client_authenticated is \(describe(c["client_authenticated"]))")
        let requests = s.events(ofType: "certificate_request")
        if kase == .serverClientCertificate {
            XCTAssertEqual(requests.count, 1, "\(at): certificate_request events \(requests.map { describe($0.raw) })")
            for r in requests {
                XCTAssertEqual(r.int("handshake"), 1, "\(at): certificate_request.handshake")
                XCTAssertEqual(r.string("phase"), "renegotiation", "\(at): certificate_request.phase")
                XCTAssertEqual(r.bool("after_application_data"), true, "\(at): certificate_request.after_application_data")
                XCTAssertEqual(r.array("ca_names")?.compactMap { $0 as? String }, ["CN=tlsdump test CA,O=tlsdump"],
                               "\(at): certificate_request.ca_names, decrypted")
            }
            XCTAssertEqual(c.object("client_certificate")?.string("subject"), "CN=client.test,O=tlsdump", "\(at): client_certificate")
        } else {
            XCTAssertTrue(requests.isEmpty, "\(at): no CertificateRequest was sent: \(requests.map { describe($0.raw) })")
            XCTAssertNil(c.object("client_certificate"), "\(at): client_certificate \(describe(c["client_certificate"]))")
        }

        // Nothing is inferred when everything was decrypted.
        assertNothingInferred(s)

        // The decrypted transcript makes the case what it is.
        let sent = reneg.messages.map { "\($0.string("sender") ?? "?"):\($0.string("type") ?? "null")" }
        let fromClient = reneg.messages.filter { $0.string("sender") == "client" }.map { $0.string("type") ?? "null" }
        let fromServer = reneg.messages.filter { $0.string("sender") == "server" }.map { $0.string("type") ?? "null" }
        if kase.initiator == "server" {
            XCTAssertEqual(sent.first, "server:HelloRequest", "\(at): handshake 1 messages \(sent)")
        } else {
            XCTAssertEqual(sent.first, "client:ClientHello", "\(at): handshake 1 messages \(sent)")
            XCTAssertFalse(fromServer.contains("HelloRequest"), "\(at): the client started it: \(sent)")
        }
        XCTAssertEqual(fromServer.contains("CertificateRequest"), kase == .serverClientCertificate, "\(at): handshake 1 messages \(sent)")
        switch kase {
        case .serverClientCertificate:
            XCTAssertTrue(fromClient.contains("Certificate") && fromClient.contains("CertificateVerify"), "\(at): \(sent)")
        case .serverNoCertificateRequest, .clientCompleted:
            XCTAssertTrue(fromClient.contains("Finished") && fromServer.contains("Finished"), "\(at): \(sent)")
            XCTAssertFalse(fromClient.contains("Certificate"), "\(at): \(sent)")
        case .serverRefused:
            XCTAssertEqual(fromClient, [], "\(at): refused: no ClientHello, an alert instead: \(sent)")
        case .serverFailed:
            XCTAssertEqual(fromClient, ["ClientHello"], "\(at): the client's hello, then its alert: \(sent)")
            XCTAssertTrue(fromServer.contains("ServerHello") && fromServer.contains("Certificate"), "\(at): \(sent)")
        case .clientRefused:
            XCTAssertEqual(fromServer, [], "\(at): refused: no ServerHello, an alert instead: \(sent)")
            XCTAssertEqual(fromClient, ["ClientHello"], "\(at): \(sent)")
        }
        let renegotiationAlerts = s.events(ofType: "alert").filter { $0.int("handshake") == 1 && $0.string("description") != "close_notify" }
        if let alert = expectedAlert(suite, kase) {
            let first = renegotiationAlerts.first
            XCTAssertEqual(first?.string("sender"), alert.sender, "\(at): first alert of handshake 1 \(describe(first?.raw))")
            XCTAssertEqual(first?.string("level"), alert.level, "\(at): first alert of handshake 1 \(describe(first?.raw))")
            XCTAssertEqual(first?.string("description"), alert.description, "\(at): first alert of handshake 1 \(describe(first?.raw))")
        } else {
            XCTAssertTrue(renegotiationAlerts.isEmpty, "\(at): only close_notify expected: \(renegotiationAlerts.map { describe($0.raw) })")
        }
    }

    /// With keys every `inferred` flag, wherever an event has one, is false.
    private func assertNothingInferred(_ s: Story) {
        for e in s.events {
            let type = e.string("type") ?? "?"
            if let inferred = e["inferred"] {
                XCTAssertEqual(inferred as? Bool, false, "\(s.label): \(type) event inferred: \(describe(e.raw))")
            }
            if type == "finding", let inferred = e.object("evidence")?["inferred"] {
                XCTAssertEqual(inferred as? Bool, false,
                               "\(s.label): finding \(e.string("id") ?? "?") evidence.inferred is \(describe(inferred)) although every record was decrypted")
            }
        }
        for field in ["certificate_request_inferred", "client_authenticated_inferred"] {
            if let value = s.connection[field], !(value is NSNull) {
                XCTAssertEqual(value as? Bool, false, "\(s.label): connection.\(field)")
            }
        }
        for (i, hs) in s.handshakes.enumerated() {
            for m in hs.messages where m.bool("inferred") != false {
                XCTFail("\(s.label): handshakes[\(i)] message inferred: \(describe(m.raw))")
            }
        }
    }

    // MARK: - Without keys: the same or less certain, inferences marked

    private func assertKeyless(_ s: Story, _ kase: Case) {
        let c = s.connection
        let at = s.label
        XCTAssertEqual(c.bool("decrypted"), false, "\(at): connection.decrypted (no key may be used)")
        let handshakes = s.handshakes
        XCTAssertEqual(handshakes.count, 2, "\(at): handshakes \(describe(c["handshakes"]))")
        let reneg = handshakes.count > 1 ? handshakes[1] : JSONObject([:])
        XCTAssertEqual(reneg.string("initiator"), kase.initiator, "\(at): handshakes[1].initiator")
        let allowed: Set<String?> = [kase.outcome, "unknown", nil]
        XCTAssertTrue(allowed.contains(reneg.string("outcome")),
                      "\(at): handshakes[1].outcome \(describe(reneg["outcome"])), with keys \(kase.outcome): another definite outcome")
        let events = s.renegotiationEvents
        XCTAssertFalse(events.isEmpty, "\(at): no renegotiation event")
        for e in events {
            XCTAssertEqual(e.string("initiator"), kase.initiator, "\(at): renegotiation event initiator")
            XCTAssertTrue(allowed.contains(e.string("outcome")),
                          "\(at): renegotiation event outcome \(describe(e["outcome"])), with keys \(kase.outcome): another definite outcome")
        }
        if let request = c.string("certificate_request") {
            XCTAssertEqual(request, kase.certificateRequest, "\(at): certificate_request")
        }
        if let authenticated = c.bool("client_authenticated") {
            XCTAssertEqual(authenticated, kase.clientAuthenticated, "\(at): client_authenticated")
        }
        let ids = s.findingIDs
        if kase.outcome != "refused" {
            XCTAssertFalse(ids.contains("renegotiation.refused"), "\(at): renegotiation.refused for a \(kase.outcome) renegotiation: \(ids.sorted())")
        }
        if kase.outcome != "failed" {
            XCTAssertFalse(ids.contains("renegotiation.failed"), "\(at): renegotiation.failed for a \(kase.outcome) renegotiation: \(ids.sorted())")
        }
        let other = kase.initiator == "server" ? "renegotiation.client_initiated" : "renegotiation.server_initiated"
        XCTAssertFalse(ids.contains(other), "\(at): \(other) in \(ids.sorted())")
        assertInferencesMarked(s)
    }

    /// Without keys whatever is told about the encrypted renegotiation is inferred, and says so.
    private func assertInferencesMarked(_ s: Story) {
        let at = s.label
        for e in s.events(ofType: "hello_request") where e.bool("encrypted") == true {
            XCTAssertEqual(e.bool("inferred"), true, "\(at): an encrypted HelloRequest seen without keys: \(describe(e.raw))")
        }
        for e in s.events(ofType: "certificate_request") where e.bool("encrypted") == true {
            XCTAssertEqual(e.bool("inferred"), true, "\(at): an encrypted CertificateRequest seen without keys: \(describe(e.raw))")
        }
        for (i, hs) in s.handshakes.enumerated() {
            for m in hs.messages where m.bool("encrypted") == true {
                XCTAssertNotEqual(m.bool("decrypted"), true, "\(at): handshakes[\(i)] message decrypted without keys: \(describe(m.raw))")
                if m.string("type") != nil {
                    XCTAssertEqual(m.bool("inferred"), true, "\(at): handshakes[\(i)] encrypted message named but not inferred: \(describe(m.raw))")
                }
            }
        }
        // The first handshake had no CertificateRequest: what is known of one, or of the
        // client's certificate, comes from the encrypted renegotiation.
        if s.connection.string("certificate_request") != nil {
            XCTAssertEqual(s.connection.bool("certificate_request_inferred"), true,
                           "\(at): certificate_request \(describe(s.connection["certificate_request"])) without keys is inferred")
        }
        if s.connection.bool("client_authenticated") != nil {
            XCTAssertEqual(s.connection.bool("client_authenticated_inferred"), true,
                           "\(at): client_authenticated \(describe(s.connection["client_authenticated"])) without keys is inferred")
        }
    }

    // MARK: - Keys only add

    private func assertOnlyAdds(keyless: Story, keyed: Story) {
        for field in Self.stableFields where isDefinite(keyless.connection[field]) {
            XCTAssertEqual(canonical(keyed.connection[field]), canonical(keyless.connection[field]),
                           "connection.\(field): \(describe(keyless.connection[field])) without keys, \(describe(keyed.connection[field])) with keys")
        }
        XCTAssertEqual(keyless.handshakes.count, keyed.handshakes.count, "handshakes: as many with keys as without")
        for (i, hs) in keyless.handshakes.enumerated() where i < keyed.handshakes.count {
            for field in ["initiator", "outcome"] where isDefinite(hs[field]) {
                XCTAssertEqual(canonical(keyed.handshakes[i][field]), canonical(hs[field]),
                               "handshakes[\(i)].\(field): \(describe(hs[field])) without keys, \(describe(keyed.handshakes[i][field])) with keys")
            }
        }
        let keylessOutcomes = Set(keyless.renegotiationEvents.compactMap { $0.string("outcome") }.filter { $0 != "unknown" })
        let keyedOutcomes = Set(keyed.renegotiationEvents.compactMap { $0.string("outcome") }.filter { $0 != "unknown" })
        XCTAssertTrue(keylessOutcomes.isSubset(of: keyedOutcomes),
                      "renegotiation event outcomes: \(keylessOutcomes.sorted()) without keys, \(keyedOutcomes.sorted()) with keys")
        let lost = keyless.findingIDs.intersection(Self.renegotiationFindings).subtracting(keyed.findingIDs)
        XCTAssertTrue(lost.isEmpty, "findings without keys that keys take back: \(lost.sorted()) (with keys: \(keyed.findingIDs.sorted()))")
    }

    // MARK: - Text view

    /// "handshake 1 (renegotiation, started by server, encrypted): ... -> completed" agrees with the JSON.
    private func assertTextAgrees(_ s: Story) {
        let lines = s.text.split(separator: "\n").map(String.init).compactMap(TextHandshake.init)
        XCTAssertEqual(lines.map(\.index), Array(0..<s.handshakes.count), "\(s.label), text: handshake lines \(lines)\n\(s.text)")
        for (line, hs) in zip(lines, s.handshakes) {
            XCTAssertEqual(line.outcome, hs.string("outcome"), "\(s.label), text: handshake \(line.index) outcome, JSON \(describe(hs["outcome"])): \(line.raw)")
            if line.index > 0 {
                XCTAssertEqual(line.startedBy, hs.string("initiator"), "\(s.label), text: handshake \(line.index) initiator: \(line.raw)")
                // Inferred in the JSON, inferred in the text; what keys said of the sizes, in both.
                XCTAssertEqual(line.qualifiers.contains("(inferred)"), hs.bool("inferred") == true && line.outcome != "unknown",
                               "\(s.label), text: handshake \(line.index) inferred: \(line.raw)")
                XCTAssertEqual(line.qualifiers.contains("size inference"), hs.string("size_inference") != nil,
                               "\(s.label), text: handshake \(line.index) size inference: \(line.raw)")
                if let check = hs.string("size_inference") {
                    XCTAssertTrue(line.qualifiers.contains("size inference \(check)"), "\(s.label): \(line.raw)")
                }
            }
        }
    }

    struct TextHandshake: CustomStringConvertible {
        let index: Int
        let startedBy: String?
        let outcome: String
        let qualifiers: String
        let raw: String

        init?(_ line: String) {
            let prefix = "  handshake "
            guard line.hasPrefix(prefix), let arrow = line.range(of: " -> ", options: .backwards) else { return nil }
            let rest = line.dropFirst(prefix.count)
            guard let number = Int(rest.prefix { $0.isNumber }) else { return nil }
            index = number
            // The outcome word, then what qualifies it: "(inferred)", "(size inference confirmed by decryption)".
            let after = line[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
            outcome = String(after.prefix { !$0.isWhitespace })
            qualifiers = String(after.dropFirst(outcome.count)).trimmingCharacters(in: .whitespaces)
            if let by = line.range(of: "started by ") {
                startedBy = String(line[by.upperBound...].prefix { $0.isLetter })
            } else {
                startedBy = nil
            }
            raw = line
        }

        var description: String { raw }
    }
}

// MARK: - Capture and tlsdump runs

/// One matrix scenario captured live by Peers/scenario.sh: the pcap and the client's key log.
struct MatrixCapture {
    let name: String
    let directory: URL
    let pcap: URL
    let keys: URL

    static func take(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> MatrixCapture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-matrix-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = try Scenario.runScript(name, directory: directory)
        guard result.status == 0 else {
            let why = result.status == 3 ? "a tool the real-peer tests need is missing" : "the scenario failed"
            XCTFail("\(name): \(why) (scenario.sh exit status \(result.status)); files in \(directory.path)\n\(result.stderr)", file: file, line: line)
            throw Scenario.ScenarioError.failed(name)
        }
        guard let path = result.stdout.split(separator: "\n").last.map(String.init), FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(name): scenario.sh printed no capture path (stdout: \(result.stdout))", file: file, line: line)
            throw Scenario.ScenarioError.failed(name)
        }
        let pcap = URL(fileURLWithPath: path)
        let keys = pcap.deletingPathExtension().appendingPathExtension("keys")
        guard let size = try? FileManager.default.attributesOfItem(atPath: keys.path)[.size] as? Int, size > 0 else {
            XCTFail("\(name): no key log at \(keys.path)", file: file, line: line)
            throw Scenario.ScenarioError.failed(name)
        }
        return MatrixCapture(name: name, directory: directory, pcap: pcap, keys: keys)
    }

    /// tlsdump's JSON and text views, with or without the key log; the outputs are
    /// kept beside the capture (NAME.keys.json, NAME.nokeys.txt, ...).
    func story(keys withKeys: Bool, file: StaticString = #filePath, line: UInt = #line) throws -> Story {
        let label = withKeys ? "\(name) with keys" : "\(name) without keys"
        var base = ["-r", pcap.path]
        if withKeys { base += ["-k", keys.path] }
        let tag = withKeys ? "keys" : "nokeys"
        let json = try run(base + ["--format", "json"], output: "\(name).\(tag).json")
        let text = try run(base + ["--format", "text", "--color", "never"], output: "\(name).\(tag).txt")
        var events: [JSONObject] = []
        for (n, row) in json.split(separator: "\n").enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any] else {
                XCTFail("\(label): line \(n + 1) is not a JSON object: \(row)", file: file, line: line)
                continue
            }
            events.append(JSONObject(object))
        }
        let connections = events.filter { $0.string("type") == "connection" }
        XCTAssertEqual(connections.count, 1, "\(label): one TLS connection expected in \(pcap.path)", file: file, line: line)
        guard let connection = connections.first else { throw Scenario.ScenarioError.failed(name) }
        return Story(label: label, events: events, connection: connection, text: text)
    }

    /// The tlsdump binary (.build/debug/tlsdump), stdout to a file in the scenario's
    /// directory; SSLKEYLOGFILE is removed from its environment (tlsdump reads it).
    private func run(_ arguments: [String], output: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let outURL = directory.appendingPathComponent(output)
        let errURL = directory.appendingPathComponent(output + ".stderr")
        XCTAssertTrue(FileManager.default.createFile(atPath: outURL.path, contents: nil), outURL.path)
        XCTAssertTrue(FileManager.default.createFile(atPath: errURL.path, contents: nil), errURL.path)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = Paths.tlsdump
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SSLKEYLOGFILE"] = nil
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, "tlsdump \(arguments.joined(separator: " ")): \(stderr)", file: file, line: line)
        return stdout
    }
}

/// What one tlsdump run told about the capture's one connection.
struct Story {
    let label: String
    let events: [JSONObject]
    let connection: JSONObject
    let text: String

    func events(ofType type: String) -> [JSONObject] { events.filter { $0.string("type") == type } }

    var handshakes: [JSONObject] { connection.array("handshakes")?.compactMap { ($0 as? [String: Any]).map(JSONObject.init) } ?? [] }

    var renegotiationEvents: [JSONObject] { events(ofType: "renegotiation") }

    var findingIDs: Set<String> { Set(events(ofType: "finding").compactMap { $0.string("id") }) }
}

/// A JSON object with typed, null-aware accessors (JSON null and absent are both nil).
struct JSONObject {
    let raw: [String: Any]

    init(_ raw: [String: Any]) { self.raw = raw }

    subscript(key: String) -> Any? { raw[key] }

    func string(_ key: String) -> String? { raw[key] as? String }
    func bool(_ key: String) -> Bool? { raw[key] as? Bool }
    func int(_ key: String) -> Int? { raw[key] as? Int }
    func array(_ key: String) -> [Any]? { raw[key] as? [Any] }
    func object(_ key: String) -> JSONObject? { (raw[key] as? [String: Any]).map(JSONObject.init) }

    /// A handshake's messages.
    var messages: [JSONObject] { array("messages")?.compactMap { ($0 as? [String: Any]).map(JSONObject.init) } ?? [] }
}

/// A value that says something: not absent, not null, not "unknown".
private func isDefinite(_ value: Any?) -> Bool {
    guard let value, !(value is NSNull) else { return false }
    return (value as? String) != "unknown"
}

/// A JSON value as canonical text, to compare values of any type.
private func canonical(_ value: Any?) -> String {
    guard let value else { return "absent" }
    guard let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed]),
          let text = String(data: data, encoding: .utf8) else { return "\(value)" }
    return String(text.dropFirst().dropLast())
}

private func describe(_ value: Any?) -> String { canonical(value) }
