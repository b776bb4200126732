import Foundation
import TLSDumpOutput
import XCTest

/// What a person at a terminal meets: the text, trace and summary views
/// (compared with committed snapshots), exit codes for CI (`--fail-on`),
/// colour, `--sni`, and the ECS view for log shippers.
///
/// Snapshots live in Fixtures/snapshots/<capture>.<view>.txt. After an
/// intended change of the views (or `make captures`), rewrite them with
/// `TLSDUMP_UPDATE_SNAPSHOTS=1 swift test --filter UXTests` and read the diff.
final class UXTests: XCTestCase {
    static let snapshotCaptures = ["iis-renegotiation-tls10", "renegotiation-refused-by-client", "tls13"]
    static let views: [(name: String, arguments: [String])] = [
        ("text", []),
        ("trace", ["--format", "trace"]),
        ("summary", ["--summary"]),
    ]

    private func capture(_ name: String) -> String {
        Paths.bundledCaptures.appendingPathComponent("\(name).pcap").path
    }

    private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    // MARK: Decrypted records in the trace

    /// One rule for every decrypted record: the plaintext length, and the
    /// record's length on the wire beside it (the renegotiation's
    /// ChangeCipherSpec is encrypted under the first handshake's keys).
    func testTraceGivesPlaintextAndWireLengthForEveryDecryptedRecord() throws {
        let name = "iis-renegotiation-tls10"
        let keys = Paths.bundledCaptures.appendingPathComponent("\(name).keys").path
        let r = try runTLSDump(["-r", capture(name), "-k", keys, "--format", "trace", "--color", "never"])
        XCTAssertEqual(r.status, 0, text(r.stderr))
        let records = text(r.stdout).split(separator: "\n").filter { $0.contains(" >>> ") || $0.contains(" <<< ") }
        let decrypted = records.filter { $0.contains("decrypted") }
        XCTAssertGreaterThan(decrypted.count, 20, "\(records)")
        for line in decrypted {
            XCTAssertNotNil(line.range(of: #"\[length [0-9a-f]{4} plaintext, [0-9a-f]{4} on the wire\]"#, options: .regularExpression), String(line))
        }
        for line in records where !line.contains("decrypted") {
            XCTAssertFalse(line.contains("plaintext"), "a record shown as it was on the wire: \(line)")
        }
        // The renegotiation's ChangeCipherSpecs: one byte of plaintext in a 0x24-byte AES-CBC record, both ways.
        let changes = records.filter { $0.contains("ChangeCipherSpec") && $0.contains("decrypted") }
        XCTAssertEqual(changes.count, 2, "\(records)")
        for line in changes { XCTAssertTrue(line.contains("[length 0001 plaintext, 0024 on the wire]"), String(line)) }
    }

    // MARK: Snapshots

    func testViewsMatchSnapshots() throws {
        let folder = Paths.fixtures.appendingPathComponent("snapshots")
        let update = ProcessInfo.processInfo.environment["TLSDUMP_UPDATE_SNAPSHOTS"] == "1"
        for name in Self.snapshotCaptures {
            for view in Self.views {
                let r = try runTLSDump(["-r", capture(name), "--color", "never"] + view.arguments)
                XCTAssertEqual(r.status, 0, text(r.stderr))
                XCTAssertTrue(r.stderr.isEmpty, "no progress or noise on a pipe: \(text(r.stderr))")
                let snapshot = folder.appendingPathComponent("\(name).\(view.name).txt")
                if update {
                    try r.stdout.write(to: snapshot)
                    continue
                }
                let expected = try String(contentsOf: snapshot, encoding: .utf8)
                XCTAssertEqual(text(r.stdout), expected, "\(name) \(view.name) differs from \(snapshot.lastPathComponent)")
            }
        }
    }

    func testSummaryIsOnlyTheTable() throws {
        let r = try runTLSDump(["-r", capture("iis-renegotiation-tls10"), "--summary"])
        let output = text(r.stdout)
        XCTAssertTrue(output.hasPrefix("Summary: 1 TLS connections"), output)
        XCTAssertFalse(output.contains("handshake 0"), output)
    }

    func testSummaryWithJSONIsAUsageError() throws {
        let r = try runTLSDump(["-r", capture("tls13"), "--summary", "--format", "json"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stdout.isEmpty)
        XCTAssertTrue(text(r.stderr).contains("--summary"), text(r.stderr))
    }

    // MARK: Exit codes

    func testFailOnMediumWithMediumFindingsExits1() throws {
        let r = try runTLSDump(["-r", capture("iis-renegotiation-tls10"), "--fail-on", "medium", "--format", "json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.isEmpty, text(r.stderr))
        XCTAssertEqual(try jsonLines(r.stdout).last?["type"] as? String, "stats", "the output is complete all the same")
    }

    func testFailOnHighWithoutHighFindingsExits0() throws {
        let r = try runTLSDump(["-r", capture("ecdhe-tls12"), "--fail-on", "high"])
        XCTAssertEqual(r.status, 0, text(r.stderr))
    }

    func testFailOnCountsFindingsTheOutputFilterHides() throws {
        // --type connection hides the finding events; --fail-on still sees them.
        let r = try runTLSDump(["-r", capture("iis-renegotiation-tls10"), "--fail-on", "low", "--format", "json", "--type", "connection"])
        XCTAssertEqual(r.status, 1)
    }

    func testFailOnUnknownSeverityIsAUsageError() throws {
        let r = try runTLSDump(["-r", capture("tls13"), "--fail-on", "critical"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(text(r.stderr).contains("--fail-on"), text(r.stderr))
    }

    func testInputErrorWinsOverFailOn() throws {
        let r = try runTLSDump(["-r", "/nonexistent/capture.pcap", "--fail-on", "info"])
        XCTAssertEqual(r.status, 2)
    }

    // MARK: Colour

    func testColorAlwaysColoursSeveritiesAndHeaders() throws {
        let output = text(try runTLSDump(["-r", capture("iis-renegotiation-tls10"), "--color", "always"]).stdout)
        XCTAssertTrue(output.contains("\u{1b}[33m[medium] weak_key.rsa"), output)
        XCTAssertTrue(output.contains("\u{1b}[2m[info] renegotiation.server_initiated"), output)
        XCTAssertTrue(output.hasPrefix("\u{1b}[1mC1  "), output)
    }

    func testNoColourOnAPipeNorInJSON() throws {
        let plain = try runTLSDump(["-r", capture("iis-renegotiation-tls10")]).stdout
        XCTAssertFalse(plain.contains(0x1b), "auto on a pipe is plain")
        let json = try runTLSDump(["-r", capture("iis-renegotiation-tls10"), "--format", "json", "--color", "always"]).stdout
        XCTAssertFalse(json.contains(0x1b), "never colour in JSON")
        XCTAssertFalse(try jsonLines(json).isEmpty)
    }

    // MARK: --sni

    func testSNIPatternGlobs() {
        XCTAssertTrue(SNIPattern("*.test").matches("server.test"))
        XCTAssertTrue(SNIPattern("SERVER.*").matches("server.Test"))
        XCTAssertTrue(SNIPattern("s?rver.test").matches("server.test"))
        XCTAssertTrue(SNIPattern("*").matches("anything"))
        XCTAssertTrue(SNIPattern("a*b*c").matches("aXXbYYc"))
        XCTAssertFalse(SNIPattern("a*b*c").matches("aXXbYY"))
        XCTAssertFalse(SNIPattern("*.example.com").matches("example.com"))
        XCTAssertFalse(SNIPattern("*").matches(nil), "no SNI never matches")
        // A hostile name and pattern finish quickly (no exponential backtracking).
        let name = String(repeating: "a", count: 4000)
        XCTAssertFalse(SNIPattern(String(repeating: "*a", count: 50) + "b").matches(name))
    }

    func testSNIFilterKeepsMatchingConnectionsOnly() throws {
        let path = capture("iis-renegotiation-tls10")
        let matched = try jsonLines(try runTLSDump(["-r", path, "--format", "json", "--sni", "*.TEST"]).stdout)
        XCTAssertTrue(matched.contains { $0["type"] as? String == "finding" })
        XCTAssertTrue(matched.contains { $0["type"] as? String == "connection" })
        let none = try jsonLines(try runTLSDump(["-r", path, "--format", "json", "--sni", "other.example"]).stdout)
        XCTAssertEqual(none.compactMap { $0["type"] as? String }, ["stats"])
        let summary = text(try runTLSDump(["-r", path, "--sni", "other.example"]).stdout)
        XCTAssertTrue(summary.hasPrefix("Summary: 0 TLS connections"), summary)
    }

    // MARK: Filters in the trace

    /// The trace shows whole connections: `--only-findings` picks the
    /// connections with findings, `--min-severity` drops the finding lines
    /// below it, `--type` is refused. missing-intermediate.pcap has three
    /// connections; two have findings (high and medium).
    func testTraceFiltersPickConnectionsAndFindingLines() throws {
        let path = Paths.sharedCaptures.appendingPathComponent("zeek/missing-intermediate.pcap").path
        let events = try jsonLines(try runTLSDump(["-r", path, "--format", "json"]).stdout)
        let flows = Set(events.filter { $0["type"] as? String == "connection" }.compactMap { $0["flow"] as? String })
        let flagged = Set(events.filter { $0["type"] as? String == "finding" }.compactMap { $0["flow"] as? String })
        XCTAssertEqual(flows.count, 3)
        XCTAssertTrue(!flagged.isEmpty && flagged.count < flows.count, "the capture needs connections with and without findings")

        func blocks(_ extra: [String]) throws -> (flows: Set<String>, findingLines: [String]) {
            let r = try runTLSDump(["-r", path, "--format", "trace", "--color", "never"] + extra)
            XCTAssertEqual(r.status, 0, text(r.stderr))
            let lines = text(r.stdout).split(separator: "\n").map(String.init)
            let heads = lines.filter { $0.hasPrefix("C") }.compactMap { $0.split(separator: " ").first.map(String.init) }
            return (Set(heads), lines.filter { $0.contains("!!! ") })
        }
        let all = try blocks([])
        XCTAssertEqual(all.flows, flows)
        XCTAssertTrue(all.findingLines.contains { $0.contains("!!! medium") })

        let onlyFindings = try blocks(["--only-findings"])
        XCTAssertEqual(onlyFindings.flows, flagged)
        XCTAssertEqual(onlyFindings.findingLines.count, all.findingLines.count)

        let high = try blocks(["--min-severity", "high"])
        XCTAssertEqual(high.flows, flows, "--min-severity alone keeps every connection")
        XCTAssertFalse(high.findingLines.isEmpty)
        XCTAssertTrue(high.findingLines.allSatisfy { $0.contains("!!! high") }, high.findingLines.joined(separator: "\n"))

        let refused = try runTLSDump(["-r", path, "--format", "trace", "--type", "finding"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stdout.isEmpty)
        XCTAssertTrue(text(refused.stderr).contains("--type"), text(refused.stderr))
    }

    // MARK: ECS

    func testECSLinesCarryTheMappedFields() throws {
        let r = try runTLSDump(["-r", capture("iis-renegotiation-tls10"), "--format", "ecs"])
        XCTAssertEqual(r.status, 0, text(r.stderr))
        let events = try jsonLines(r.stdout)
        XCTAssertGreaterThan(events.count, 5)
        for event in events {
            XCTAssertNotNil(event["@timestamp"] as? String)
            let ecsEvent = try XCTUnwrap(event["event"] as? [String: Any])
            XCTAssertEqual(ecsEvent["category"] as? [String], ["network"])
            XCTAssertNotNil(ecsEvent["kind"] as? String)
            XCTAssertFalse((ecsEvent["type"] as? [String] ?? []).isEmpty)
            XCTAssertNotNil((event["tlsdump"] as? [String: Any])?["type"] as? String)
            if ecsEvent["action"] as? String == "stats" { continue }
            XCTAssertEqual((event["source"] as? [String: Any])?["ip"] as? String, "127.0.0.1")
            XCTAssertNotNil((event["source"] as? [String: Any])?["port"] as? Int)
            XCTAssertEqual((event["destination"] as? [String: Any])?["port"] as? Int, 44300)
            XCTAssertTrue(((event["network"] as? [String: Any])?["community_id"] as? String)?.hasPrefix("1:") == true)
        }
        let connection = try XCTUnwrap(events.first { ($0["event"] as? [String: Any])?["action"] as? String == "connection" })
        let tls = try XCTUnwrap(connection["tls"] as? [String: Any])
        XCTAssertEqual(tls["version"] as? String, "1.0")
        XCTAssertEqual(tls["version_protocol"] as? String, "tls")
        XCTAssertEqual(tls["cipher"] as? String, "TLS_RSA_WITH_AES_128_CBC_SHA")
        XCTAssertEqual(tls["established"] as? Bool, true)
        XCTAssertNotNil(tls["resumed"])
        let client = try XCTUnwrap(tls["client"] as? [String: Any])
        XCTAssertEqual(client["server_name"] as? String, "server.test")
        XCTAssertEqual((client["ja3"] as? String)?.count, 32)
        let server = try XCTUnwrap(tls["server"] as? [String: Any])
        XCTAssertEqual((server["ja3s"] as? String)?.count, 32)
        let x509 = try XCTUnwrap(server["x509"] as? [String: Any])
        XCTAssertEqual((x509["subject"] as? [String: Any])?["distinguished_name"] as? String, "CN=server.test,O=tlsdump")
        XCTAssertEqual((x509["issuer"] as? [String: Any])?["distinguished_name"] as? String, "CN=tlsdump test CA,O=tlsdump")
        XCTAssertNotNil(x509["not_after"] as? String)
        let finding = try XCTUnwrap(events.first { ($0["event"] as? [String: Any])?["kind"] as? String == "alert" })
        XCTAssertNotNil((finding["rule"] as? [String: Any])?["id"] as? String)
        XCTAssertNotNil((finding["event"] as? [String: Any])?["severity"] as? Int)
    }

    // MARK: --write-flagged

    func testWriteFlaggedKeepsOnlyTheFlaggedConnections() throws {
        // Three connections; two negotiate RC4 (a high finding), one does not.
        let source = Paths.sharedCaptures.appendingPathComponent("zeek/missing-intermediate.pcap").path
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-flagged-\(getpid()).pcap")
        defer { try? FileManager.default.removeItem(at: url) }
        let all = try jsonLines(try runTLSDump(["-r", source, "--format", "json", "--type", "connection"]).stdout)
        XCTAssertEqual(all.count, 3)
        let r = try runTLSDump(["-r", source, "--summary", "--min-severity", "high", "--write-flagged", url.path])
        XCTAssertEqual(r.status, 0, text(r.stderr))
        let flagged = try jsonLines(try runTLSDump(["-r", url.path, "--format", "json", "--type", "connection"]).stdout)
        XCTAssertEqual(flagged.count, 2)
        for connection in flagged {
            XCTAssertTrue((connection["findings"] as? [String])?.contains("weak_cipher.rc4") == true, "\(connection)")
            XCTAssertEqual(connection["established"] as? Bool, true, "whole connections, not just the flagged packets")
        }
    }

    func testWriteFlaggedNeedsAFile() throws {
        let capture = try Data(contentsOf: URL(fileURLWithPath: capture("tls13")))
        let r = try runTLSDump(["-r", "-", "--write-flagged", "/tmp/never-written.pcap"], stdin: capture)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(text(r.stderr).contains("--write-flagged"), text(r.stderr))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/never-written.pcap"))
    }

    // MARK: Shell completions (make install)

    func testCompletionScripts() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try runTLSDump(["--generate-completion-script", shell])
            XCTAssertEqual(r.status, 0, shell)
            XCTAssertTrue(text(r.stdout).contains("fail-on"), shell)
        }
    }
}
