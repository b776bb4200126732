import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpOutput
import TLSDumpPipeline
import XCTest

/// `--type` (and the text writer) tell the analysis which events they write;
/// it makes no others, and what it does make is exactly what a full run makes.
final class EventSelectionTests: XCTestCase {
    /// A sink that wants only some kinds, and records what it was handed.
    private final class SelectiveSink: EventSink {
        let wantedEvents: EventKinds
        var events: [Event] = []
        var wantsTrace: Bool { false }
        init(_ kinds: EventKinds) { wantedEvents = kinds }
        func emit(_ event: Event) { events.append(event) }
    }

    /// Every bundled capture (renegotiations, refusals, client certificates,
    /// TLS 1.3) and the interleaved one: a sink wanting only `connection` gets
    /// only those, and the same ones, as a sink wanting everything.
    func testOnlyWantedEventsAreMadeAndTheyEqualAFullRun() throws {
        var captures = try FileManager.default.contentsOfDirectory(atPath: Paths.bundledCaptures.path)
            .filter { $0.hasSuffix(".pcap") }.sorted().map { Paths.bundledCaptures.appendingPathComponent($0) }
        captures.append(try ThreadedPipelineTests.interleavedCapture())
        XCTAssertGreaterThan(captures.count, 10)
        var compared = 0
        for capture in captures {
            for threads in [1, 2] {
                var options = PipelineOptions(input: capture.path)
                options.threads = threads
                let full = CollectingSink()
                _ = try Pipeline.run(options, sink: full)
                let lean = SelectiveSink([.connection])
                _ = try Pipeline.run(options, sink: lean)
                let kinds = Set(lean.events.map(\.body.typeName))
                XCTAssertTrue(kinds.isSubset(of: ["connection", "stats"]), "\(capture.lastPathComponent): \(kinds)")
                XCTAssertEqual(render(lean.events, only: "connection"), render(full.events, only: "connection"),
                               "\(capture.lastPathComponent), --threads \(threads): connection events differ")
                compared += lean.events.filter { $0.body.typeName == "connection" }.count
            }
        }
        XCTAssertGreaterThan(compared, 600)
    }

    /// The CLI: `--type connection` writes the connection lines of a full run,
    /// stats counts the lines written, and an unknown type is refused.
    func testTypeConnectionWritesTheSameLinesAsAFullRun() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("iis-renegotiation-tls10.pcap").path
        let full = try runTLSDump(["-r", capture, "--format", "json"])
        let lean = try runTLSDump(["-r", capture, "--format", "json", "--type", "connection"])
        XCTAssertEqual(lean.status, 0, String(decoding: lean.stderr, as: UTF8.self))
        let fullLines = lines(full.stdout).filter { $0.contains("\"type\":\"connection\"") }
        let leanLines = lines(lean.stdout)
        XCTAssertEqual(fullLines.count, 1)
        XCTAssertEqual(leanLines, fullLines)
        let counted = try runTLSDump(["-r", capture, "--format", "json", "--type", "connection", "--type", "stats"])
        let countedLines = lines(counted.stdout)
        XCTAssertEqual(Array(countedLines.dropLast()), fullLines)
        let stats = try XCTUnwrap(try jsonLines(counted.stdout).last)
        XCTAssertEqual(stats["type"] as? String, "stats")
        // Counted: the events made, which are those written plus the findings (--fail-on needs them).
        let made = lines(full.stdout).filter { $0.contains("\"type\":\"connection\"") || $0.contains("\"type\":\"finding\"") }.count + 1
        XCTAssertEqual(stats["events"] as? Int, made)
        XCTAssertLessThan(made, lines(full.stdout).count, "the other events were not made")

        // --sni still sees the client_hello it matches on.
        let named = try runTLSDump(["-r", capture, "--format", "json", "--type", "connection", "--sni", "server.*"])
        XCTAssertEqual(lines(named.stdout), fullLines)
        let other = try runTLSDump(["-r", capture, "--format", "json", "--type", "connection", "--sni", "other.*"])
        XCTAssertEqual(lines(other.stdout), [])

        let typo = try runTLSDump(["-r", capture, "--format", "json", "--type", "conection"])
        XCTAssertNotEqual(typo.status, 0)
        XCTAssertTrue(String(decoding: typo.stderr, as: UTF8.self).contains("--type conection is not an event type"))
    }

    /// One table names the kinds: each name picks back its own kind, and together they are `.all`.
    func testKindNamesRoundTrip() {
        var union: EventKinds = []
        for (name, kind) in EventKinds.named {
            XCTAssertEqual(kind.name, name)
            XCTAssertEqual(EventKinds(typeNames: [name]), kind)
            union.formUnion(kind)
        }
        XCTAssertEqual(union, .all)
        XCTAssertEqual(Set(EventKinds.named.map(\.name)).count, 13)
        XCTAssertEqual(EventKinds(typeNames: ["connection", "nonsense"]), .connection)
    }

    private func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Events of one type as JSON lines, in order per flow (sharded runs interleave flows).
    private func render(_ events: [Event], only type: String) -> [String: [String]] {
        var byFlow: [String: [String]] = [:]
        for event in events where event.body.typeName == type {
            var writer = JSONWriter()
            JSONEventWriter.encode(event, into: &writer)
            byFlow[event.flow?.flowID ?? "", default: []].append(String(decoding: writer.buffer, as: UTF8.self))
        }
        return byFlow
    }
}
