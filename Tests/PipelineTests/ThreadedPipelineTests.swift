import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpOutput
import TLSDumpPipeline
import XCTest

/// `--threads N`: a sharded run reports exactly what a single-threaded run
/// reports, each connection's events in the same order; only flow ids (and
/// the order between different connections) may differ.
final class ThreadedPipelineTests: XCTestCase {
    /// Every bundled and shared-corpus capture, in-process, 1 vs 2 vs 3 workers.
    func testShardedRunsMatchSingleThreadOnEveryCapture() throws {
        var captures = Paths.oracleCaptures().map(\.capture)
        let bundled = try FileManager.default.contentsOfDirectory(atPath: Paths.bundledCaptures.path)
            .filter { $0.hasSuffix(".pcap") }.sorted()
        captures += bundled.map { Paths.bundledCaptures.appendingPathComponent($0) }
        XCTAssertGreaterThan(captures.count, 90, "the shared corpus (../shared/captures) and captures/ are needed")
        var compared = 0, events = 0
        for capture in captures {
            let single = try flowSequences(capture, threads: 1)
            for threads in [2, 3] {
                let sharded = try flowSequences(capture, threads: threads)
                XCTAssertEqual(sharded.flows, single.flows, "\(capture.lastPathComponent): --threads \(threads) differs")
                XCTAssertEqual(sharded.stats, single.stats, "\(capture.lastPathComponent): stats with --threads \(threads)")
                XCTAssertTrue(single.peak <= sharded.peak && sharded.peak <= sharded.tcpConnections,
                              "\(capture.lastPathComponent): the workers' summed peak (\(sharded.peak)) bounds the true one (\(single.peak))")
                XCTAssertEqual(sharded.ids.count, Set(sharded.ids).count, "\(capture.lastPathComponent): flow ids not unique")
            }
            compared += 1
            events += single.flows.reduce(0) { $0 + $1.count }
        }
        XCTAssertGreaterThan(events, 1000)
        print("threaded: \(compared) captures, \(events) events, identical per connection with 1, 2 and 3 workers")
    }

    /// A slow output thread and workers that hand over every event: the
    /// workers wait for room again and again, also while the run finishes
    /// (a lost wake-up there once hung a run at end of input).
    func testSlowOutputWithTinyHandOversNeitherHangsNorLosesEvents() throws {
        let capture = try Self.interleavedCapture()
        let single = CollectingSink()
        _ = try Pipeline.run(PipelineOptions(input: capture.path), sink: single)
        let slow = SlowSink()
        var configured = PipelineOptions(input: capture.path)
        configured.threads = 2
        configured.shardOutputChunkEvents = 1
        let options = configured
        let done = expectation(description: "the sharded run ends")
        DispatchQueue.global().async {
            _ = try? Pipeline.run(options, sink: slow)
            done.fulfill()
        }
        wait(for: [done], timeout: 60)
        XCTAssertEqual(slow.count, single.events.count, "every event delivered once")
        XCTAssertGreaterThan(single.events.count, 1000)
    }

    /// The CLI over a capture with hundreds of interleaved connections: JSON
    /// rendered on the workers equals the single-threaded lines, per flow,
    /// lines whole, and `stats` counts every line.
    func testCLIShardedJSONMatchesSingleThread() throws {
        let capture = try Self.interleavedCapture()
        let single = try runTLSDump(["-r", capture.path, "--format", "json", "--threads", "1"])
        let sharded = try runTLSDump(["-r", capture.path, "--format", "json", "--threads", "2"])
        XCTAssertEqual(single.status, 0)
        XCTAssertEqual(sharded.status, 0, String(decoding: sharded.stderr, as: UTF8.self))
        let a = try Self.perFlowLines(single.stdout), b = try Self.perFlowLines(sharded.stdout)
        XCTAssertEqual(a.flows, b.flows)
        XCTAssertGreaterThan(a.flows.count, 300, "the generated capture should hold hundreds of connections")
        XCTAssertEqual(a.stats, b.stats)
        XCTAssertEqual(b.eventsCounted, b.lines, "stats.events must count every line written")
        // Flow ids follow the shard: a second process must deal connections to the same workers.
        let again = try runTLSDump(["-r", capture.path, "--format", "json", "--threads", "2"])
        XCTAssertEqual(Self.flowIDsByClient(sharded.stdout), Self.flowIDsByClient(again.stdout),
                       "the same file must give the same flow ids on every run")
        XCTAssertGreaterThan(Self.flowIDsByClient(again.stdout).count, 300)
    }

