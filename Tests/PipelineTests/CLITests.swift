import Foundation
import XCTest

/// The command line as users meet it: bad input gives one clear line and status 2,
/// good input gives clean NDJSON, stdin works, a closed pipe ends quietly.
final class CLITests: XCTestCase {
    private func stderrLines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testMissingFileIsOneLineAndStatus2() throws {
        let r = try runTLSDump(["-r", "/nonexistent/capture.pcap"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(stderrLines(r.stderr), ["tlsdump: no such file: /nonexistent/capture.pcap"])
        XCTAssertTrue(r.stdout.isEmpty)
    }

    func testNonCaptureFileIsOneLineAndStatus2() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-not-a-capture-\(getpid()).txt")
        try Data("GET / HTTP/1.1\r\nHost: example\r\n\r\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try runTLSDump(["-r", url.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(stderrLines(r.stderr), ["tlsdump: \(url.path) is not a pcap or pcapng capture"])
    }

    func testUnsupportedLinkTypeIsOneLineAndStatus2() throws {
        // A valid pcap file header with link type 105 (IEEE 802.11) and no packets.
        var header: [UInt8] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0]
        header += [105, 0, 0, 0]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-80211-\(getpid()).pcap")
        try Data(header).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try runTLSDump(["-r", url.path])
        XCTAssertEqual(r.status, 2)
        let lines = stderrLines(r.stderr)
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines.first?.contains("unsupported link type") == true, "\(lines)")
        XCTAssertTrue(lines.first?.contains("105") == true, "\(lines)")
    }

    func testTruncatedCaptureReportsWhatWasReadThenWarnsAndFails() throws {
        let source = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap")
        let bytes = try Data(contentsOf: source)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-truncated-\(getpid()).pcap")
        try bytes.prefix(bytes.count * 2 / 3).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try runTLSDump(["-r", url.path, "--format", "json"])
        XCTAssertEqual(r.status, 2)
        let events = try jsonLines(r.stdout)
        XCTAssertEqual(events.last?["type"] as? String, "stats", "everything read is reported, stats last")
        XCTAssertTrue(events.contains { $0["type"] as? String == "client_hello" })
        let lines = stderrLines(r.stderr)
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines.first?.contains("truncated") == true, "\(lines)")
    }

    func testBadFilterIsOneLineAndStatus2() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap").path
        let r = try runTLSDump(["-r", capture, "tcp", "port"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(stderrLines(r.stderr).count, 1)
        XCTAssertTrue(String(decoding: r.stderr, as: UTF8.self).contains("bad capture filter"))
    }

    func testUnknownOptionIsStatus2() throws {
        let r = try runTLSDump(["-r", "x.pcap", "--no-such-option"])
        XCTAssertEqual(r.status, 2)
    }

    func testJSONIsCleanNDJSONWithTheEnvelope() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-tls10.pcap").path
        let r = try runTLSDump(["-r", capture, "--format", "json"])
        XCTAssertEqual(r.status, 0, String(decoding: r.stderr, as: UTF8.self))
        let events = try jsonLines(r.stdout)
        XCTAssertGreaterThan(events.count, 5)
        for event in events {
            XCTAssertEqual(event["schema"] as? Int, 1)
            let ts = try XCTUnwrap(event["ts"] as? String)
            XCTAssertNotNil(ts.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression), ts)
            if event["type"] as? String == "stats" { continue }
            XCTAssertNotNil(event["flow"] as? String)
            XCTAssertTrue((event["community_id"] as? String)?.hasPrefix("1:") == true)
            XCTAssertNotNil((event["client"] as? [String: Any])?["ip"] as? String)
            XCTAssertNotNil((event["server"] as? [String: Any])?["port"] as? Int)
        }
        XCTAssertEqual(events.last?["type"] as? String, "stats")
    }

    func testStdinInput() throws {
        let capture = try Data(contentsOf: Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap"))
        let r = try runTLSDump(["-r", "-", "--format", "json"], stdin: capture)
        XCTAssertEqual(r.status, 0)
        let events = try jsonLines(r.stdout)
        XCTAssertTrue(events.contains { $0["type"] as? String == "connection" })
    }

    func testFilterExpressionSelectsPackets() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap").path
        let r = try runTLSDump(["-r", capture, "--format", "json", "tcp port 1"])
        XCTAssertEqual(r.status, 0)
        let events = try jsonLines(r.stdout)
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?["packets"] as? Int, 0)
    }

    func testTypeFilterKeepsOnlyThoseEvents() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-tls10.pcap").path
        let r = try runTLSDump(["-r", capture, "--format", "json", "--type", "connection"])
        let types = Set(try jsonLines(r.stdout).compactMap { $0["type"] as? String })
        XCTAssertEqual(types, ["connection"])
    }

    func testTextAndTraceFormats() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-tls10.pcap").path
        let text = String(decoding: try runTLSDump(["-r", capture]).stdout, as: UTF8.self)
        XCTAssertTrue(text.contains("TLS_RSA_WITH_AES_128_CBC_SHA"), text)
        XCTAssertTrue(text.contains("Summary: 1 TLS connections"), text)
        let trace = String(decoding: try runTLSDump(["-r", capture, "--format", "trace"]).stdout, as: UTF8.self)
        XCTAssertTrue(trace.contains(">>> TLSv1.0 Handshake [length"), trace)
        XCTAssertTrue(trace.contains("], ClientHello"), trace)
        XCTAssertTrue(trace.contains("<<< TLSv1.0 Handshake [length"), trace)
    }

    func testClosedStdoutEndsQuietly() throws {
        let capture = Paths.sharedCaptures.appendingPathComponent("ja4/tls-handshake.pcapng").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "'\(Paths.tlsdump.path)' -r '\(capture)' --format json | head -1 >/dev/null; echo \"${PIPESTATUS:-}\""]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "", "no noise on stderr")
    }

    func testOutputFile() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap").path
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-out-\(getpid()).ndjson")
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try runTLSDump(["-r", capture, "--format", "json", "-o", url.path])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.isEmpty)
        XCTAssertEqual(try jsonLines(Data(contentsOf: url)).last?["type"] as? String, "stats")
    }
}

func jsonLines(_ data: Data) throws -> [[String: Any]] {
    try data.split(separator: UInt8(ascii: "\n")).map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw NSError(domain: "tlsdump-tests", code: 1, userInfo: [NSLocalizedDescriptionKey: "not a JSON object: \(String(decoding: line, as: UTF8.self))"])
        }
        return object
    }
}
