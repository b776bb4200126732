import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8: events are never half-written. SIGINT, SIGTERM, a reader that
/// goes away (SIGPIPE/EPIPE) and a full disk leave only whole lines, and the
/// final `stats` event says how many events were written.
///
/// These run the real `tlsdump` binary over a capture of about 20 MB made
/// once for the class by ../shared/bench/mkpcap.py from the bundled captures,
/// big enough that a signal or a full disk lands mid-run.
final class OutputIntegrityTests: XCTestCase {

    // MARK: - Signals

    func testSIGINTMidRunLeavesWholeJSONLinesEndingInACountingStats() throws {
        try checkInterruptedJSONRun(signal: SIGINT)
    }

    func testSIGTERMMidRunLeavesWholeJSONLinesEndingInACountingStats() throws {
        try checkInterruptedJSONRun(signal: SIGTERM)
    }

    /// The threaded pipeline: events from two analysis threads, then one final stats that counts them all.
    func testSIGINTMidRunWithTwoThreadsLeavesWholeJSONLinesEndingInACountingStats() throws {
        try checkInterruptedJSONRun(signal: SIGINT, extraArguments: ["--threads", "2"])
    }

    func testSIGTERMMidRunLeavesWholeTextLines() throws {
        let (capture, text) = try interruptedRun(signal: SIGTERM, format: "text")
        XCTAssertEqual(text.last, UInt8(ascii: "\n"), "text output must end with a whole line")
        let decoded = String(validating: text, as: UTF8.self)
        XCTAssertNotNil(decoded, "text output must be valid UTF-8 (no character cut in half)")
        // The final stats event becomes the summary, and it counts only the packets read before the signal.
        let summary = decoded?.split(separator: "\n").last(where: { $0.hasPrefix("Summary: ") })
        XCTAssertNotNil(summary, "the text summary is written after SIGTERM")
        if let packets = summary.flatMap({ Self.number(before: " packets", in: String($0)) }) {
            XCTAssertLessThan(packets, capture.packets, "the signal should have stopped the read mid-file")
        } else {
            XCTFail("no packet count in the summary line: \(summary.map(String.init) ?? "none")")
        }
    }

    func testSIGTERMMidRunLeavesWholeTraceLines() throws {
        let (_, trace) = try interruptedRun(signal: SIGTERM, format: "trace")
        XCTAssertFalse(trace.isEmpty)
        XCTAssertEqual(trace.last, UInt8(ascii: "\n"), "trace output must end with a whole line")
        let decoded = String(validating: trace, as: UTF8.self)
        XCTAssertNotNil(decoded, "trace output must be valid UTF-8 (no character cut in half)")
        // Every connection block is whole: it ends with its "--- closed by" line and a blank line.
        XCTAssertTrue(decoded?.hasSuffix("\n\n") ?? false, "the last trace block must be complete")
        XCTAssertTrue(decoded?.split(separator: "\n").last?.contains("--- closed by") ?? false,
                      "the last trace line closes a connection block")
    }

    // MARK: - A reader that goes away

    func testClosedPipeEndsQuietlyAfterWholeLines() throws {
        let run = try pipedRun(["--format", "json"], readerCutsAfter: 100_000)
        XCTAssertNil(run.signal, "tlsdump must not die of SIGPIPE")
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(String(decoding: run.stderr, as: UTF8.self), "", "a closed reader is not an error worth a word")
        XCTAssertEqual(run.received.count, 100_000)
        assertWholeJSONLines(upToCut: run.received)
    }

    func testClosedPipeWithFailOnExitsZeroOrOne() throws {
        let run = try pipedRun(["--format", "json", "--fail-on", "info"], readerCutsAfter: 100_000)
        XCTAssertNil(run.signal, "tlsdump must not die of SIGPIPE")
        XCTAssertTrue(run.status == 0 || run.status == 1, "status \(String(describing: run.status)): only 0, or 1 for --fail-on")
        XCTAssertEqual(String(decoding: run.stderr, as: UTF8.self), "")
        assertWholeJSONLines(upToCut: run.received)
    }

    // MARK: - A full disk

    func testStdoutOnFullDeviceFailsWithOneLine() throws {
        let run = try runToEnd(["--format", "json"], stdoutPath: "/dev/full")
        assertCleanWriteFailure(run)
    }

    func testOutputFileOnFullDeviceFailsWithOneLine() throws {
        let run = try runToEnd(["--format", "json", "-o", "/dev/full"], stdoutPath: "/dev/null")
        assertCleanWriteFailure(run)
    }

