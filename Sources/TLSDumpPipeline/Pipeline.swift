import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode
import TLSDumpOutput

#if canImport(Glibc)
import Glibc
#endif

/// One run: read packets (from a file or an interface), decode, analyse,
/// write events. Each packet is touched once on its way through; with
/// `threads` > 1 the analysis is sharded over worker threads (ShardedAnalysis).
public struct PipelineOptions: Sendable {
    /// Capture files to read ("-" for stdin, alone); unused when `live` is
    /// set. Several are read as one input, merged by time (`CaptureSet`).
    public var inputs: [String]
    /// The first (usually only) capture file.
    public var input: String {
        get { inputs.first ?? "-" }
        set { inputs = [newValue] }
    }
    /// Capture on an interface instead of reading `input`.
    public var live: LiveCaptureOptions?
    public var filter: String = ""
    public var config = AnalyzerConfig()
    public var packetLimit: Int?
    /// Also write every packet read to this pcap file (`-w`).
    public var writePath: String?
    /// Emit a `stats` event every so many seconds (wall clock) while running.
    public var statsIntervalSeconds: Double?
    /// Analysis worker threads; 1 analyses on the reading thread.
    public var threads = 1
    /// Sharded runs: a worker hands its events over at least every so many
    /// (smaller: less memory held, more locking; tests use 1 to stress the hand-over).
    public var shardOutputChunkEvents = 1024
    /// Plain capture files are mapped and read in place (false: through libpcap, as before).
    public var readInPlace = true

    public init(input: String) { self.inputs = [input] }

    public init(inputs: [String]) { self.inputs = inputs }

    public init(live: LiveCaptureOptions) {
        self.inputs = [live.interface]
        self.live = live
    }
}

/// What the caller learns once the capture is open.
public struct CaptureInfo: Sendable {
    /// Interface name, the file path, or "N files" for several.
    public var name: String
    public var isLive: Bool
    public var linkTypeName: String
    public var linkTypeDescription: String
    public var snapshotLength: Int
    /// libpcap's non-fatal activation warnings (live only).
    public var warnings: [String]

    /// tcpdump's line: "listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes".
    public var listeningLine: String {
        "listening on \(name), link-type \(linkTypeName) (\(linkTypeDescription)), snapshot length \(snapshotLength) bytes"
    }
}

/// The caller's say in a run, all optional.
public struct PipelineHooks {
    /// After the capture is open and filtered, before anything is written or
    /// read: the place to drop privileges (`-Z`). Throwing ends the run.
    public var opened: (CaptureInfo) throws -> Void = { _ in }
    /// Everything is set up; packets are being read from now on.
    public var ready: (CaptureInfo) -> Void = { _ in }
    /// Polled for every packet and every read timeout; true ends the run as
    /// at end of input (open connections flushed, final `stats`).
    public var stopRequested: () -> Bool = { false }
    /// Receives the periodic `stats` events; nil sends them to the sink.
    public var intervalStats: ((Event) -> Void)?
    /// Kernel drops grew since the last interval: (total so far, new since then).
    public var dropsGrew: (Int, Int) -> Void = { _, _ in }
    /// Every thousand packets or so, reading files: bytes read of how many in all.
    public var progress: ((_ read: Int64, _ total: Int64) -> Void)?

    public init() {}
}

