import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `tlsdump -i lo` capturing real OpenSSL peers on loopback (driven by
/// Live/peers.sh): events stream while the capture runs, SIGINT ends it
/// cleanly with the open connections and a final `stats`, `-w` writes a
/// capture that reads back to the same connections, `-c` stops, and a bad
/// interface is one clear line. Needs root (or CAP_NET_RAW), as CI has.
final class LiveCaptureTests: XCTestCase {
    private var processes: [Process] = []
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-live-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // -Z nobody must be able to write its -w file here.
        chmod(scratch.path, 0o777)
    }

    override func tearDown() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        processes.removeAll()
        try? FileManager.default.removeItem(at: scratch)
    }

    private func requireCapturePrivileges() throws {
        if geteuid() != 0 {
            throw XCTSkip("live capture needs root or CAP_NET_RAW (CI runs the tests as root)")
        }
    }

    // MARK: the tests

    func testLiveCaptureStreamsEventsAndStopsCleanlyOnSIGINT() throws {
        try requireCapturePrivileges()
        let plainPort = try freeLoopbackPort(SOCK_STREAM), iisPort = try freeLoopbackPort(SOCK_STREAM), holdPort = try freeLoopbackPort(SOCK_STREAM)
        let live = try startLive(["--format", "json", "--port", "\(plainPort)", "--port", "\(iisPort)",
                                  "--port", "\(holdPort)", "--stats-interval", "0.3"])
        XCTAssertEqual(live.stderrLines().first,
                       "tlsdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes")

        try runPeers("plain-tls12", port: plainPort)
        try runPeers("iis-tls10", port: iisPort)
        // A connection still open when the capture stops.
        let hold = try startPeers("hold-tls12", port: holdPort)
        // Streaming: its handshake shows while the connection is open and tlsdump runs.
        try live.waitForEvents("the open connection's handshake_done") { events in
            events.contains { $0["type"] as? String == "handshake_done" && serverPort($0) == holdPort }
        }
        live.interrupt()
        XCTAssertEqual(try live.waitForExit(), 0, live.stderrText())
        _ = FileManager.default.createFile(atPath: hold.workdir.appendingPathComponent("release").path, contents: nil)
        _ = try waitForExit(hold.process, seconds: 15)

        let events = try live.events()
        let connections = events.filter { $0["type"] as? String == "connection" }
        XCTAssertEqual(connections.count, 3, "\(connections)")
        let plain = try XCTUnwrap(connections.first { serverPort($0) == plainPort })
        XCTAssertEqual(plain["version"] as? String, "TLSv1.2")
        XCTAssertEqual((plain["cipher_suite"] as? [String: Any])?["name"] as? String, "TLS_RSA_WITH_AES_128_CBC_SHA")
        XCTAssertEqual((plain["handshakes"] as? [Any])?.count, 1)
        XCTAssertEqual(plain["close"] as? String, "fin")

        let iis = try XCTUnwrap(connections.first { serverPort($0) == iisPort })
        XCTAssertGreaterThanOrEqual(iis["renegotiations"] as? Int ?? 0, 1, "\(iis)")
        XCTAssertEqual((iis["handshakes"] as? [Any])?.count, 2, "\(iis)")
        XCTAssertEqual(iis["version"] as? String, "TLSv1.0")

        let open = try XCTUnwrap(connections.first { serverPort($0) == holdPort })
        XCTAssertEqual(open["close"] as? String, "end_of_input", "flushed at SIGINT")
        XCTAssertEqual(open["established"] as? Bool, true)

        for port in [plainPort, iisPort, holdPort] {
            XCTAssertTrue(events.contains { $0["type"] as? String == "client_hello" && serverPort($0) == port }, "client_hello on \(port)")
            XCTAssertTrue(events.contains { $0["type"] as? String == "server_hello" && serverPort($0) == port }, "server_hello on \(port)")
        }

        let final = try XCTUnwrap(events.last)
        XCTAssertEqual(final["type"] as? String, "stats")
        XCTAssertNotNil(final["dropped"] as? Int, "a live capture reports libpcap's drop count: \(final)")
        XCTAssertEqual(final["tls_connections"] as? Int, 3)
        XCTAssertGreaterThan(final["packets"] as? Int ?? 0, 20)
        let interim = events.dropLast().filter { $0["type"] as? String == "stats" }
        XCTAssertFalse(interim.isEmpty, "--stats-interval 0.3 over a run of more than a second")
        XCTAssertTrue(interim.allSatisfy { $0["dropped"] as? Int != nil })
        XCTAssertTrue(interim.allSatisfy { $0["final"] as? Bool == false }, "interim stats say they are not the last")
        XCTAssertEqual(final["final"] as? Bool, true)
        XCTAssertNotNil(final["received"] as? Int, "libpcap's received count, live")
        XCTAssertFalse(live.stderrText().contains("warning"), live.stderrText())
    }

    /// The client writes its key log while tlsdump captures: tlsdump reads the file again when a
    /// client random is missing, and shows the IIS renegotiation's CertificateRequest decrypted.
    func testLiveKeyLogWrittenDuringTheCaptureDecryptsTheRenegotiation() throws {
        try requireCapturePrivileges()
        let port = try freeLoopbackPort(SOCK_STREAM)
        let keylog = scratch.appendingPathComponent("live-keys-\(port).log")
        let live = try startLive(["--format", "json", "--port", "\(port)", "-k", keylog.path])
        try runPeers("iis-tls10", port: port, keylog: keylog)
        try live.waitForEvents("the connection's certificate_request") { events in
            events.contains { $0["type"] as? String == "certificate_request" }
        }
        live.interrupt()
        XCTAssertEqual(try live.waitForExit(), 0, live.stderrText())
        let events = try live.events()
        let request = try XCTUnwrap(events.first { $0["type"] as? String == "certificate_request" })
        XCTAssertEqual(request["phase"] as? String, "renegotiation")
        XCTAssertEqual(request["decrypted"] as? Bool, true)
        XCTAssertEqual(request["ca_names"] as? [String], ["CN=tlsdump test CA,O=tlsdump"])
        XCTAssertTrue(events.contains { $0["type"] as? String == "renegotiation" && $0["outcome"] as? String == "completed" })
        let connection = try XCTUnwrap(events.first { $0["type"] as? String == "connection" })
        XCTAssertEqual(connection["decrypted"] as? Bool, true)
        XCTAssertEqual((connection["client_certificate"] as? [String: Any])?["subject"] as? String, "CN=client.test,O=tlsdump")
        XCTAssertEqual(events.last?["type"] as? String, "stats")
    }

    func testKernelDropsAreReportedInStatsAndOnStderr() throws {
        try requireCapturePrivileges()
        let port = try freeLoopbackPort(SOCK_STREAM)
        // In immediate mode a 1 MiB ring holds only a few 256 KiB frames: while
        // tlsdump is stopped (a stand-in for a stalled consumer), the kernel must drop.
        let live = try startLive(["--format", "json", "--port", "\(port)", "-B", "1", "--immediate-mode", "--stats-interval", "0.2"])
        kill(live.process.processIdentifier, SIGSTOP)
        defer { kill(live.process.processIdentifier, SIGCONT) }
        try runPeers("plain-tls12", port: port)
        kill(live.process.processIdentifier, SIGCONT)
        try live.waitForEvents("an interval stats event with drops") { events in
            events.contains { $0["type"] as? String == "stats" && ($0["dropped"] as? Int ?? 0) > 0 }
        }
        live.interrupt()
        XCTAssertEqual(try live.waitForExit(), 0, live.stderrText())
        let final = try XCTUnwrap(try live.events().last)
        XCTAssertEqual(final["type"] as? String, "stats")
        let dropped = try XCTUnwrap(final["dropped"] as? Int)
        XCTAssertGreaterThan(dropped, 0)
        let warnings = live.stderrLines().filter { $0.contains("warning: the kernel dropped") }
        XCTAssertGreaterThanOrEqual(warnings.count, 2, "when the drops grew, and at the end: \(live.stderrText())")
        XCTAssertTrue(warnings.last?.contains("dropped \(dropped) packets in all") == true, "\(warnings)")
    }

    func testWrittenCaptureReadsBackToTheSameConnections() throws {
        try requireCapturePrivileges()
        let port = try freeLoopbackPort(SOCK_STREAM)
        let file = scratch.appendingPathComponent("live.pcap")
        // The same sharding both times, so flow ids match (they depend on the worker count).
        let live = try startLive(["--format", "json", "--port", "\(port)", "-w", file.path, "--threads", "2"])
        try runPeers("plain-tls12", port: port)
        try runPeers("iis-tls10", port: port)
        // Both closed: reported after they linger (2 s), found by the idle tick.
        try live.waitForEvents("two connection events") { events in
            events.filter { $0["type"] as? String == "connection" }.count >= 2
        }
        live.interrupt()
        XCTAssertEqual(try live.waitForExit(), 0, live.stderrText())

        let liveEvents = try live.events()
        let back = try runTLSDump(["-r", file.path, "--format", "json", "--threads", "2"])
        XCTAssertEqual(back.status, 0, String(decoding: back.stderr, as: UTF8.self))
        let fileEvents = try jsonLines(back.stdout)
        // Between connections on different workers, the order of events is not fixed.
        let byFlow = { (a: NSDictionary, b: NSDictionary) in (a["flow"] as? String ?? "") < (b["flow"] as? String ?? "") }
        let liveConnections = connectionEvents(liveEvents).sorted(by: byFlow)
        let fileConnections = connectionEvents(fileEvents).sorted(by: byFlow)
        XCTAssertEqual(liveConnections.count, 2)
        XCTAssertEqual(liveConnections, fileConnections)
        XCTAssertEqual(fileEvents.last?["packets"] as? Int, liveEvents.last?["packets"] as? Int, "every packet analysed was written")
        XCTAssertTrue(fileEvents.last?["dropped"] is NSNull, "null for files")
    }

    func testWriteWhileReadingAFileCopiesThePackets() throws {
        let source = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-tls10.pcap")
        let copy = scratch.appendingPathComponent("copy.pcap")
        let first = try runTLSDump(["-r", source.path, "--format", "json", "-w", copy.path])
        XCTAssertEqual(first.status, 0, String(decoding: first.stderr, as: UTF8.self))
        let second = try runTLSDump(["-r", copy.path, "--format", "json"])
        XCTAssertEqual(second.status, 0)
        let a = connectionEvents(try jsonLines(first.stdout)), b = connectionEvents(try jsonLines(second.stdout))
        XCTAssertEqual(a.count, 1)
        XCTAssertEqual(a, b)
    }

    func testCountStopsAfterThatManyPackets() throws {
        try requireCapturePrivileges()
        let port = try freeLoopbackPort(SOCK_STREAM)
        let live = try startLive(["--format", "json", "--port", "\(port)", "-c", "5"])
        try runPeers("plain-tls12", port: port)  // dozens of packets
        XCTAssertEqual(try live.waitForExit(), 0, "ends by itself: \(live.stderrText())")
        let events = try live.events()
        XCTAssertEqual(events.last?["type"] as? String, "stats")
        XCTAssertEqual(events.last?["packets"] as? Int, 5)
        // The handshake in progress is reported as cut off by the end of input.
        XCTAssertEqual(events.first { $0["type"] as? String == "connection" }?["close"] as? String, "end_of_input")
    }

    func testClosedStdoutEndsLiveCaptureQuietly() throws {
        try requireCapturePrivileges()
        let port = try freeLoopbackPort(SOCK_STREAM)
        let err = scratch.appendingPathComponent("pipe.err"), status = scratch.appendingPathComponent("pipe.status")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", "'\(Paths.tlsdump.path)' -i lo --format json --port \(port) 2>'\(err.path)' | head -1 >/dev/null; echo ${PIPESTATUS[0]} >'\(status.path)'"]
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
        processes.append(shell)
        try waitUntil("tlsdump listening", seconds: 10) { (try? String(contentsOf: err, encoding: .utf8))?.contains("listening on") == true }
        try runPeers("plain-tls12", port: port)
        XCTAssertEqual(try waitForExit(shell, seconds: 10), 0)
        XCTAssertEqual(try String(contentsOf: status, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "0")
        let lines = try String(contentsOf: err, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "only the listening line: \(lines)")
    }

    func testPrivilegesAreDroppedAfterOpening() throws {
        try requireCapturePrivileges()
        guard let entry = getpwnam("nobody") else { throw XCTSkip("no user nobody") }
        let nobody = entry.pointee.pw_uid
        let port = try freeLoopbackPort(SOCK_STREAM)
        let file = scratch.appendingPathComponent("nobody.pcap")
        let live = try startLive(["--format", "json", "--port", "\(port)", "-Z", "nobody", "-w", file.path])
        let status = try String(contentsOfFile: "/proc/\(live.process.processIdentifier)/status", encoding: .utf8)
        let uidLine = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }.map(String.init) ?? ""
        XCTAssertEqual(uidLine.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().compactMap { UInt32($0) },
                       [nobody, nobody, nobody, nobody], uidLine)
        try runPeers("plain-tls12", port: port)
        live.interrupt()
        XCTAssertEqual(try live.waitForExit(), 0, live.stderrText())
        var info = stat()
        XCTAssertEqual(stat(file.path, &info), 0)
        XCTAssertEqual(info.st_uid, nobody, "the -w file is created after the drop, as tcpdump does")
        XCTAssertEqual(connectionEvents(try live.events()).count, 1)
    }

    func testNonexistentInterfaceIsOneLineAndStatus2() throws {
        try requireCapturePrivileges()  // without privileges libpcap reports the permission first
        let r = try runTLSDump(["-i", "nosuch-if0"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(String(decoding: r.stderr, as: UTF8.self),
                       "tlsdump: no such interface: nosuch-if0 (tlsdump -D lists the interfaces)\n")
        XCTAssertTrue(r.stdout.isEmpty)
    }

    func testListInterfacesShowsLoopback() throws {
        let r = try runTLSDump(["-D"])
        XCTAssertEqual(r.status, 0, String(decoding: r.stderr, as: UTF8.self))
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.range(of: #"^\d+\.lo \[.*Loopback"#, options: .regularExpression) != nil }, "\(lines)")
    }

    func testInputIsRequiredAndExclusive() throws {
        let neither = try runTLSDump(["--format", "json"])
        XCTAssertEqual(neither.status, 2)
        XCTAssertTrue(String(decoding: neither.stderr, as: UTF8.self).contains("-i INTERFACE"))
        let both = try runTLSDump(["-r", "x.pcap", "-i", "lo"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(String(decoding: both.stderr, as: UTF8.self).contains("cannot be used together"))
        let badPort = try runTLSDump(["-i", "lo", "--port", "70000"])
        XCTAssertEqual(badPort.status, 2)
        let liveOnly = try runTLSDump(["-r", "x.pcap", "-B", "8"])
        XCTAssertEqual(liveOnly.status, 2)
        XCTAssertTrue(String(decoding: liveOnly.stderr, as: UTF8.self).contains("live capture"))
    }

    // MARK: helpers

    /// A running `tlsdump -i lo ...` with stdout and stderr in files.
    final class LiveRun {
        let process: Process
        let stdout: URL
        let stderr: URL

        init(process: Process, stdout: URL, stderr: URL) {
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
        }

        func stderrText() -> String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
        func stderrLines() -> [String] { stderrText().split(separator: "\n").map(String.init) }

        /// Complete lines only: a line being written is not parsed yet.
        func events() throws -> [[String: Any]] {
            var data = (try? Data(contentsOf: stdout)) ?? Data()
            if let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) {
                data = data.prefix(through: lastNewline)
            } else {
                data = Data()
            }
            return try jsonLines(data)
        }

        func waitForEvents(_ what: String, seconds: Double = 15, _ done: ([[String: Any]]) -> Bool) throws {
            try waitUntil(what, seconds: seconds, detail: { "stderr: \(self.stderrText())" }) {
                done((try? self.events()) ?? []) || !self.process.isRunning
            }
            guard done(try events()) else {
                throw TestFailure(description: "tlsdump ended before \(what): \(stderrText())")
            }
        }

        func interrupt() { kill(process.processIdentifier, SIGINT) }

        func waitForExit(seconds: Double = 10) throws -> Int32 {
            try LiveCaptureTests.waitForExit(process, seconds: seconds)
        }
    }

    private func startLive(_ arguments: [String]) throws -> LiveRun {
        let out = scratch.appendingPathComponent("tlsdump-\(processes.count).out")
        let err = scratch.appendingPathComponent("tlsdump-\(processes.count).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = Paths.tlsdump
        process.arguments = ["-i", "lo"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        processes.append(process)
        let run = LiveRun(process: process, stdout: out, stderr: err)
        try waitUntil("tlsdump to listen", seconds: 10, detail: { run.stderrText() }) {
            run.stderrText().contains("listening on") || !process.isRunning
        }
        guard process.isRunning else { throw TestFailure(description: "tlsdump ended at start: \(run.stderrText())") }
        return run
    }

    private struct Peers {
        let process: Process
        let workdir: URL
        let stderr: URL
    }

    private func startPeers(_ name: String, port: Int, keylog: URL? = nil) throws -> Peers {
        let workdir = scratch.appendingPathComponent("\(name)-\(port)-\(processes.count)")
        let (process, err) = try launchPeers(name, port: port, workdir: workdir, keylog: keylog)
        processes.append(process)
        return Peers(process: process, workdir: workdir, stderr: err)
    }

    /// Runs one conversation to its end (bounded by peers.sh's own 20 s limit and ours).
    private func runPeers(_ name: String, port: Int, keylog: URL? = nil) throws {
        let peers = try startPeers(name, port: port, keylog: keylog)
        let status = try waitForExit(peers.process, seconds: 30)
        let detail = (try? String(contentsOf: peers.stderr, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw TestFailure(description: "peers.sh \(name) failed with status \(status) (3: a tool is missing): \(detail)")
        }
    }


    static func waitForExit(_ process: Process, seconds: Double) throws -> Int32 {
        try waitUntil("process \(process.processIdentifier) to exit", seconds: seconds) { !process.isRunning }
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func waitForExit(_ process: Process, seconds: Double) throws -> Int32 {
        try Self.waitForExit(process, seconds: seconds)
    }
}

/// Polls `condition` every 50 ms; throws when `seconds` pass first.
private func waitUntil(_ what: String, seconds: Double, detail: () -> String = { "" }, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(50_000)
    }
    if try condition() { return }
    throw TestFailure(description: "timed out after \(seconds) s waiting for \(what). \(detail())")
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

private func serverPort(_ event: [String: Any]) -> Int? {
    (event["server"] as? [String: Any])?["port"] as? Int
}

/// The `connection` events as comparable dictionaries (none of their fields
/// is wall-clock time: all come from packet timestamps).
private func connectionEvents(_ events: [[String: Any]]) -> [NSDictionary] {
    events.filter { $0["type"] as? String == "connection" }.map { NSDictionary(dictionary: $0) }
}
