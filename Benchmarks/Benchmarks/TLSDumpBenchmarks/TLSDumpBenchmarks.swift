import Benchmark
import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpOutput
import TLSDumpTLS

// Microbenchmarks of the three hot paths named in issue 7: the TLS record
// parser (RecordStream), TCP reassembly (HalfStreamReassembler) and the JSON
// event writer. Each reports wall time, MB/s and items/s (records, segments
// or events), and mallocs per iteration: in steady state the record parser
// and in-order reassembly allocate nothing per record or segment.

/// Throughput in the unit that matters, measured around the work itself.
enum Rate {
    static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    static let itemsPerSecond = BenchmarkMetric.custom("k items/s", polarity: .prefersLarger, useScalingFactor: false)

    /// Runs `body` (which returns how many items it handled) and records
    /// `bytes` and items per second of it.
    static func measure(_ benchmark: Benchmark, bytes: Int, _ body: () -> Int) {
        let start = now()
        let items = body()
        let nanoseconds = max(1, now() - start)
        benchmark.measurement(megabytesPerSecond, Int(Double(bytes) * 1e3 / Double(nanoseconds)))
        benchmark.measurement(itemsPerSecond, Int(Double(items) * 1e6 / Double(nanoseconds)))
    }

    static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }
}

/// State a benchmark keeps across iterations (a parser or writer reused in steady state).
final class Reused<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, Rate.megabytesPerSecond, Rate.itemsPerSecond]

// MARK: - RecordStream

/// Splits each stream into records with a fresh parser (a new connection
/// each), handshake bodies wanted as in the analyzer; returns the record count.
@inline(never)
func parseRecords(_ streams: [RecordedStream]) -> Int {
    var records = 0
    for stream in streams {
        var parser = RecordStream()
        records += feed(stream, to: &parser)
    }
    return records
}

@inline(__always)
func feed(_ stream: RecordedStream, to parser: inout RecordStream) -> Int {
    var records = 0
    for chunk in stream.chunks {
        chunk.withUnsafeBytes { raw in
            var input = StreamInput(raw)
            while let item = parser.next(&input) {
                switch item {
                case .record(_, let body), .sslv2Record(_, let body):
                    records += 1
                    blackHole(body?.count ?? -1)
                default:
                    break
                }
            }
        }
    }
    return records
}

// MARK: - HalfStreamReassembler

/// Feeds one direction's segments to a fresh reassembler; returns delivered bytes.
@inline(never)
func reassemble(_ segments: [RecordedSegment]) -> Int {
    var reassembler = HalfStreamReassembler()
    var delivered = 0
    for segment in segments {
        segment.payload.withUnsafeBytes { payload in
            reassembler.accept(sequence: segment.sequence, syn: segment.syn, fin: segment.fin, rst: false,
                               payload: payload) { chunk in
                if case .data(let bytes) = chunk { delivered += bytes.count }
            }
        }
    }
    reassembler.flush { chunk in
        if case .data(let bytes) = chunk { delivered += bytes.count }
    }
    return delivered
}

// MARK: - Suite

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: metrics, maxDuration: .seconds(2), maxIterations: 100_000)

    // Real handshakes and data from the bundled captures (TLS 1.0-1.3,
    // renegotiation, client certificates), in their loopback segmentation
    // (whole records per chunk: bodies are borrowed, no copy).
    let handshakes = Fixtures.handshakeStreams
    let handshakeBytes = handshakes.reduce(0) { $0 + $1.byteCount }
    let handshakeRecords = parseRecords(handshakes)
    Benchmark("RecordStream real streams (\(handshakes.count) streams, \(handshakeRecords) records, \(handshakeBytes) B)") { benchmark in
        Rate.measure(benchmark, bytes: handshakeBytes) { parseRecords(handshakes) }
    }

    // The same bytes in 1448-byte segments: certificate flights straddle
    // segments and are assembled in the parser's buffer.
    let mssStreams = handshakes.map { $0.rechunked(1448) }
    Benchmark("RecordStream real streams, 1448-byte segments") { benchmark in
        Rate.measure(benchmark, bytes: handshakeBytes) { parseRecords(mssStreams) }
    }

    // Bulk transfer: only record headers matter, bodies are skipped by
    // count. One parser reused across iterations: the steady state.
    let bulk = Fixtures.bulkApplicationData()
    let bulkBytes = bulk.byteCount
    let bulkParser = Reused(RecordStream())
    Benchmark("RecordStream application data (64 x 16 KiB records in 1448-byte segments, reused parser)") { benchmark in
        Rate.measure(benchmark, bytes: bulkBytes) { feed(bulk, to: &bulkParser.value) }
    }

    let inOrder = Fixtures.inOrderSegments()
    let streamBytes = 1 << 20
    Benchmark("HalfStreamReassembler in order (1 MiB, \(inOrder.count) segments)") { benchmark in
        Rate.measure(benchmark, bytes: streamBytes) {
            let delivered = reassemble(inOrder)
            precondition(delivered == streamBytes)
            return inOrder.count
        }
    }

    let reordered = Fixtures.reorderedSegments()
    Benchmark("HalfStreamReassembler reordered + overlapping (1 MiB, \(reordered.count) segments)") { benchmark in
        Rate.measure(benchmark, bytes: streamBytes) {
            let delivered = reassemble(reordered)
            precondition(delivered == streamBytes)
            return reordered.count
        }
    }

    // JSON: one event per inner iteration into a writer reused like
    // JSONEventWriter's (cleared, capacity kept).
    let events = Fixtures.events
    for (name, event) in [("client_hello", events.clientHello), ("certificate", events.certificate),
                          ("connection", events.connection)] {
        let writer = Reused(JSONWriter(reservingCapacity: 1 << 14))
        let size = Fixtures.encodedSize(event, &writer.value) + 1  // + the newline
        Benchmark("JSONEventWriter.encode \(name) (\(size) B)",
                  configuration: .init(metrics: metrics, scalingFactor: .kilo, maxDuration: .seconds(2))) { benchmark in
            Rate.measure(benchmark, bytes: size * benchmark.scaledIterations.count) {
                for _ in benchmark.scaledIterations {
                    writer.value.removeAll()
                    JSONEventWriter.encode(event, into: &writer.value)
                    writer.value.endLine()
                    blackHole(writer.value.count)
                }
                return benchmark.scaledIterations.count
            }
        }
    }
}
