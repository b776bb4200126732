import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpOutput
#if canImport(Glibc)
import Glibc
#endif

/// `--threads N` with no reading thread at all, over a file read in place
/// or, live, over the sockets of a PACKET_FANOUT group (`FanoutCapture`).
///
/// Live: each worker reads its own socket's ring; the kernel has already
/// dealt out the packets by a symmetric flow hash, so a worker analyses all
/// it reads (a QUIC connection that moves to a new address pair lands where
/// its new pair hashes, and is not followed there).
///
/// A file: each
/// worker maps the file itself, walks every record (framing a record is a
/// few loads), decodes it, and analyses the packets whose address pair it
/// owns (`FlowShard`: both directions of a connection on one worker, TCP and
/// UDP alike); the others cost it a decode and a hash. Nothing is copied
/// between threads but the events, which the calling thread writes as the
/// workers hand them over (rendered on the workers when the sink can).
///
/// QUIC: a connection's address pair names its worker, as TCP's does. A
/// connection that moves to a new pair (RFC 9000 9) is found by its
/// connection id by the worker that owns it: a short-header datagram of a
/// pair on which no worker saw a long header is offered, on every worker,
/// to that worker's own connection ids (`TLSAnalyzer.processForeign`).
/// "Seen on this pair" is a table every worker keeps alike (`StartedPairs`),
/// so exactly one worker's view decides: never two owners for a datagram.
///
/// Every worker sees every packet in the same order, so counts that do not
/// depend on ownership (packets, bytes, decode statistics, the end of the
/// read) are worker 0's.
final class ParallelRun {
    struct Outcome {
        var packets = 0
        var bytes = 0
        var end: ReadEnd = .endOfInput
        var decode = DecodeStats()
        var stopped = false
        var outputFailed = false
        var counters = AnalyzerCounters()
        /// Worker 0's last packet time (stamps the final stats when no connection did).
        var lastTimestamp: Timestamp?
    }

    private let monitor = Monitor()
    private var workers: [Worker] = []
    private var threads: [WorkerThread] = []
    private let sink: EventSink
    private let renderingSink: RenderingEventSink?

    /// What each worker reads.
    enum Input {
        /// The whole file, walked by every worker; each keeps its own pairs.
        case walk(MappedCaptureFile)
        /// This worker's own share of the interface's packets.
        case socket(LiveCapture)
    }

    /// Sources for the run, one per worker (the first may be the one the
    /// pipeline opened), or nil when the input cannot be walked in parallel.
    static func sources(first: MappedCaptureFile, count: Int, filter: String) -> [MappedCaptureFile]? {
        var sources = [first]
        while sources.count < count {
            guard let another = MappedCaptureFile.open(path: first.path) else { return nil }
            do { try another.setFilter(filter) } catch { return nil }
            sources.append(another)
        }
        return sources
    }

    private let live: Bool

    init?(inputs: [Input], options: PipelineOptions, sink: EventSink) {
        let count = inputs.count
        live = inputs.contains { if case .socket = $0 { true } else { false } }
        precondition(count >= 2)
        self.sink = sink
        let rendering = sink as? RenderingEventSink
        var renderers: [EventRenderer?] = []
        for _ in 0..<count { renderers.append(rendering?.makeRenderer()) }
        let useRenderers = renderers.allSatisfy { $0 != nil }
        renderingSink = useRenderers ? rendering : nil
        for (index, input) in inputs.enumerated() {
            let source: PacketSource = switch input {
            case .walk(let file): file
            case .socket(let socket): socket
            }
            var config = options.config
            // Shared out, so N workers hold what one would.
            config.maxBufferedBytesTotal = max(1, options.config.maxBufferedBytesTotal / count)
            config.flowLimits.maxFlows = max(1, options.config.flowLimits.maxFlows / count)
            let shardSink = ShardSink(wantsTrace: sink.wantsTrace, wantsFindingsInSummary: sink.wantsFindingsInSummary,
                                      wantedEvents: sink.wantedEvents, renderer: useRenderers ? renderers[index] : nil,
                                      chunkEvents: max(1, options.shardOutputChunkEvents))
            let analyzer = TLSAnalyzer(config: config, sink: shardSink, serialStart: index + 1, serialStride: count)
            guard let decoder = try? LinkTypeDecoders(linkTypes: source.linkTypes, decodesUDP: analyzer.udp.wantsUDP) else {
                return nil
            }
            let worker = Worker(index: index, of: count, input: input, analyzer: analyzer, decoder: decoder, sink: shardSink,
                                packetLimit: options.packetLimit)
            let monitor = monitor
            shardSink.handOver = { [unowned worker] output in worker.handOver(output, monitor: monitor) }
            shardSink.counters = { [unowned analyzer] in analyzer.counters }
            shardSink.takeSpare = { [unowned worker] in worker.takeSpare(monitor: monitor) }
            workers.append(worker)
        }
    }

