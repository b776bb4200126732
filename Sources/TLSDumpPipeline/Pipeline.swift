import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode
import TLSDumpOutput

#if canImport(Glibc)
import Glibc
#endif

/// One run: read packets, decode, analyse, write events. Single-threaded;
/// each packet is touched once on its way through.
public struct PipelineOptions: Sendable {
    public var input: String
    public var filter: String = ""
    public var config = AnalyzerConfig()
    public var packetLimit: Int?

    public init(input: String) { self.input = input }
}

public struct PipelineResult: Sendable {
    public var packets = 0
    public var bytes = 0
    public var end: ReadEnd = .endOfInput
    public var outputFailed = false
}

public enum PipelineError: Error, CustomStringConvertible {
    case capture(CaptureError)
    case other(String)

    public var description: String {
        switch self {
        case .capture(let e): e.description
        case .other(let s): s
        }
    }
}

public enum Pipeline {
    /// Runs the whole pipeline over a capture file (or "-" for stdin).
    /// `outputOK` is polled so a closed stdout stops the read loop.
    public static func run(_ options: PipelineOptions, sink: EventSink, outputOK: () -> Bool = { true }) throws(PipelineError) -> PipelineResult {
        let reader: PcapReader
        do {
            reader = try PcapReader.open(path: options.input)
            try reader.requireLinkType(supported: PacketDecoder.isSupported)
            if !options.filter.isEmpty { try reader.setFilter(options.filter) }
        } catch let error as CaptureError {
            throw .capture(error)
        } catch {
            throw .other("\(error)")
        }
        defer { reader.close() }
        var decoder: PacketDecoder
        do {
            decoder = try PacketDecoder(linkType: reader.linkType)
        } catch {
            throw .other("\(error)")
        }
        let analyzer = TLSAnalyzer(config: options.config, sink: sink)
        var result = PipelineResult()
        let started = monotonicSeconds()
        var lastTimestamp: Timestamp?
        var outputBroken = false
        result.end = reader.forEachPacket { header, bytes in
            result.packets += 1
            result.bytes += header.wireLength
            lastTimestamp = header.timestamp
            if let segment = decoder.decode(bytes, timestamp: header.timestamp) {
                analyzer.process(segment)
            }
            if result.packets & 0x3ff == 0 && !outputOK() {
                outputBroken = true
                return false
            }
            if let limit = options.packetLimit, result.packets >= limit { return false }
            return true
        }
        if outputBroken {
            result.outputFailed = true
            return result
        }
        analyzer.finish()
        let d = decoder.stats
        let stats = StatsEvent(
            packets: result.packets, bytes: result.bytes,
            tcpConnections: analyzer.tcpConnections, tlsConnections: analyzer.tlsConnections,
            dropped: nil, seconds: monotonicSeconds() - started,
            reassembly: analyzer.reassemblyTotals, events: analyzer.eventsEmitted + 1,
            decode: [("tcp", d.tcp), ("non_tcp", d.nonTCP), ("malformed", d.malformed), ("truncated", d.truncated),
                     ("ip_fragments", d.ipFragments), ("ip_reassembled", d.ipReassembled),
                     ("ip_fragments_dropped", d.ipFragmentsDropped), ("tls_malformed", analyzer.malformedRecords)])
        sink.emit(Event(timestamp: analyzer.lastTimestamp ?? lastTimestamp ?? .zero, flow: nil, body: .stats(stats)))
        result.outputFailed = !outputOK()
        return result
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
