import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
@testable import TLSDumpOutput
import XCTest

/// The client catalogue and the stories on the recorded real-client captures
/// (captures/clients: each stack against an IIS-like openssl s_server, with
/// the server's key log and the client's own report beside each capture).
/// Nothing is installed or run live here: the captures are read from the repo.
final class ClientCatalogueTests: XCTestCase {
    static let folder = Paths.bundledCaptures.appendingPathComponent("clients")

    /// (client id, scenario, capture, keys, report) for every recorded case.
    struct Case {
        let client: String
        let scenario: String
        let capture: URL
        let keys: URL
        let report: [String: Any]

        var httpStatus: Int? { report["http_status"] as? Int }
        var bodyReceived: Bool { report["body_received"] as? Bool ?? false }
    }

    static func cases() throws -> [Case] {
        var result: [Case] = []
        let clients = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        for client in clients where client != "programs" {
            let dir = folder.appendingPathComponent(client)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else { continue }
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".pcap") {
                let scenario = String(name.dropLast(5))
                let report = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(scenario + ".report.json")))
                result.append(Case(client: client, scenario: scenario, capture: dir.appendingPathComponent(name),
                                   keys: dir.appendingPathComponent(scenario + ".keys"), report: report as? [String: Any] ?? [:]))
            }
        }
        return result
    }

    private func keyMaterial(_ url: URL) throws -> KeyMaterial {
        var log = KeyLog()
        log.parse(bytes: Array(try Data(contentsOf: url)))
        return KeyMaterial(keyLog: log)
    }

    private func connection(_ c: Case, keys: Bool) throws -> ConnectionSummary {
        try XCTUnwrap(try connections(c, keys: keys).first, "\(c.client) \(c.scenario): no connection")
    }

    /// Every connection of the case, in the order they ended (a client may retry on new connections).
    private func connections(_ c: Case, keys: Bool) throws -> [ConnectionSummary] {
        let material = keys ? try keyMaterial(c.keys) : nil
        let sink = try analyse(c.capture) { if let material { $0.config.keys = material } }
        return sink.connections.map(\.summary)
    }

    private static let badOutcomes: [HandshakeOutcome] = [.refused, .failed, .abandoned]

    // MARK: the catalogue

    func testEveryRecordedCaseIsThere() throws {
        let all = try Self.cases()
        let clients = Set(all.map(\.client))
        XCTAssertEqual(clients.count, ClientCatalogue.all.count, "one folder per catalogued stack: \(clients.sorted())")
        XCTAssertEqual(Set(ClientCatalogue.all.map(\.id)), clients)
        for client in clients {
            XCTAssertEqual(Set(all.filter { $0.client == client }.map(\.scenario)),
                           ["tls12-reneg-noticket", "tls12-reneg", "tls10-reneg", "tls12-certreq-first", "tls13-pha"], client)
        }
    }

    /// The embedded table is what catalogue.py derives from the captures now
    /// (the same script that wrote it, in check mode), and it holds what the data file holds.
    func testEmbeddedTableEqualsWhatTheCapturesGive() throws {
        let script = Self.folder.appendingPathComponent("catalogue.py").path
        var env = ProcessInfo.processInfo.environment
        env["TLSDUMP"] = Paths.tlsdump.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--check"]
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, message)

        let data = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("catalogue.json"))) as? [String: Any]
        let stacks = try XCTUnwrap(data?["stacks"] as? [[String: Any]])
        XCTAssertEqual(stacks.count, ClientCatalogue.all.count)
        for (row, stack) in zip(stacks, ClientCatalogue.all) {
            XCTAssertEqual(row["id"] as? String, stack.id)
            XCTAssertEqual(row["name"] as? String, stack.name)
            XCTAssertEqual(row["version"] as? String, stack.version)
            XCTAssertEqual(row["library"] as? String, stack.library)
            XCTAssertEqual(row["library_family"] as? String, stack.family)
            XCTAssertEqual(row["ja4"] as? [String], stack.ja4)
            XCTAssertEqual(row["ja4_r"] as? [String], stack.ja4Raw)
            let measured = (row["measured"] as? [[String: Any]] ?? []).map { "\($0["scenario"] ?? "")=\($0["outcome"] ?? "")" }
            XCTAssertEqual(measured, stack.measured.map { "\($0.scenario)=\($0.outcome)" }, stack.id)
        }
    }

    /// Every stack is identified on every one of its captures, with or without keys:
    /// exactly, and by name wherever its ClientHello is its own.
    func testEveryStackIsIdentifiedOnItsCaptures() throws {
        let shared = Dictionary(grouping: ClientCatalogue.all.flatMap { s in s.ja4.map { ($0, s.id) } }, by: \.0)
        for c in try Self.cases() {
            for keys in [false, true] {
                let summary = try connection(c, keys: keys)
                let client = try XCTUnwrap(summary.clientSoftware, "\(c.client) \(c.scenario): not identified (\(summary.unknownReasons))")
                XCTAssertEqual(client.basis, .exactJA4, "\(c.client) \(c.scenario)")
                XCTAssertTrue(client.candidates.contains { $0.id == c.client }, "\(c.client) \(c.scenario): \(client.candidates.map(\.id))")
                let ja4 = try XCTUnwrap(summary.ja4)
                if shared[ja4]?.count == 1 {
                    XCTAssertEqual(client.candidates.map(\.id), [c.client])
                    XCTAssertEqual(client.name, ClientCatalogue.all.first { $0.id == c.client }?.name)
                } else {
                    // Several stacks send this hello: all are named, none is picked.
                    XCTAssertGreaterThan(client.candidates.count, 1)
                }
            }
        }
    }

    func testSharedHelloNamesEveryCandidateAndNoGuess() throws {
        let go = try XCTUnwrap(ClientCatalogue.all.first { $0.id == "go-default" })
        let both = try XCTUnwrap(ClientCatalogue.identify(ja4: go.ja4[0]).software)
        XCTAssertEqual(Set(both.candidates.map(\.id)), ["go-default", "go-renegotiate-once"])
        XCTAssertNil(both.name, "the two Go clients differ in what they do; neither is stated as fact")
        XCTAssertEqual(both.library, go.library)
        // They were measured to differ: one refuses the renegotiation, the other completes it.
        XCTAssertEqual(Set(both.candidates.compactMap { $0.outcome(ClientStack.renegotiationScenario) }),
                       ["refuses", "completes_with_certificate"])
    }

    func testLibraryTraitsAndUnknown() throws {
        let curl = try XCTUnwrap(ClientCatalogue.all.first { $0.id == "curl" })
        let parts = curl.ja4[0].split(separator: "_")
        // The same cipher list with other extensions: OpenSSL, but no catalogued stack.
        let near = "\(parts[0])_\(parts[1])_000000000000"
        let traits = try XCTUnwrap(ClientCatalogue.identify(ja4: near).software)
        XCTAssertEqual(traits.basis, .libraryTraits)
        XCTAssertNil(traits.name)
        XCTAssertTrue(traits.candidates.isEmpty)
        XCTAssertEqual(traits.library, "OpenSSL", "the library, not a version it cannot tell")
        XCTAssertTrue(traits.traits.first?.contains(String(parts[1])) == true, "\(traits.traits)")
        guard case .unknown(let reason) = ClientCatalogue.identify(ja4: "t13d0000h2_000000000000_000000000000") else {
            return XCTFail("an unknown hello must not be identified")
        }
        XCTAssertTrue(reason.contains("matches none"), reason)
        guard case .unknown = ClientCatalogue.identify(ja4: nil), case .unknown = ClientCatalogue.identify(ja4: "q13d0310h3_55b375c5d22e_cd85d2d88918"),
              case .unknown = ClientCatalogue.identify(ja4: "garbage") else {
            return XCTFail("no hello, QUIC and malformed JA4s are unknown")
        }
        // A real Chrome 124 ClientHello (Tests/PipelineTests/Peers): not the measured Chromium's
        // JA4, but its cipher list is BoringSSL's: the library, by that trait, and no name.
        let record = try Data(contentsOf: Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Peers/chrome-124-kyber-client-hello.bin"))
        let body = Array(record.dropFirst(9))
        let hello = try body.withUnsafeBytes { buffer throws(ParseError) in try ClientHello.parse(buffer) }
        let chrome124 = Fingerprints.ja4(hello)
        XCTAssertFalse(ClientCatalogue.all.contains { $0.ja4.contains(chrome124) })
        let boring = try XCTUnwrap(ClientCatalogue.identify(ja4: chrome124).software, chrome124)
        XCTAssertEqual(boring.basis, .libraryTraits)
        XCTAssertEqual(boring.library, "BoringSSL")
        XCTAssertNil(boring.name)
        XCTAssertNil(boring.version)
        // An unidentified connection says why in `unknown`.
        let sink = try analyse(Paths.bundledCaptures.appendingPathComponent("tls13.pcap"))
        let summary = try XCTUnwrap(sink.connections.first?.summary)
        XCTAssertNil(summary.clientSoftware)
        let r = try runTLSDump(["-r", Paths.bundledCaptures.appendingPathComponent("tls13.pcap").path, "--format", "json"])
        let line = try XCTUnwrap(String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").first { $0.contains("\"type\":\"connection\"") })
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertTrue(json["client_software"] is NSNull, "null when unknown")
        let unknown = try XCTUnwrap(json["unknown"] as? [String: Any])
        XCTAssertTrue((unknown["client_software"] as? String)?.contains("matches none") == true, "\(unknown)")
    }

    // MARK: outcomes against the clients' own reports

    /// What tlsdump says of each case agrees with what the client itself
    /// reported: a client that got its page saw no failed, refused or abandoned
    /// handshake; a client that got none did, with or without keys; and the
    /// keyless outcomes are the keyed ones.
    func testOutcomesMatchTheClientsOwnReports() throws {
        for c in try Self.cases() {
            let plain = try connections(c, keys: false)
            let keyed = try connections(c, keys: true)
            XCTAssertFalse(plain.isEmpty, "\(c.client) \(c.scenario)")
            for summaries in [plain, keyed] {
                let bad = summaries.enumerated().filter { $0.element.handshakes.contains { Self.badOutcomes.contains($0.outcome) } }
                if c.bodyReceived {
                    // The page came over a connection whose handshakes all completed ...
                    XCTAssertTrue(summaries.contains { $0.established && !$0.handshakes.contains { Self.badOutcomes.contains($0.outcome) } },
                                  "\(c.client) \(c.scenario): the client got its page")
                    // ... and a connection that went wrong before it was one the client gave up and retried (Chromium).
                    for (index, summary) in bad {
                        XCTAssertLessThan(index, summaries.count - 1, "\(c.client) \(c.scenario): a retry follows")
                        for h in summary.handshakes where Self.badOutcomes.contains(h.outcome) {
                            XCTAssertEqual(h.outcome, .abandoned, "\(c.client) \(c.scenario)")
                            XCTAssertEqual(h.endedBy, .client, "\(c.client) \(c.scenario)")
                            XCTAssertEqual(h.endReason, "tcp_close", "\(c.client) \(c.scenario)")
                        }
                    }
                    if let status = c.httpStatus { XCTAssertEqual(status, 200, "\(c.client) \(c.scenario)") }
                } else {
                    XCTAssertNil(c.httpStatus, "\(c.client) \(c.scenario)")
                    XCTAssertFalse(bad.isEmpty, "\(c.client) \(c.scenario): the client failed (\(c.report["error"] ?? "")), tlsdump says all went well")
                    for (_, summary) in bad {
                        XCTAssertNotNil(summary.handshakes.first { Self.badOutcomes.contains($0.outcome) }?.endedBy, "\(c.client) \(c.scenario): who ended it")
                    }
                }
            }
            XCTAssertEqual(plain.map { $0.handshakes.map(\.outcome) }, keyed.map { $0.handshakes.map(\.outcome) },
                           "\(c.client) \(c.scenario): keys change no outcome")
            XCTAssertEqual(plain.map { $0.handshakes.map(\.endedBy) }, keyed.map { $0.handshakes.map(\.endedBy) }, "\(c.client) \(c.scenario)")
            XCTAssertEqual(plain.map { $0.clientSoftware?.candidates.map(\.id) }, keyed.map { $0.clientSoftware?.candidates.map(\.id) })
        }
    }

    /// The text summary and the HTML report count clients by stack.
    func testSummaryAndReportNameTheClients() throws {
        let capture = Self.folder.appendingPathComponent("chromium/tls12-reneg-noticket.pcap").path
        let text = try runTLSDump(["-r", capture, "--summary", "--color", "never"])
        let summary = String(decoding: text.stdout, as: UTF8.self)
        XCTAssertTrue(summary.contains("  clients:\n"), summary)
        XCTAssertTrue(summary.contains("Chromium (headless)") && summary.contains("renegotiation 1 abandoned, 1 completed"), summary)
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("clients-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: report) }
        let html = try runTLSDump(["-r", capture, "--report", report.path, "--report-all"])
        XCTAssertEqual(html.status, 0, String(decoding: html.stderr, as: UTF8.self))
        let page = try String(contentsOf: report, encoding: .utf8)
        XCTAssertTrue(page.contains("Connections by client (measured catalogue)"))
        XCTAssertTrue(page.contains("The client is Chromium (headless)"), "the story names it")
    }

    /// The story with keys adds to the keyless one and never contradicts it: every
    /// keyless sentence, by its opening words (who did what: "The renegotiation
    /// completed.", "The client refused it", "The renegotiation was abandoned:"),
    /// is told with keys too, in the same order, on every connection of every case.
    func testTheStoryWithKeysAddsToTheKeylessOne() throws {
        func openings(_ summary: ConnectionSummary) -> [String] {
            Narrative.sentences(summary).map { $0.split(separator: " ").prefix(4).joined(separator: " ") }
        }
        var told = 0
        for c in try Self.cases() {
            let plain = try connections(c, keys: false), keyed = try connections(c, keys: true)
            XCTAssertEqual(plain.count, keyed.count, "\(c.client) \(c.scenario)")
            for (p, k) in zip(plain, keyed) {
                let without = openings(p), with = openings(k)
                var rest = with[...]
                for sentence in without {
                    guard let at = rest.firstIndex(of: sentence) else {
                        XCTFail("\(c.client) \(c.scenario): \"\(sentence) ...\" is not in the story with keys: \(Narrative.sentences(k))")
                        break
                    }
                    rest = rest[(at + 1)...]
                    told += 1
                }
            }
        }
        XCTAssertGreaterThan(told, 100, "the stories were told")
    }

    /// Chromium: at the renegotiation's CertificateRequest it closes TCP without an alert
    /// (OpenSSL's decode_error follows), then retries on a new connection where the
    /// renegotiation completes with its certificate. The first is abandoned by the client,
    /// not failed by the server, keys or not.
    func testChromiumAbandonsAtTheCertificateRequestAndRetries() throws {
        for c in try Self.cases() where c.client == "chromium" && c.scenario == "tls12-reneg-noticket" {
            XCTAssertTrue(c.bodyReceived, "Chromium got its page in the end")
            for keys in [false, true] {
                let all = try connections(c, keys: keys)
                let first = try XCTUnwrap(all.first)
                let h = try XCTUnwrap(first.handshakes.last)
                XCTAssertEqual(first.handshakes.count, 2)
                XCTAssertEqual(h.outcome, .abandoned)
                XCTAssertEqual(h.endedBy, .client)
                XCTAssertEqual(h.endReason, "tcp_close")
                XCTAssertTrue(first.alerts.contains { $0.sender == .server }, "the server's alert is there, and does not count")
                XCTAssertTrue(first.findingIDs.contains(.renegotiationAbandoned))
                XCTAssertFalse(first.findingIDs.contains(.renegotiationFailed))
                let story = storyText(first)
                XCTAssertTrue(story.contains("The renegotiation was abandoned: the client closed the connection (TCP FIN, no alert)"), story)
                XCTAssertFalse(story.contains("failed"), story)
                XCTAssertEqual(first.clientSoftware?.candidates.map(\.id), ["chromium"])
                XCTAssertTrue(story.contains("measured pattern (captures/clients): it closes the connection at the certificate request, picks a certificate, and retries"), story)
                if keys {
                    XCTAssertTrue(story.contains("picked a certificate, and retried on a new connection"), "the remedy tells the measured pattern: \(story)")
                }
                // The retry: same client hello, the renegotiation completed with the certificate.
                let retry = try XCTUnwrap(all.dropFirst().first { $0.handshakes.count == 2 })
                XCTAssertEqual(retry.ja4, first.ja4)
                XCTAssertEqual(retry.handshakes.last?.outcome, .completed)
                XCTAssertEqual(retry.clientAuthenticated, true)
            }
        }
    }

    /// The Go default client refuses the renegotiation (its report: "no renegotiation");
    /// the JDK, Node, Python, curl, GnuTLS and Go with RenegotiateOnceAsClient complete it
    /// with their certificate (tickets off): the stories say so, keys or not.
    func testRenegotiationStoriesMatchTheClients() throws {
        for c in try Self.cases() where c.scenario == "tls12-reneg-noticket" && c.client != "chromium" {
            for keys in [false, true] {
                let summary = try connection(c, keys: keys)
                let story = storyText(summary)
                XCTAssertTrue(story.contains("The client is "), "\(c.client): the story names the client")
                if c.httpStatus == 200 {
                    XCTAssertEqual(summary.handshakes.count, 2, c.client)
                    XCTAssertEqual(summary.handshakes.last?.outcome, .completed, c.client)
                    XCTAssertEqual(summary.clientAuthenticated, true, c.client)
                    XCTAssertTrue(story.contains("The renegotiation completed."), "\(c.client): \(story)")
                    XCTAssertTrue(story.contains("completed it and sent its certificate"), "\(c.client): the remedy tells what it was measured to do: \(story)")
                    XCTAssertTrue(story.contains("httpcfg set ssl") && story.contains("SSLAlwaysNegoClientCert"), "\(c.client)")
                    XCTAssertFalse(story.contains("Java's HttpClient among them"), "\(c.client): the old, wrong claim")
                } else {
                    XCTAssertEqual(summary.handshakes.last?.outcome, .refused, c.client)
                    XCTAssertEqual(summary.handshakes.last?.endedBy, .client, c.client)
                    if keys { XCTAssertEqual(summary.handshakes.last?.endReason, "no_renegotiation", c.client) }
                    XCTAssertTrue(story.contains("The client refused it"), "\(c.client): \(story)")
                    // The remedy paragraph is there too, with what this client was measured to do.
                    XCTAssertTrue(story.contains("refused it (a no_renegotiation alert"), "\(c.client): \(story)")
                    XCTAssertTrue(story.contains("httpcfg set ssl"), "\(c.client): \(story)")
                }
            }
        }
    }

    /// TLS 1.3 post-handshake authentication: told as such with keys (decrypted)
    /// and without them (inferred from record sizes) for the clients that
    /// offer it; never as a request in the first handshake.
    func testPostHandshakeAuthenticationWithAndWithoutKeys() throws {
        let offering = ["curl", "openssl-s_client", "wget"]
        for c in try Self.cases() where c.scenario == "tls13-pha" && c.bodyReceived {
            let plain = try connection(c, keys: false)
            let keyed = try connection(c, keys: true)
            let plainStory = storyText(plain), keyedStory = storyText(keyed)
            for story in [plainStory, keyedStory] {
                XCTAssertFalse(story.contains("with a client certificate request"), "\(c.client): \(story)")
            }
            if offering.contains(c.client) {
                XCTAssertEqual(keyed.certificateRequest, "post_handshake", c.client)
                XCTAssertFalse(keyed.certificateRequestInferred, c.client)
                XCTAssertEqual(keyed.clientCertificate?.subject, "CN=client.test,O=tlsdump", c.client)
                XCTAssertTrue(keyedStory.contains("TLS 1.3 post-handshake authentication, decrypted"), "\(c.client): \(keyedStory)")
                XCTAssertEqual(plain.certificateRequest, "post_handshake", "\(c.client): inferred without keys")
                XCTAssertTrue(plain.certificateRequestInferred, c.client)
                XCTAssertEqual(plain.clientAuthenticated, true, c.client)
                XCTAssertTrue(plainStory.contains("post-handshake authentication, inferred from encrypted record sizes"), "\(c.client): \(plainStory)")
                XCTAssertTrue(plain.findingIDs.contains(.clientAuthPostHandshake) && keyed.findingIDs.contains(.clientAuthPostHandshake), c.client)
                // The same request: the same client bytes before it, keys or not.
                let plainRequest = try XCTUnwrap(plain.handshakes.first?.certificateRequest)
                let keyedRequest = try XCTUnwrap(keyed.handshakes.first?.certificateRequest)
                XCTAssertEqual(plainRequest.applicationBytesBefore.client, keyedRequest.applicationBytesBefore.client, c.client)
                XCTAssertEqual(plainRequest.msSinceConnectionStart, keyedRequest.msSinceConnectionStart, accuracy: 0.01, c.client)
            } else {
                // Not offered (or not TLS 1.3): no request, and without keys none is claimed.
                XCTAssertNotEqual(keyed.certificateRequest, "post_handshake", c.client)
                XCTAssertNil(plain.certificateRequest, "\(c.client): unknown without keys, not \"none\"")
            }
        }
    }

    /// The story the text, trace and report views print.
    private func storyText(_ summary: ConnectionSummary) -> String {
        Narrative.sentences(summary).joined(separator: " ")
    }
}