public struct PipelineResult: Sendable {
    public var packets = 0
    public var bytes = 0
    public var end: ReadEnd = .endOfInput
    public var outputFailed = false
    /// libpcap's counters at the end of a live capture; nil for files.
    public var captureStatistics: CaptureStatistics?
    /// The run ended because `PipelineHooks.stopRequested` said so.
    public var stopped = false
    /// Writing the `-w` file failed (the analysis went on without it).
    public var writeFailure: String?
    /// Files of a capture set that could not be read, or not to their end
    /// (the others were analysed).
    public var inputFailures: [InputFileFailure] = []
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
    /// Runs the whole pipeline over a capture file (or "-" for stdin) or, with
    /// `options.live`, an interface until a stop is requested, the packet
    /// limit is reached or the output closes. `outputOK` is polled so a
    /// closed stdout stops the read loop.
    public static func run(_ options: PipelineOptions, sink: EventSink, outputOK: () -> Bool = { true },
                           hooks: PipelineHooks = PipelineHooks()) throws(PipelineError) -> PipelineResult {
        let source: PacketSource
        var warnings: [String] = []
        do {
            if let live = options.live, options.threads > 1, options.writePath == nil, options.packetLimit == nil {
                // One socket per worker in a PACKET_FANOUT group: no reading thread. (-w and -c
                // need one reader: the copy in capture order, exactly N packets.)
                let capture = try FanoutCapture.open(live, count: options.threads,
                                                     defaultGroup: UInt16(truncatingIfNeeded: getpid()))
                warnings = capture.warnings
                source = capture
            } else if let live = options.live {
                let capture = try LiveCapture.open(live)
                warnings = capture.warnings
                source = capture
            } else {
                source = try CaptureSet.source(paths: options.inputs, supported: PacketDecoder.isSupported,
                                               inPlace: options.readInPlace)
            }
        } catch let error as CaptureError {
            throw .capture(error)
        } catch {
            throw .other("\(error)")
        }
        defer { source.close() }
        let name = (source as? CaptureSet).map { "\($0.fileCount) files" } ?? options.input
        let info = CaptureInfo(name: name, isLive: options.live != nil, linkTypeName: source.linkTypeName,
                               linkTypeDescription: source.linkTypeDescription,
                               snapshotLength: source.snapshotLength, warnings: warnings)
        var decoder: LinkTypeDecoders
        var dumper: PacketDumper?
        do {
            try source.requireLinkType(supported: PacketDecoder.isSupported)
            if !options.filter.isEmpty { try source.setFilter(options.filter) }
            decoder = try LinkTypeDecoders(linkTypes: source.linkTypes, decodesUDP: UDPDispatcher(config: options.config).wantsUDP)
            try hooks.opened(info)
            // Like tcpdump -w with -Z: the file is created after privileges are dropped.
            if let path = options.writePath { dumper = try source.openDumper(path: path) }
        } catch let error as CaptureError {
            throw .capture(error)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw .other("\(error)")
        }
        defer { dumper?.close() }
        hooks.ready(info)

        if let parallel = parallelRun(options, source: source, dumper: dumper, sink: sink) {
            return try runParallel(parallel, options: options, source: source, sink: sink, outputOK: outputOK, hooks: hooks)
        }
        let analysis = makeAnalysis(options, sink: sink)
        let counters = { analysis.counters }
        var run = RunState(options: options, source: source, counters: counters, sink: sink, hooks: hooks, dumper: dumper,
                           sharded: analysis.countersAreShardSums)
        var result = PipelineResult()
        var outputBroken = false
        var stopped = false
        let isLive = options.live != nil
        // Periodic work (stats, flushing -w, output checks) runs on a
        // timeout, or every so many packets: each packet live, since an
        // interface is slower than a file and each event must show at once.
        let checkMask = isLive ? 0 : 0x3ff
        // Live: on a stop request keep reading a little longer, so packets the
        // kernel still holds in a ring block (delivered at the block timeout
        // when not in immediate mode) are analysed rather than lost.
        var stopDeadline: Double?
        let drainSeconds = Double((options.live?.readTimeoutMilliseconds ?? 0) + 100) / 1000
        func shouldStop() -> Bool {
            guard hooks.stopRequested() else { return false }
            guard isLive else { return true }
            let now = Pipeline.monotonicSeconds()
            if stopDeadline == nil { stopDeadline = now + drainSeconds }
            return now >= (stopDeadline ?? now)
        }
        result.end = source.forEachPacket(onTimeout: {
            if shouldStop() { stopped = true; return false }
            analysis.advance(to: wallClock())
            run.periodic(result, decoder.stats, timedOut: true)
            if !outputOK() { outputBroken = true; return false }
            return true
        }) { header, bytes in
            result.packets += 1
            result.bytes += header.wireLength
            run.lastTimestamp = header.timestamp
            dumper?.write(header, bytes)
            if let segment = decoder.decode(bytes, linkType: header.linkType, timestamp: header.timestamp,
                                            udp: { analysis.process($0) }) {
                analysis.process(segment)
            }
            if result.packets & checkMask == 0 {
                analysis.deliverReady()
                if !outputOK() { outputBroken = true; return false }
                if shouldStop() { stopped = true; return false }
                if let progress = hooks.progress, let position = source.readPosition { progress(position.read, position.total) }
                run.periodic(result, decoder.stats, timedOut: false)
            }
            if let limit = options.packetLimit, result.packets >= limit { return false }
            return true
        }
        result.stopped = stopped
        result.captureStatistics = source.statistics()
        result.inputFailures = source.fileTotals?.failed ?? []
        if let dumper {
            dumper.flush()
            result.writeFailure = dumper.failure
        }
        if outputBroken {
            analysis.abandon()
            result.outputFailed = true
            return result
        }
        analysis.finish()
        let stats = run.statsEvent(result, decoder.stats)
        sink.emit(Event(timestamp: counters().lastTimestamp ?? run.lastTimestamp ?? .zero, flow: nil, body: .stats(stats)))
        result.outputFailed = !outputOK()
        return result
    }

