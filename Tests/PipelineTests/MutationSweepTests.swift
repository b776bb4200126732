import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Hostile input, part 1 (issue 8): every capture of the corpus, damaged in
/// the ways a broken tap, a truncated download or an attacker would damage
/// it, run through the real binary. tlsdump may refuse a file (exit 2) but
/// never crashes, never hangs, and never writes a line that is not JSON.
final class MutationSweepTests: XCTestCase {
    /// Per run; the slowest clean capture takes well under a second in debug.
    static let runTimeLimit: Double = 30

    func testMutatedCapturesNeverCrashTheBinary() throws {
        let captures = HostileInput.allCaptures()
        XCTAssertGreaterThan(captures.count, 20, "the shared corpus and captures/ should be present")
        let workDir = try HostileInput.temporaryDirectory("mutation-sweep")
        defer { try? FileManager.default.removeItem(at: workDir) }

        // Build every mutant first (cheap), then run them two at a time (2 cores).
        var jobs: [(name: String, path: String)] = []
        for capture in captures {
            let original = try [UInt8](Data(contentsOf: capture))
            guard let layout = CaptureLayout(original) else {
                XCTFail("\(capture.lastPathComponent): not a pcap/pcapng file the sweep can read")
                continue
            }
            var random = SeededRandom(seed: HostileInput.stableHash(capture.lastPathComponent))
            for mutation in Mutation.allCases {
                let mutant = mutation.apply(to: original, layout: layout, random: &random)
                // The folder too: captures/clients holds the same scenario names for every client.
                let name = "\(capture.deletingLastPathComponent().lastPathComponent)-\(capture.deletingPathExtension().lastPathComponent).\(mutation).\(capture.pathExtension)"
                let path = workDir.appendingPathComponent(name).path
                try Data(mutant).write(to: URL(fileURLWithPath: path))
                jobs.append((name, path))
            }
        }

        let allJobs = jobs
        let failures = HostileInput.runConcurrently(allJobs.count) { index -> String? in
            let job = allJobs[index]
            do {
                let run = try HostileProcess.run(["-r", job.path, "--format", "json"], timeLimit: Self.runTimeLimit)
                let problems = HostileInput.problems(with: run, expectingStatus: [0, 2])
                return problems.isEmpty ? nil : "\(job.name): " + problems.joined(separator: "; ")
            } catch {
                return "\(job.name): could not run tlsdump: \(error)"
            }
        }
        for failure in failures.compactMap({ $0 }) {
            XCTFail(failure)
        }
        if failures.contains(where: { $0 != nil }) {
            // Keep the mutants for reproduction.
            let keep = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-mutation-failures")
            try? FileManager.default.removeItem(at: keep)
            try? FileManager.default.copyItem(at: workDir, to: keep)
            print("mutants kept in \(keep.path)")
        }
    }

    /// The mutations themselves are checked: each changes the file, and the
    /// same seed gives the same bytes (so a failure is reproducible).
    func testMutationsAreDeterministicAndDamage() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("tls13.pcap")
        let original = try [UInt8](Data(contentsOf: capture))
        let layout = try XCTUnwrap(CaptureLayout(original))
        XCTAssertGreaterThan(layout.records.count, 5)
        XCTAssertFalse(layout.tlsLengthOffsets.isEmpty, "TLS record headers are found in the packet data")
        for mutation in Mutation.allCases {
            var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7)
            let first = mutation.apply(to: original, layout: layout, random: &a)
            let second = mutation.apply(to: original, layout: layout, random: &b)
            XCTAssertEqual(first, second, "\(mutation) is deterministic")
            XCTAssertNotEqual(first, original, "\(mutation) changes the file")
        }
    }
}

// MARK: - Mutations

/// The damage done to one capture. Each mutant applies one kind, several times.
enum Mutation: CaseIterable, CustomStringConvertible {
    case byteFlips          // random bits flipped inside packet data
    case truncation         // the file cut at a random point
    case recordLength       // a capture record's length field made wrong
    case tlsLength          // TLS record / handshake length fields made wrong
    case everything         // all of the above at once

    var description: String {
        switch self {
        case .byteFlips: "flips"
        case .truncation: "truncated"
        case .recordLength: "caplen"
        case .tlsLength: "tlslen"
        case .everything: "all"
        }
    }