    /// A disk that fills up mid-run: a 1 MiB tmpfs (the tests run as root in CI).
    /// What was written must be whole lines, for `-o FILE` and for stdout to a file.
    func testSmallDiskKeepsOnlyWholeLines() throws {
        let directory = try Self.temporaryDirectory("small-disk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let mount = Self.runTool("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=1m", "tlsdump-test", directory.path])
        guard mount.status == 0 else {
            // Without a mount (not root, or no CAP_SYS_ADMIN) only /dev/full can stand in for a full disk.
            print("OutputIntegrityTests: mounting a 1 MiB tmpfs failed (\(mount.output.trimmingCharacters(in: .whitespacesAndNewlines))); "
                  + "the small-disk case falls back to /dev/full only")
            assertCleanWriteFailure(try runToEnd(["--format", "json", "-o", "/dev/full"], stdoutPath: "/dev/null"))
            return
        }
        defer { _ = Self.runTool("/usr/bin/env", ["umount", directory.path]) }

        let file = directory.appendingPathComponent("events.ndjson")
        let viaOption = try runToEnd(["--format", "json", "-o", file.path], stdoutPath: "/dev/null")
        assertCleanWriteFailure(viaOption)
        assertWholeJSONLines(try Data(contentsOf: file), what: "-o on a full 1 MiB tmpfs")

        try FileManager.default.removeItem(at: file)
        let viaStdout = try runToEnd(["--format", "json"], stdoutPath: file.path)
        assertCleanWriteFailure(viaStdout)
        assertWholeJSONLines(try Data(contentsOf: file), what: "stdout to a file on a full 1 MiB tmpfs")
    }

    // MARK: - Checks

    private func checkInterruptedJSONRun(signal: Int32, extraArguments: [String] = [],
                                         file: StaticString = #filePath, line: UInt = #line) throws {
        let (capture, output) = try interruptedRun(signal: signal, format: "json", extraArguments: extraArguments)
        XCTAssertEqual(output.last, UInt8(ascii: "\n"), "output must end with a whole line", file: file, line: line)
        let lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        var objects: [[String: Any]] = []
        for (index, text) in lines.enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text)) as? [String: Any] else {
                XCTFail("line \(index + 1) of \(lines.count) is not a JSON object: \(String(decoding: text.prefix(200), as: UTF8.self))",
                        file: file, line: line)
                return
            }
            objects.append(object)
        }
        guard let last = objects.last else { return XCTFail("no output", file: file, line: line) }
        XCTAssertEqual(last["type"] as? String, "stats", "the last line is the final stats event", file: file, line: line)
        XCTAssertEqual(last["final"] as? Bool, true, file: file, line: line)
        // `events` counts every event the run wrote, the stats event itself included.
        XCTAssertEqual(last["events"] as? Int, objects.count, "stats.events must equal the lines written", file: file, line: line)
        XCTAssertEqual(objects.filter { $0["type"] as? String == "stats" }.count, 1, file: file, line: line)
        let packets = last["packets"] as? Int ?? .max
        XCTAssertLessThan(packets, capture.packets, "the signal should have stopped the read mid-file", file: file, line: line)
        XCTAssertGreaterThan(objects.filter { $0["type"] as? String == "connection" }.count, 0,
                             "open connections are reported after the signal", file: file, line: line)
    }

    /// Starts tlsdump, waits for its first output (so it is mid-run), sends `signal`, and checks it exits 0.
    private func interruptedRun(signal: Int32, format: String,
                                extraArguments: [String] = []) throws -> (capture: Capture, output: [UInt8]) {
        let capture = try Self.capture()
        let directory = try Self.temporaryDirectory("signal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout").path
        let err = directory.appendingPathComponent("stderr").path
        let child = try Child.spawn([Self.binary.path, "-r", capture.url.path, "--format", format] + extraArguments,
                                    stdout: .path(out), stderr: err)
        // Mid-run: once the first 64 KiB flush has happened (JSON), or after a
        // second and a half of reading (text and trace tell a connection's story
        // when it ends, so their first flush may come only at the end).
        let started = Date()
        while Self.fileSize(out) == 0 && Date().timeIntervalSince(started) < 1.5 && child.isRunning {
            usleep(5_000)
        }
        XCTAssertTrue(child.isRunning, "tlsdump finished before the signal could be sent: the input is too small")
        Glibc.kill(child.pid, signal)
        let end = try child.wait(timeLimit: Self.timeLimit)
        XCTAssertNil(end.signal, "tlsdump must catch signal \(signal) and end cleanly")
        XCTAssertEqual(end.status, 0, "exit status after signal \(signal)")
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        XCTAssertFalse(stderr.contains("Fatal error"), stderr)
        return (capture, (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))) ?? [])
    }

    /// Every line (every piece followed by "\n") of a reader's bytes is a JSON
    /// object; only the piece after the last newline may be cut, by the reader.
    private func assertWholeJSONLines(upToCut bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        XCTAssertGreaterThan(pieces.count, 1, "the reader got at least one whole line", file: file, line: line)
        for (index, text) in pieces.dropLast().enumerated()
        where (try? JSONSerialization.jsonObject(with: Data(text))) as? [String: Any] == nil {
            return XCTFail("line \(index + 1) is not a JSON object: \(String(decoding: text.prefix(200), as: UTF8.self))",
                           file: file, line: line)
        }
    }

    /// A file left by a failed run holds only whole JSON lines.
    private func assertWholeJSONLines(_ data: Data, what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(data.isEmpty, "\(what): nothing was written before the disk filled", file: file, line: line)
        XCTAssertEqual(data.last, UInt8(ascii: "\n"),
                       "\(what): the file ends inside a line (\(data.count) bytes; tail: \(String(decoding: data.suffix(80), as: UTF8.self)))",
                       file: file, line: line)
        let pieces = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        for (index, text) in pieces.enumerated() where data.last == UInt8(ascii: "\n") || index < pieces.count - 1 {
            if (try? JSONSerialization.jsonObject(with: Data(text))) as? [String: Any] == nil {
                return XCTFail("\(what): line \(index + 1) is not a JSON object", file: file, line: line)
            }
        }
    }

    /// A write failure is one clear line on stderr and status 2: no signal, no Swift trap.
    private func assertCleanWriteFailure(_ run: Child.End, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(run.signal, "tlsdump must not die of a signal on a full disk", file: file, line: line)
        XCTAssertEqual(run.status, 2, "a write failure is an error (status 2)", file: file, line: line)
        let stderr = String(decoding: run.stderr, as: UTF8.self)
        XCTAssertFalse(stderr.contains("Fatal error"), stderr, file: file, line: line)
        let lines = stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line on stderr, got: \(stderr)", file: file, line: line)
        XCTAssertTrue(lines.first?.hasPrefix("tlsdump: ") ?? false, stderr, file: file, line: line)
        XCTAssertTrue(stderr.contains(String(cString: strerror(ENOSPC))), "the error names the cause: \(stderr)",
                      file: file, line: line)
    }

    // MARK: - Running tlsdump

    /// Generous: the debug binary under AddressSanitizer is several times slower than release.
    static let timeLimit = 300.0

    /// The tlsdump built with these tests: beside the test bundle (so `make
    /// test-asan` runs its own sanitized build), else the default debug build.
    static let binary: URL = {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let beside = runner.deletingLastPathComponent().appendingPathComponent("tlsdump")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : Paths.tlsdump
    }()

    private func runToEnd(_ arguments: [String], stdoutPath: String) throws -> Child.End {
        let capture = try Self.capture()
        let directory = try Self.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let err = directory.appendingPathComponent("stderr").path
        let child = try Child.spawn([Self.binary.path, "-r", capture.url.path] + arguments, stdout: .path(stdoutPath), stderr: err)
        var end = try child.wait(timeLimit: Self.timeLimit)
        end.stderr = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: err)))) ?? []
        return end
    }

    private struct PipedRun {
        var status: Int32?
        var signal: Int32?
        var received: [UInt8]
        var stderr: [UInt8]
    }

    /// tlsdump writing into a pipe whose reader takes `limit` bytes and closes it (like `| head -c`).
    private func pipedRun(_ arguments: [String], readerCutsAfter limit: Int) throws -> PipedRun {
        let capture = try Self.capture()
        let directory = try Self.temporaryDirectory("pipe")
        defer { try? FileManager.default.removeItem(at: directory) }
        let err = directory.appendingPathComponent("stderr").path
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw Failure("pipe: \(String(cString: strerror(errno)))") }
        let child: Child
        do {
            child = try Child.spawn([Self.binary.path, "-r", capture.url.path] + arguments,
                                    stdout: .pipe(write: fds[1], read: fds[0]), stderr: err)
        } catch {
            close(fds[0]); close(fds[1])
            throw error
        }
        close(fds[1])
        var received = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let n = received.withUnsafeMutableBytes { read(fds[0], $0.baseAddress! + count, limit - count) }
            if n > 0 { count += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
        close(fds[0])
        let end = try child.wait(timeLimit: Self.timeLimit)
        return PipedRun(status: end.status, signal: end.signal, received: Array(received.prefix(count)),
                        stderr: (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: err)))) ?? [])
    }

    // MARK: - The input

    struct Capture: Sendable {
        var url: URL
        var packets: Int
    }

    struct Failure: Error, CustomStringConvertible, Sendable {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private static let generated: Result<Capture, Failure> = {
        let script = Paths.shared.appendingPathComponent("bench/mkpcap.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            return .failure(Failure("\(script.path) is missing (../shared beside the repository)"))
        }
        let templates = ((try? FileManager.default.contentsOfDirectory(atPath: Paths.bundledCaptures.path)) ?? [])
            .filter { $0.hasSuffix(".pcap") }.sorted().map { Paths.bundledCaptures.appendingPathComponent($0).path }
        guard !templates.isEmpty else { return .failure(Failure("no captures in \(Paths.bundledCaptures.path)")) }
        let directory: URL
        do { directory = try temporaryDirectory("input") } catch { return .failure(Failure("\(error)")) }
        let url = directory.appendingPathComponent("big.pcap")
        let made = runTool("/usr/bin/env", ["python3", script.path, "--out", url.path, "--mbytes", "20",
                                            "--concurrency", "500", "--seed", "8"] + templates)
        guard made.status == 0 else { return .failure(Failure("mkpcap.py failed (status \(made.status)): \(made.output)")) }
        guard let bytes = try? [UInt8](Data(contentsOf: url)), let packets = classicPcapPacketCount(bytes) else {
            return .failure(Failure("mkpcap.py wrote no readable classic pcap at \(url.path)"))
        }
        return .success(Capture(url: url, packets: packets))
    }()

    static func capture() throws -> Capture {
        switch generated {
        case .success(let capture): return capture
        case .failure(let failure): throw failure   // a missing prerequisite fails the test, with the reason
        }
    }

    override class func tearDown() {
        if case .success(let capture) = generated {
            try? FileManager.default.removeItem(at: capture.url.deletingLastPathComponent())
        }
        super.tearDown()
    }

    /// Packets in a little-endian classic pcap (what mkpcap.py writes).
    static func classicPcapPacketCount(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 24, bytes[0] == 0xd4, bytes[1] == 0xc3, bytes[2] == 0xb2, bytes[3] == 0xa1 else { return nil }
        var offset = 24
        var packets = 0
        while offset + 16 <= bytes.count {
            let included = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
            offset += 16 + included
            packets += 1
        }
        return packets
    }

    // MARK: - Helpers

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tlsdump-integrity-\(getpid())-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The integer just before `suffix` in `text` ("…, 1234 packets, …").
    static func number(before suffix: String, in text: String) -> Int? {
        guard let range = text.range(of: suffix) else { return nil }
        return Int(text[..<range.lowerBound].split(separator: " ").last ?? "")
    }

    /// A helper program run to its end; output is stdout and stderr together.
    static func runTool(_ path: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(path): \(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

/// A child process started with posix_spawn, with the default dispositions
/// for SIGPIPE, SIGINT and SIGTERM (an ignored signal would stay ignored
/// across exec and hide what tlsdump itself does with it).
private struct Child {
    enum Output {
        case path(String)
        case pipe(write: Int32, read: Int32)
    }

    struct End {
        var status: Int32?
        var signal: Int32?
        var stderr: [UInt8] = []
    }

    let pid: pid_t
    private let reaped = Box()

    private final class Box { var status: Int32? }

    static func spawn(_ command: [String], stdout: Output, stderr: String) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch stdout {
        case .path(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        case .pipe(let write, let read):
            posix_spawn_file_actions_adddup2(&actions, write, 1)
            posix_spawn_file_actions_addclose(&actions, write)
            posix_spawn_file_actions_addclose(&actions, read)
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw OutputIntegrityTests.Failure("posix_spawn \(command[0]): \(String(cString: strerror(spawned)))")
        }
        return Child(pid: pid)
    }

    var isRunning: Bool {
        guard reaped.status == nil else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped.status = status
            return false
        }
        return true
    }

    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        _ = try? wait(timeLimit: 10)
    }

    func wait(timeLimit: Double) throws -> End {
        let started = Date()
        while isRunning {
            if Date().timeIntervalSince(started) > timeLimit {
                _ = Glibc.kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                reaped.status = status
                throw OutputIntegrityTests.Failure("tlsdump still running after \(timeLimit) s (killed)")
            }
            usleep(5_000)
        }
        // Decoded by hand: the WIFEXITED family are C macros.
        let status = reaped.status ?? 0
        let termination = status & 0x7f
        return End(status: termination == 0 ? (status >> 8) & 0xff : nil,
                   signal: termination == 0 || termination == 0x7f ? nil : termination)
    }
}