    /// Runs the workers to the end of the file (or a stop), writing their
    /// events on this thread; `outputOK` and `stopRequested` are polled
    /// while waiting, `progress` gets worker 0's position.
    /// The workers' counters as of their last hand-over (this thread's).
    private(set) var latestCounters: [AnalyzerCounters] = []

    /// Live: what the workers have read so far, summed (for periodic stats).
    func totals() -> (packets: Int, bytes: Int, decode: DecodeStats) {
        monitor.lock()
        defer { monitor.unlock() }
        var decode = DecodeStats()
        for worker in workers { decode.add(worker.publishedDecode) }
        return (workers.reduce(0) { $0 + $1.publishedPackets }, workers.reduce(0) { $0 + $1.publishedBytes }, decode)
    }

    func run(outputOK: () -> Bool, stopRequested: () -> Bool,
             progress: ((_ read: Int64, _ total: Int64) -> Void)?, tick: () -> Void = {}) -> Outcome? {
        for worker in workers {
            let monitor = monitor
            guard let thread = WorkerThread({ worker.run(monitor: monitor) }) else {
                stop()
                return nil
            }
            threads.append(thread)
        }
        var outcome = Outcome()
        latestCounters = Array(repeating: AnalyzerCounters(), count: workers.count)
        monitor.lock()
        while true {
            let outputs = takeOutputsLocked()
            if outputs.isEmpty {
                if workers.allSatisfy({ $0.finished }) { break }
                if live {
                    // Wake at least at the read timeout: stop requests and periodic stats.
                    monitor.wait(milliseconds: 250)
                    monitor.unlock()
                    tick()
                    if stopRequested() && !outcome.stopped {
                        outcome.stopped = true
                        requestStop(finishing: true)
                    }
                    if !outputOK() {
                        outcome.outputFailed = true
                        stop()
                        return outcome
                    }
                    monitor.lock()
                } else {
                    monitor.wait()
                }
                continue
            }
            let position = workers[0].position
            monitor.unlock()
            var pending = outputs
            pending.reverse()
            var spares: [(Int, [UInt8])] = []
            while let (index, output) = pending.popLast() {
                latestCounters[index] = output.counters
                deliver(output)
                // The only reference now: emptied, it keeps its storage for the worker.
                var buffer = output.rendered
                _ = consume output
                buffer.removeAll(keepingCapacity: true)
                if buffer.capacity > 0 { spares.append((index, buffer)) }
            }
            if !spares.isEmpty {
                monitor.lock()
                for (index, buffer) in spares where workers[index].spares.count < 4 { workers[index].spares.append(buffer) }
                monitor.unlock()
            }
            if let progress, let position { progress(position.read, position.total) }
            tick()
            if !outputOK() {
                outcome.outputFailed = true
                stop()
                return outcome
            }
            if stopRequested() && !outcome.stopped {
                outcome.stopped = true
                requestStop(finishing: true)
            }
            monitor.lock()
        }
        monitor.unlock()
        for thread in threads { thread.join() }
        threads = []
        let first = workers[0]
        if live {
            // Disjoint shares: everything adds up.
            outcome.packets = workers.reduce(0) { $0 + $1.packets }
            outcome.bytes = workers.reduce(0) { $0 + $1.bytes }
            for worker in workers { outcome.decode.add(worker.decoder.stats) }
            outcome.lastTimestamp = workers.compactMap(\.lastTimestamp).max()
            outcome.end = workers.first(where: { $0.end != .stopped && $0.end != .endOfInput })?.end ?? (outcome.stopped ? .stopped : first.end)
        } else {
            // Every worker saw every packet.
            outcome.packets = first.packets
            outcome.bytes = first.bytes
            outcome.end = outcome.stopped ? .stopped : first.end
            outcome.decode = first.decoder.stats
            outcome.lastTimestamp = first.lastTimestamp
        }
        outcome.counters = latestCounters.reduce(AnalyzerCounters(), +)
        return outcome
    }

    /// Ends the walk early: with `finishing`, the workers still report their open connections.
    private func requestStop(finishing: Bool) {
        monitor.lock()
        for worker in workers {
            worker.stopWalking = true
            if !finishing { worker.abandoned = true }
        }
        monitor.broadcast()
        monitor.unlock()
    }