    func apply(to original: [UInt8], layout: CaptureLayout, random: inout SeededRandom) -> [UInt8] {
        var bytes = original
        switch self {
        case .byteFlips: Mutation.flipBytes(&bytes, layout, &random)
        case .truncation: Mutation.truncate(&bytes, layout, &random)
        case .recordLength: Mutation.corruptRecordLengths(&bytes, layout, &random)
        case .tlsLength: Mutation.corruptTLSLengths(&bytes, layout, &random)
        case .everything:
            Mutation.corruptTLSLengths(&bytes, layout, &random)
            Mutation.flipBytes(&bytes, layout, &random)
            Mutation.corruptRecordLengths(&bytes, layout, &random)
            Mutation.truncate(&bytes, layout, &random)
        }
        if bytes == original, !bytes.isEmpty { bytes.removeLast() }   // always damage something
        return bytes
    }

    /// About one byte in 200 of packet data gets a random bit flipped (at least 8 flips).
    static func flipBytes(_ bytes: inout [UInt8], _ layout: CaptureLayout, _ random: inout SeededRandom) {
        let dataBytes = layout.records.reduce(0) { $0 + $1.dataLength }
        guard dataBytes > 0 else { return }
        for _ in 0..<max(8, dataBytes / 200) {
            var target = random.below(dataBytes)
            for record in layout.records {
                if target < record.dataLength {
                    bytes[record.dataOffset + target] ^= UInt8(1) << UInt8(random.below(8))
                    break
                }
                target -= record.dataLength
            }
        }
    }

    /// Cut anywhere after the file header: inside a record header, or inside packet data.
    static func truncate(_ bytes: inout [UInt8], _ layout: CaptureLayout, _ random: inout SeededRandom) {
        guard bytes.count > layout.fileHeaderLength + 1 else { return }
        let cut = layout.fileHeaderLength + 1 + random.below(bytes.count - layout.fileHeaderLength - 1)
        bytes.removeSubrange(cut...)
    }

    /// Lengths that lie: zero, one too many, past the end of the file, huge.
    static func corruptRecordLengths(_ bytes: inout [UInt8], _ layout: CaptureLayout, _ random: inout SeededRandom) {
        guard !layout.records.isEmpty else { return }
        for _ in 0..<3 {
            let record = layout.records[random.below(layout.records.count)]
            let original = record.dataLength
            let lies: [UInt32] = [0, UInt32(original + 1), UInt32(max(0, original - 1)), 0xffff_ffff,
                                  0x7fff_ffff, 262_145, UInt32(bytes.count), UInt32(truncatingIfNeeded: random.next())]
            let lie = lies[random.below(lies.count)]
            layout.write(lie, at: record.lengthFieldOffset, into: &bytes)
        }
    }

    /// TLS record lengths (2 bytes after a content type and 3.x version) and,
    /// in handshake records, the 3-byte message length.
    static func corruptTLSLengths(_ bytes: inout [UInt8], _ layout: CaptureLayout, _ random: inout SeededRandom) {
        let candidates = layout.tlsLengthOffsets
        guard !candidates.isEmpty else {
            flipBytes(&bytes, layout, &random)
            return
        }
        for _ in 0..<max(2, candidates.count / 4) {
            let (offset, isHandshake) = candidates[random.below(candidates.count)]
            let lies: [UInt16] = [0, 0xffff, 0x4801, 0x4800, 0x4000, 1, UInt16(truncatingIfNeeded: random.next())]
            let lie = lies[random.below(lies.count)]
            bytes[offset] = UInt8(lie >> 8)
            bytes[offset + 1] = UInt8(lie & 0xff)
            // The handshake length right behind: 16 MB, zero, or one more than the record.
            if isHandshake, offset + 5 < bytes.count, random.below(2) == 0 {
                let message: [UInt8] = [[0xff, 0xff, 0xff], [0, 0, 0], [0, UInt8(lie >> 8), UInt8(lie & 0xff) &+ 1]][random.below(3)]
                bytes[offset + 3] = message[0]
                bytes[offset + 4] = message[1]
                bytes[offset + 5] = message[2]
            }
        }
    }
}

/// Where the records of a pcap or pcapng file are, so mutations can aim at
/// packet data and length fields instead of the file header.
struct CaptureLayout {
    struct Record {
        var lengthFieldOffset: Int     // the captured-length field (pcap) or block total length (pcapng)
        var dataOffset: Int
        var dataLength: Int
    }