    /// A file read in place with several threads and nothing that needs one
    /// reader (`-w`, periodic stats): workers that each walk the file (`ParallelFileRun`).
    static func parallelRun(_ options: PipelineOptions, source: PacketSource, dumper: PacketDumper?,
                            sink: EventSink) -> ParallelRun? {
        guard options.threads > 1, dumper == nil else { return nil }
        if let fanout = source as? FanoutCapture {
            return ParallelRun(inputs: fanout.members.map { .socket($0) }, options: options, sink: sink)
        }
        guard options.live == nil, options.statsIntervalSeconds == nil, let mapped = source as? MappedCaptureFile,
              let sources = ParallelRun.sources(first: mapped, count: options.threads, filter: options.filter) else { return nil }
        return ParallelRun(inputs: sources.map { .walk($0) }, options: options, sink: sink)
    }

    private static func runParallel(_ parallel: ParallelRun, options: PipelineOptions, source: PacketSource, sink: EventSink,
                                    outputOK: () -> Bool, hooks: PipelineHooks) throws(PipelineError) -> PipelineResult {
        let started = Pipeline.monotonicSeconds()
        var periodic = RunState(options: options, source: source,
                                counters: { parallel.latestCounters.reduce(AnalyzerCounters(), +) }, sink: sink, hooks: hooks,
                                dumper: nil, sharded: true)
        let tick = {
            guard options.statsIntervalSeconds != nil else { return }
            let totals = parallel.totals()
            var sofar = PipelineResult()
            sofar.packets = totals.packets
            sofar.bytes = totals.bytes
            periodic.periodic(sofar, totals.decode, timedOut: true)
        }
        guard let outcome = parallel.run(outputOK: outputOK, stopRequested: hooks.stopRequested, progress: hooks.progress,
                                         tick: tick) else {
            throw .other("cannot start \(options.threads) analysis threads")
        }
        var result = PipelineResult()
        result.packets = outcome.packets
        result.bytes = outcome.bytes
        result.end = outcome.end
        result.stopped = outcome.stopped
        result.inputFailures = source.fileTotals?.failed ?? []
        result.captureStatistics = source.statistics()
        if outcome.outputFailed {
            result.outputFailed = true
            return result
        }
        let counters = outcome.counters
        let run = RunState(options: options, source: source, counters: { counters }, sink: sink, hooks: hooks, dumper: nil,
                           sharded: true)
        var stats = run.statsEvent(result, outcome.decode)
        stats.seconds = Pipeline.monotonicSeconds() - started
        sink.emit(Event(timestamp: counters.lastTimestamp ?? outcome.lastTimestamp ?? .zero, flow: nil, body: .stats(stats)))
        result.outputFailed = !outputOK()
        return result
    }