    /// Client endpoint -> flow id, from the connection events of a JSON run.
    private static func flowIDsByClient(_ output: Data) -> [String: String] {
        var ids: [String: String] = [:]
        for line in output.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  object["type"] as? String == "connection", let flow = object["flow"] as? String,
                  let client = object["client"] as? [String: Any] else { continue }
            ids["\(client["ip"] ?? "?"):\(client["port"] ?? "?")"] = flow
        }
        return ids
    }

    /// Filters keep per-flow state (`--sni`); each worker's copy must see all of its flows' events.
    func testCLIShardedFiltersMatchSingleThread() throws {
        let capture = try Self.interleavedCapture()
        for filter in [["--sni", "*.*"], ["--only-findings", "--min-severity", "medium"]] {
            let single = try runTLSDump(["-r", capture.path, "--format", "json", "--threads", "1"] + filter)
            let sharded = try runTLSDump(["-r", capture.path, "--format", "json", "--threads", "2"] + filter)
            let a = try Self.perFlowLines(single.stdout), b = try Self.perFlowLines(sharded.stdout)
            XCTAssertFalse(a.flows.isEmpty, "\(filter) matched nothing: the test proves nothing")
            XCTAssertEqual(a.flows, b.flows, "\(filter)")
        }
    }

    /// `--fail-on` and `--write-flagged` read the findings on the output
    /// thread; with workers rendering JSON, only the events the output thread
    /// needs cross over. The exit status and the flagged packets must not change.
    func testCLIShardedFailOnAndWriteFlaggedMatchSingleThread() throws {
        let capture = try Self.interleavedCapture()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-threads-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var statuses: [Int32] = [], flaggedFiles: [Data] = []
        for threads in ["1", "2"] {
            let flagged = work.appendingPathComponent("flagged-\(threads).pcap")
            let r = try runTLSDump(["-r", capture.path, "--format", "json", "--threads", threads, "--fail-on", "medium",
                                    "--min-severity", "medium", "--write-flagged", flagged.path])
            statuses.append(r.status)
            flaggedFiles.append(try Data(contentsOf: flagged))
            if threads == "1" {
                let medium = try Self.perFlowLines(r.stdout).flows.joined().contains { $0.contains(#""severity":"medium""#) || $0.contains(#""severity":"high""#) }
                XCTAssertTrue(medium, "the capture needs medium findings for this test to mean anything")
            }
        }
        XCTAssertEqual(statuses, [1, 1], "--fail-on medium saw the findings")
        XCTAssertGreaterThan(flaggedFiles[0].count, 24, "flagged connections were written")
        XCTAssertEqual(flaggedFiles[0], flaggedFiles[1], "the same connections flagged")
    }

    /// Text output (rendered on the reading thread) has the same lines.
    func testCLIShardedTextHasTheSameLines() throws {
        let capture = try Self.interleavedCapture()
        let single = try runTLSDump(["-r", capture.path, "--format", "text", "--color", "never", "--threads", "1"])
        let sharded = try runTLSDump(["-r", capture.path, "--format", "text", "--color", "never", "--threads", "2"])
        XCTAssertEqual(sharded.status, 0)
        let strip = { (data: Data) -> [String] in
            String(decoding: data, as: UTF8.self).split(separator: "\n").map {
                String($0).replacing(/\bC[0-9]+\b/, with: "C").replacing(/[0-9.]+ ?s\b/, with: "_s")
            }.sorted()
        }
        XCTAssertEqual(strip(single.stdout).count, strip(sharded.stdout).count)
        XCTAssertEqual(Set(strip(single.stdout)), Set(strip(sharded.stdout)))
    }

    /// A small file defaults to one thread: byte-identical to --threads 1.
    func testSmallFileDefaultsToOneThread() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation.pcap")
        let byDefault = try runTLSDump(["-r", capture.path, "--format", "json"])
        let one = try runTLSDump(["-r", capture.path, "--format", "json", "--threads", "1"])
        XCTAssertEqual(Self.dropStats(byDefault.stdout), Self.dropStats(one.stdout))
        let bad = try runTLSDump(["-r", capture.path, "--threads", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(String(decoding: bad.stderr, as: UTF8.self).contains("--threads"))
    }

    /// Property: random inputs (the packets of several real captures merged
    /// with random time offsets, some dropped, some duplicated) give the same
    /// events per connection through the new packet path (the file read in
    /// place, two and three workers each walking it, QUIC spread over them)
    /// as through the reference: libpcap's reader and one analysis thread.
    func testRandomMergedCapturesGiveTheSameEventsThroughTheParallelWalkAsThroughTheReference() throws {
        let pool = try FileManager.default.contentsOfDirectory(atPath: Paths.bundledCaptures.path)
            .filter { $0.hasSuffix(".pcap") }.sorted().map { Paths.bundledCaptures.appendingPathComponent($0) }
            + ["quic/quic-go-handshake.pcap", "quic/quicv2-echo-443.pcap", "zeek/google-cert-repeat.pcap", "ja4/single-packets.pcap"]
                .map { Paths.sharedCaptures.appendingPathComponent($0) }
        let packets = try pool.map(Self.ethernetPackets).filter { !$0.isEmpty }
        XCTAssertGreaterThan(packets.count, 10)
        var generator = SeededRandom(seed: 0x7e57_5eed)   // a failing round can be replayed
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-property-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var connections = 0
        for round in 0..<8 {
            var merged: [(Int64, [UInt8], [UInt8])] = []
            for _ in 0..<Int.random(in: 2...6, using: &generator) {
                let chosen = packets[Int.random(in: 0..<packets.count, using: &generator)]
                let shift = Int64.random(in: 0...3_000_000_000, using: &generator)
                let base = chosen[0].0
                for (time, header, data) in chosen {
                    let roll = Int.random(in: 0..<100, using: &generator)
                    if roll < 3 { continue }                                   // lost in capture
                    let at = 1_700_000_000_000_000_000 + (time - base) + shift
                    merged.append((at, header, data))
                    if roll > 97 { merged.append((at + 1000, header, data)) }  // captured twice
                }
            }
            merged.sort { $0.0 < $1.0 }
            var file = NanosecondPcap.header()
            for (time, _, data) in merged { file += NanosecondPcap.record(nanoseconds: time, data) }
            let path = directory.appendingPathComponent("round-\(round).pcap")
            try Data(file).write(to: path)
            let reference = try flowSequences(path, threads: 1, readInPlace: false)
            for threads in [2, 3] {
                let walked = try flowSequences(path, threads: threads)
                XCTAssertEqual(walked.flows, reference.flows, "round \(round): --threads \(threads) over the mapped file differs")
                XCTAssertEqual(walked.stats, reference.stats, "round \(round): stats with --threads \(threads)")
            }
            connections += reference.flows.count
        }
        XCTAssertGreaterThan(connections, 40, "the rounds held connections to compare")
    }

    /// Every packet of an Ethernet pcap (nanosecond time, header bytes, frame).
    static func ethernetPackets(_ url: URL) throws -> [(Int64, [UInt8], [UInt8])] {
        let bytes = try [UInt8](Data(contentsOf: url))
        guard bytes.count > 24 else { return [] }
        let magic = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        guard magic == 0xa1b2_c3d4 || magic == 0xa1b2_3c4d else { return [] }   // little-endian classic pcap only
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        guard u32(20) == 1 else { return [] }
        var out: [(Int64, [UInt8], [UInt8])] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = u32(offset + 8)
            guard offset + 16 + length <= bytes.count else { break }
            let fraction = Int64(u32(offset + 4)) * (magic == 0xa1b2_c3d4 ? 1000 : 1)
            out.append((Int64(u32(offset)) * 1_000_000_000 + fraction, Array(bytes[offset..<(offset + 16)]),
                        Array(bytes[(offset + 16)..<(offset + 16 + length)])))
            offset += 16 + length
        }
        return out
    }

    // MARK: - helpers

    struct FlowSequences {
        var flows: [[String]]
        var stats: String
        var ids: [String]
        var peak: Int
        var tcpConnections: Int
    }

    /// Events grouped by connection (each group in emitted order), groups
    /// sorted, flow ids blanked: what must not depend on the thread count.
    private func flowSequences(_ capture: URL, threads: Int, readInPlace: Bool = true) throws -> FlowSequences {
        let sink = CollectingSink()
        var options = PipelineOptions(input: capture.path)
        options.threads = threads
        options.readInPlace = readInPlace
        _ = try Pipeline.run(options, sink: sink)
        var byFlow: [String: [String]] = [:]
        var order: [String] = []
        var stats = ""
        var peak = 0, tcpConnections = 0
        for event in sink.events {
            var w = JSONWriter(reservingCapacity: 1024)
            JSONEventWriter.encode(event, into: &w)
            let line = String(decoding: w.buffer, as: UTF8.self)
            guard let flow = event.flow else {
                if case .stats(let s) = event.body {
                    // The peak is per worker when sharded (their sum, an upper bound): checked apart.
                    stats = line.replacing(/"seconds":[0-9.e+-]+,?/, with: "")
                        .replacing(/"open_connections_peak(_is_upper_bound)?":[a-z0-9]+,?/, with: "")
                    peak = s.openConnectionsPeak ?? -1
                    tcpConnections = s.tcpConnections + s.quicConnections   // every connection tracked, TCP or QUIC
                }
                continue
            }
            if byFlow[flow.flowID] == nil { order.append(flow.flowID) }
            byFlow[flow.flowID, default: []].append(line.replacing("\"flow\":\"\(flow.flowID)\"", with: "\"flow\":\"\""))
        }
        let flows = byFlow.values.sorted { $0.joined() < $1.joined() }
        return FlowSequences(flows: flows, stats: stats, ids: order, peak: peak, tcpConnections: tcpConnections)
    }

    struct PerFlowLines {
        var flows: [[String]]
        var stats: String
        var lines: Int
        var eventsCounted: Int
    }

    static func perFlowLines(_ data: Data) throws -> PerFlowLines {
        var byFlow: [String: [String]] = [:]
        var stats = "", eventsCounted = -1, lines = 0
        for raw in data.split(separator: UInt8(ascii: "\n")) {
            lines += 1
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any], "not a JSON object")
            if object["type"] as? String == "stats" {
                var s = object
                s["seconds"] = nil
                // Per worker when sharded (see testShardedRunsMatchSingleThreadOnEveryCapture).
                s["open_connections_peak"] = nil
                s["open_connections_peak_is_upper_bound"] = nil
                eventsCounted = s["events"] as? Int ?? -2
                stats = String(decoding: try JSONSerialization.data(withJSONObject: s, options: .sortedKeys), as: UTF8.self)
                continue
            }
            let flow = object["flow"] as? String ?? "-"
            var o = object
            o["flow"] = nil
            byFlow[flow, default: []].append(String(decoding: try JSONSerialization.data(withJSONObject: o, options: .sortedKeys), as: UTF8.self))
        }
        return PerFlowLines(flows: byFlow.values.sorted { $0.joined() < $1.joined() }, stats: stats, lines: lines,
                            eventsCounted: eventsCounted)
    }

    static func dropStats(_ data: Data) -> [Substring] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.contains("\"type\":\"stats\"") }
    }

    /// ~4 MB from ../shared/bench/mkpcap.py: hundreds of connections interleaved.
    private static let generated: Result<URL, ThreadTestFailure> = {
        let script = Paths.shared.appendingPathComponent("bench/mkpcap.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            return .failure(ThreadTestFailure("\(script.path) is missing (../shared beside the repository)"))
        }
        let folder = Paths.sharedCaptures.appendingPathComponent("zeek")
        let templates = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".pcap") }.sorted().map { folder.appendingPathComponent($0).path }
        guard !templates.isEmpty else { return .failure(ThreadTestFailure("no captures in \(folder.path)")) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-threads-\(getpid()).pcap")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--out", url.path, "--mbytes", "4", "--concurrency", "300", "--seed", "3"] + templates
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return .failure(ThreadTestFailure("cannot run mkpcap.py: \(error)")) }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return .failure(ThreadTestFailure("mkpcap.py failed (\(process.terminationStatus))")) }
        return .success(url)
    }()

    static func interleavedCapture() throws -> URL { try generated.get() }
}

/// Delivers slowly, so the workers' hand-over queue fills.
private final class SlowSink: EventSink, @unchecked Sendable {   // read after the run ends
    private(set) var count = 0
    var wantsTrace: Bool { false }
    func emit(_ event: Event) {
        count += 1
        if count % 8 == 0 { usleep(200) }
    }
}

private struct ThreadTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A nanosecond little-endian Ethernet pcap, written in memory.
enum NanosecondPcap {
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    static func header() -> [UInt8] {
        le32(0xa1b2_3c4d) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(262_144) + le32(1)
    }

    static func record(nanoseconds: Int64, _ data: [UInt8]) -> [UInt8] {
        le32(UInt32(truncatingIfNeeded: nanoseconds / 1_000_000_000)) + le32(UInt32(truncatingIfNeeded: nanoseconds % 1_000_000_000))
            + le32(UInt32(data.count)) + le32(UInt32(data.count)) + data
    }
}