    var bigEndian: Bool
    var fileHeaderLength: Int
    var records: [Record] = []
    /// Offsets of the 2-byte length of every plausible TLS record header in packet data.
    var tlsLengthOffsets: [(offset: Int, isHandshake: Bool)] = []

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 24 else { return nil }
        let magicLE = CaptureLayout.u32(bytes, 0, bigEndian: false)
        switch magicLE {
        case 0xa1b2_c3d4, 0xa1b2_3c4d: bigEndian = false
        case 0xd4c3_b2a1, 0x4d3c_b2a1: bigEndian = true
        case 0x0a0d_0d0a:
            bigEndian = CaptureLayout.u32(bytes, 8, bigEndian: false) != 0x1a2b_3c4d
            fileHeaderLength = Int(CaptureLayout.u32(bytes, 4, bigEndian: bigEndian))
            parsePcapng(bytes)
            tlsLengthOffsets = CaptureLayout.tlsLengthOffsets(in: bytes, records)
            return
        default: return nil
        }
        fileHeaderLength = 24
        var offset = 24
        while offset + 16 <= bytes.count {
            let captured = Int(CaptureLayout.u32(bytes, offset + 8, bigEndian: bigEndian))
            guard offset + 16 + captured <= bytes.count else { break }
            records.append(Record(lengthFieldOffset: offset + 8, dataOffset: offset + 16, dataLength: captured))
            offset += 16 + captured
        }
        tlsLengthOffsets = CaptureLayout.tlsLengthOffsets(in: bytes, records)
    }

    private mutating func parsePcapng(_ bytes: [UInt8]) {
        var offset = 0
        while offset + 12 <= bytes.count {
            let type = CaptureLayout.u32(bytes, offset, bigEndian: bigEndian)
            let total = Int(CaptureLayout.u32(bytes, offset + 4, bigEndian: bigEndian))
            guard total >= 12, offset + total <= bytes.count else { break }
            if type == 6, total >= 32 {            // enhanced packet block
                let captured = Int(CaptureLayout.u32(bytes, offset + 20, bigEndian: bigEndian))
                if 28 + captured <= total {
                    records.append(Record(lengthFieldOffset: offset + 20, dataOffset: offset + 28, dataLength: captured))
                }
            } else if type == 3, total >= 16 {     // simple packet block
                records.append(Record(lengthFieldOffset: offset + 4, dataOffset: offset + 12, dataLength: total - 16))
            }
            offset += total
        }
    }

    static func tlsLengthOffsets(in bytes: [UInt8], _ records: [Record]) -> [(offset: Int, isHandshake: Bool)] {
        var result: [(Int, Bool)] = []
        for record in records where record.dataLength >= 5 {
            let end = record.dataOffset + record.dataLength
            var i = record.dataOffset
            while i + 5 <= end {
                if (20...24).contains(bytes[i]) && bytes[i + 1] == 3 && bytes[i + 2] <= 4 {
                    result.append((i + 3, bytes[i] == 22))
                    i += 5
                } else {
                    i += 1
                }
            }
        }
        return result
    }

    func write(_ value: UInt32, at offset: Int, into bytes: inout [UInt8]) {
        guard offset + 4 <= bytes.count else { return }
        let b = bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: b) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }

    static func u32(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt32 {
        let b = bytes[offset..<(offset + 4)].map(UInt32.init)
        return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
    }
}

// MARK: - Shared by the hostile-input tests

/// A fixed-seed generator (SplitMix64): the same seed gives the same mutants on every machine.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}