    /// The output is gone: stop without reporting.
    private func stop() {
        requestStop(finishing: false)
        for thread in threads { thread.join() }
        threads = []
    }

    private func takeOutputsLocked() -> [(Int, ShardOutput)] {
        var all: [(Int, ShardOutput)] = []
        for worker in workers where !worker.outputs.isEmpty {
            for output in worker.outputs { all.append((worker.index, output)) }
            worker.outputs.removeAll(keepingCapacity: true)
        }
        if !all.isEmpty { monitor.broadcast() }
        return all
    }

    private func deliver(_ output: ShardOutput) {
        output.deliver(to: sink, rendering: renderingSink)
    }
}

/// One worker of a parallel run: its own mapping or socket, decoder and analyser.
/// The walk touches only these; `outputs`, `stopWalking`, `finished` and
/// `position` are shared under the monitor.
private final class Worker: @unchecked Sendable {
    let index: Int
    let count: Int
    let input: ParallelRun.Input
    let analyzer: TLSAnalyzer
    var decoder: LinkTypeDecoders
    let sink: ShardSink
    let packetLimit: Int?
    /// Address pairs on which a datagram that can start a connection was seen.
    private let startedPairs: StartedPairs

    // Walk results, read after the thread is joined.
    var packets = 0
    var bytes = 0
    var end: ReadEnd = .endOfInput
    var lastTimestamp: Timestamp?

    // Guarded by the monitor:
    var outputs: [ShardOutput] = []
    var stopWalking = false
    var abandoned = false
    var finished = false
    var position: (read: Int64, total: Int64)?
    var publishedPackets = 0
    var publishedBytes = 0
    var publishedDecode = DecodeStats()
    /// Render buffers the output thread emptied and gave back.
    var spares: [[UInt8]] = []

    static let maxQueuedOutputs = 8
    /// Packets between looks at the shared state (stop requests, position).
    static let checkEvery = 4096

    init(index: Int, of count: Int, input: ParallelRun.Input, analyzer: TLSAnalyzer, decoder: LinkTypeDecoders,
         sink: ShardSink, packetLimit: Int?) {
        self.index = index
        self.count = count
        self.input = input
        self.analyzer = analyzer
        self.decoder = decoder
        self.sink = sink
        self.packetLimit = packetLimit
        startedPairs = StartedPairs(limits: analyzer.flowLimits)
    }

    func takeSpare(monitor: Monitor) -> [UInt8]? {
        monitor.lock()
        defer { monitor.unlock() }
        return spares.popLast()
    }

    func handOver(_ output: ShardOutput, monitor: Monitor) {
        monitor.lock()
        while outputs.count >= Self.maxQueuedOutputs && !abandoned { monitor.wait() }
        outputs.append(output)
        monitor.broadcast()
        monitor.unlock()
    }

    func run(monitor: Monitor) {
        switch input {
        case .walk(let file): walk(file, monitor: monitor)
        case .socket(let socket): read(socket, monitor: monitor)
        }
        finish(monitor: monitor)
    }

    /// Live: everything this socket delivers is this worker's. Events go out
    /// within a few milliseconds of the packet that made them (handing over
    /// after every such packet woke the output thread 180,000 times on the
    /// dense file); the read timeout moves the clock on and hands over the rest.
    private func read(_ socket: LiveCapture, monitor: Monitor) {
        let analyzer = self.analyzer, sink = self.sink
        var decoder = self.decoder
        defer { self.decoder = decoder }
        var packets = 0, bytes = 0
        var last: Timestamp?
        func publish() -> Bool {
            monitor.lock()
            publishedPackets = packets
            publishedBytes = bytes
            publishedDecode = decoder.stats
            let stop = stopWalking
            monitor.unlock()
            return !stop
        }
        var lastHandOver = Self.coarseMilliseconds()
        func handOverReady(force: Bool) {
            guard sink.hasPending else { return }
            let now = Self.coarseMilliseconds()
            guard force || now &- lastHandOver >= Self.handOverMilliseconds else { return }
            lastHandOver = now
            handOver(sink.take(counters: analyzer.counters), monitor: monitor)
        }
        let end = socket.forEachPacket(onTimeout: {
            analyzer.advance(to: Pipeline.wallClock())
            handOverReady(force: true)
            return publish()
        }) { header, packet in
            packets += 1
            bytes += header.wireLength
            last = header.timestamp
            let segment = decoder.decode(packet, linkType: header.linkType, timestamp: header.timestamp) { analyzer.process($0) }
            if let segment { analyzer.process(segment) }
            handOverReady(force: false)
            if packets % 256 == 0 && !publish() { return false }
            if let packetLimit, packets >= packetLimit { return false }
            return true
        }
        handOverReady(force: true)
        _ = publish()
        self.packets = packets
        self.bytes = bytes
        self.lastTimestamp = last
        self.end = end
    }