    /// The analysis for a run: sharded over `threads` workers, or on this
    /// thread when one is asked for (or the system refused the threads).
    static func makeAnalysis(_ options: PipelineOptions, sink: EventSink) -> PacketAnalysis {
        if options.threads > 1, let sharded = ShardedAnalysis(workers: options.threads, config: options.config, sink: sink,
                                                              outputChunkEvents: options.shardOutputChunkEvents) {
            return sharded
        }
        return TLSAnalyzer(config: options.config, sink: sink)
    }

    /// Online processors: the default for `--threads`.
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Wall-clock time as a capture timestamp (live packets carry wall-clock time).
    static func wallClock() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }
}

/// The periodic side of a run: `stats` every interval, drop warnings, and
/// flushing the `-w` file so a reader of it sees packets promptly.
private struct RunState {
    let source: PacketSource
    let counters: () -> AnalyzerCounters
    let hooks: PipelineHooks
    let dumper: PacketDumper?
    let sink: EventSink
    let statsInterval: Double?
    /// Sharded: each worker has its own peak of open connections.
    let sharded: Bool
    let started = Pipeline.monotonicSeconds()
    var lastTimestamp: Timestamp?
    private var nextStats: Double
    private var nextFlush: Double
    private var reportedDrops = 0
    private var intervalEvents = 0

    static let flushInterval = 0.25

    init(options: PipelineOptions, source: PacketSource, counters: @escaping () -> AnalyzerCounters, sink: EventSink,
         hooks: PipelineHooks, dumper: PacketDumper?, sharded: Bool) {
        self.source = source
        self.counters = counters
        self.hooks = hooks
        self.dumper = dumper
        self.sink = sink
        self.statsInterval = options.statsIntervalSeconds.flatMap { $0 > 0 ? $0 : nil }
        self.sharded = sharded
        nextStats = started + (statsInterval ?? .infinity)
        nextFlush = started + RunState.flushInterval
    }

    mutating func periodic(_ result: PipelineResult, _ decode: DecodeStats, timedOut: Bool) {
        guard statsInterval != nil || dumper != nil else { return }
        let now = Pipeline.monotonicSeconds()
        if let dumper, timedOut || now >= nextFlush {
            dumper.flush()
            nextFlush = now + RunState.flushInterval
        }
        guard let statsInterval, now >= nextStats else { return }
        nextStats = now + statsInterval
        let stats = statsEvent(result, decode, final: false)
        let event = Event(timestamp: timedOut ? Pipeline.wallClock() : (lastTimestamp ?? Pipeline.wallClock()),
                          flow: nil, body: .stats(stats))
        if let forward = hooks.intervalStats {
            forward(event)
        } else {
            intervalEvents += 1
            sink.emit(event)
        }
        if let dropped = stats.dropped, dropped > reportedDrops {
            hooks.dropsGrew(dropped, dropped - reportedDrops)
            reportedDrops = dropped
        }
    }

    func statsEvent(_ result: PipelineResult, _ d: DecodeStats, final: Bool = true) -> StatsEvent {
        let analysis = counters()
        var stats = StatsEvent(
            packets: result.packets, bytes: result.bytes,
            tcpConnections: analysis.tcpConnections, tlsConnections: analysis.tlsConnections,
            dropped: source.statistics()?.dropped, seconds: Pipeline.monotonicSeconds() - started,
            reassembly: analysis.reassembly,
            events: analysis.eventsEmitted + intervalEvents + 1,
            decode: [("tcp", d.tcp), ("udp", d.udp), ("non_tcp", d.nonTCP), ("malformed", d.malformed), ("truncated", d.truncated),
                     ("ip_fragments", d.ipFragments), ("ip_reassembled", d.ipReassembled),
                     ("ip_fragments_dropped", d.ipFragmentsDropped), ("tls_malformed", analysis.malformedRecords)])
        stats.isFinal = final
        stats.quicConnections = analysis.quicConnections
        stats.received = source.statistics()?.received
        stats.openConnections = analysis.openConnections
        stats.openConnectionsPeak = analysis.peakOpenConnections
        stats.peakIsUpperBound = sharded
        if let files = source.fileTotals {
            stats.files = FileTotals(read: files.read, bytes: files.bytes.map { Int(clamping: $0) },
                                     failed: files.failed.map { ($0.file, $0.reason) })
        }
        return stats
    }
}