enum HostileInput {
    /// Every capture of the shared corpus and of captures/, in a stable order.
    static func allCaptures() -> [URL] {
        var result: [URL] = []
        for root in [Paths.sharedCaptures, Paths.bundledCaptures] {
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where ["pcap", "pcapng"].contains(url.pathExtension) {
                result.append(url)
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    /// FNV-1a: `hashValue` is seeded per process, this is not.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tlsdump-\(name)-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `count` jobs on two threads (the machine has two cores); results in job order.
    static func runConcurrently<T>(_ count: Int, _ job: @escaping @Sendable (Int) -> T) -> [T] {
        let results = ResultBox<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            var index = worker
            while index < count {
                results.set(index, job(index))
                index += 2
            }
        }
        return results.values.map { $0! }
    }

    /// What is wrong with a finished run: a signal, a trap message, a timeout,
    /// an unexpected status, or a stdout line that is not a JSON object.
    static func problems(with run: HostileProcess.Result, expectingStatus allowed: Set<Int32>) -> [String] {
        var problems: [String] = []
        if run.timedOut { problems.append("did not finish within \(run.seconds) s") }
        if let signal = run.signal { problems.append("killed by signal \(signal)") }
        if let status = run.status, !allowed.contains(status) { problems.append("exit status \(status)") }
        let stderr = String(decoding: run.stderr, as: UTF8.self)
        if stderr.contains("Fatal error") { problems.append("stderr: \(stderr.prefix(300))") }
        var lineNumber = 0
        for line in run.stdout.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            guard (try? JSONSerialization.jsonObject(with: Data(line))) is [String: Any] else {
                problems.append("stdout line \(lineNumber) is not a JSON object: \(String(decoding: line.prefix(120), as: UTF8.self))")
                break
            }
        }
        if let last = run.stdout.last, last != UInt8(ascii: "\n") { problems.append("stdout does not end with a newline") }
        return problems
    }

    /// The events of a run's stdout, parsed.
    static func events(_ run: HostileProcess.Result) -> [[String: Any]] {
        run.stdout.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }
}

/// Results written from two threads, each to its own slots.
final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [T?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: T) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}

/// Runs the tlsdump binary with posix_spawn, with stdout and stderr going to
/// files (a flood of output cannot deadlock a pipe), killing it past its
/// time limit, and measuring its peak resident set.
///
/// The peak comes from GNU time (`/usr/bin/time -f %M`, Debian package
/// `time`): wait4's ru_maxrss of a child spawned from this test process
/// would start at this process's own size (Linux carries the pre-exec
/// high-water mark over execve), while time is small. Without it, VmHWM
/// is sampled from /proc while the child runs (a lower bound).
enum HostileProcess {
    struct Result {
        var status: Int32?          // exit status when it exited
        var signal: Int32?          // the signal that ended it, if one did
        var timedOut = false
        var seconds: Double
        var peakResidentKiB: Int
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    static let gnuTime = "/usr/bin/time"

    static func run(_ arguments: [String], binary: URL = Paths.tlsdump, timeLimit: Double) throws -> Result {
        let directory = try HostileInput.temporaryDirectory("run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("stdout").path
        let errPath = directory.appendingPathComponent("stderr").path
        let timePath = directory.appendingPathComponent("time").path
        let useTime = access(gnuTime, X_OK) == 0

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // A process group of its own, so a timeout kills time and tlsdump together.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let command = (useTime ? [gnuTime, "-o", timePath, "-f", "%M %x"] : []) + [binary.path] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let started = Date()
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw SpawnError(description: "posix_spawn \(command[0]): \(String(cString: strerror(spawned)))") }

        var status: Int32 = 0
        var timedOut = false
        var sampledPeak = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw SpawnError(description: "waitpid: \(String(cString: strerror(errno)))") }
            if !useTime { sampledPeak = max(sampledPeak, residentHighWaterKiB(pid)) }
            if Date().timeIntervalSince(started) > timeLimit {
                timedOut = true
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(2_000)
        }
        let seconds = Date().timeIntervalSince(started)
        // Decoded by hand: the WIFEXITED family are C macros.
        let termination = status & 0x7f
        var exitStatus: Int32? = termination == 0 ? (status >> 8) & 0xff : nil
        var signal: Int32? = termination == 0 || termination == 0x7f ? nil : termination
        var peak = sampledPeak
        if useTime, !timedOut {
            // GNU time's report: "Command terminated by signal N" when it was, then "%M %x".
            let report = (try? String(contentsOfFile: timePath, encoding: .utf8)) ?? ""
            let lines = report.split(separator: "\n")
            if let line = lines.first(where: { $0.hasPrefix("Command terminated by signal ") }) {
                signal = Int32(line.dropFirst("Command terminated by signal ".count))
                exitStatus = nil
            } else if let last = lines.last, let code = last.split(separator: " ").last.flatMap({ Int32($0) }) {
                exitStatus = code
            }
            if let last = lines.last, let kib = last.split(separator: " ").first.flatMap({ Int($0) }) { peak = kib }
        }
        return Result(
            status: exitStatus, signal: signal, timedOut: timedOut, seconds: seconds, peakResidentKiB: peak,
            stdout: (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: outPath)))) ?? [],
            stderr: (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: errPath)))) ?? [])
    }

    /// VmHWM of a running process, in KiB (0 once it has exited).
    static func residentHighWaterKiB(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