    /// Live events wait at most this long on a worker.
    static let handOverMilliseconds: Int64 = 5

    /// A cheap clock for hand-over pacing (CLOCK_MONOTONIC_COARSE: no system call).
    static func coarseMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }


    /// A file: every record, decoded; only this worker's address pairs analysed.
    private func walk(_ source: MappedCaptureFile, monitor: Monitor) {
        let me = index, count = self.count, analyzer = self.analyzer
        let udp = analyzer.udp
        var packets = 0, bytes = 0
        var stopped = false
        var last: Timestamp?
        // Locals, not properties: the per-packet path touches no class storage
        // (no dynamic exclusivity checks).
        var decoder = self.decoder
        let startedPairs = self.startedPairs
        defer { self.decoder = decoder }
        let end = source.forEachPacket { header, packet in
            packets += 1
            bytes += header.wireLength
            last = header.timestamp
            let segment = decoder.decode(packet, linkType: header.linkType, timestamp: header.timestamp) { datagram in
                guard udp.mayClaim(datagram.payload) else { return }
                let hash = FlowShard.pairHash(datagram.source, datagram.sourcePort, datagram.destination, datagram.destinationPort)
                let started = startedPairs.note(datagram, starts: udp.mayStartConnection(datagram.payload))
                if FlowShard.index(hash, among: count) == me {
                    analyzer.process(datagram)
                } else if !started {
                    analyzer.processForeign(datagram)
                }
            }
            if let segment,
               FlowShard.index(FlowShard.pairHash(segment.source, segment.sourcePort, segment.destination, segment.destinationPort),
                               among: count) == me {
                analyzer.process(segment)
            }
            if packets % Self.checkEvery == 0 {
                monitor.lock()
                stopped = stopWalking
                if me == 0 { position = source.readPosition }
                monitor.unlock()
                if stopped { return false }
            }
            if let packetLimit, packets >= packetLimit { return false }
            return true
        }
        self.packets = packets
        self.bytes = bytes
        self.lastTimestamp = last
        self.end = end
    }

    private func finish(monitor: Monitor) {
        monitor.lock()
        let abandon = abandoned
        monitor.unlock()
        if !abandon { analyzer.finish() }
        let output = sink.take(counters: analyzer.counters)
        monitor.lock()
        while outputs.count >= Self.maxQueuedOutputs && !abandoned { monitor.wait() }
        if !abandoned { outputs.append(output) }
        finished = true
        monitor.broadcast()
        monitor.unlock()
    }
}

/// The UDP address pairs on which a datagram that can start a connection (a
/// QUIC long header) was seen, with the flow table's limits and idle expiry.
/// Every worker of a parallel run sees every datagram in the same order, so
/// every worker's table holds the same pairs: a short-header datagram of a
/// pair not in it may belong to a connection that moved, and each worker
/// then looks for it among its own connection ids.
final class StartedPairs {
    private final class Mark {}
    private let table: FlowTable<Mark>
    private let mark = Mark()
    private var lastExpiry: Int64 = .min

    init(limits: FlowTableLimits) { table = FlowTable(limits: limits) }

    /// Records the datagram's pair when it `starts` a connection; true when
    /// the pair is (now) known as started.
    @inline(__always)
    func note(_ datagram: UDPDatagram, starts: Bool) -> Bool {
        let (key, _) = FlowKey.make(source: Endpoint(ip: datagram.source, port: datagram.sourcePort),
                                    destination: Endpoint(ip: datagram.destination, port: datagram.destinationPort))
        let hash = FlowHash(key)
        if datagram.timestamp.nanoseconds &- lastExpiry > 1_000_000_000 {
            lastExpiry = datagram.timestamp.nanoseconds
            table.expireIdle(now: datagram.timestamp) { _, _ in }
        }
        if table.lookupAndTouch(key, hash: hash, at: datagram.timestamp) != nil { return true }
        if starts {
            table.insert(key, hash: hash, mark, at: datagram.timestamp) { _, _ in }
            return true
        }
        return false
    }
}
