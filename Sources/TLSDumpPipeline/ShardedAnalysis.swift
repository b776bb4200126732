import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpDecode
import TLSDumpOutput
import TLSDumpQUIC

/// `--threads N`: the reading thread decodes packets and deals each TCP
/// segment to one of N analysis workers by a symmetric hash of its 5-tuple,
/// so both directions of a connection meet on the same worker and each
/// worker owns its flows outright (no locks on the per-packet path).
/// Segments travel in batches through bounded queues (the reader waits when
/// a worker falls behind, so memory stays bounded); events come back per
/// batch and are written by the reading thread, so each connection's events
/// keep their order and lines never interleave. With a `RenderingEventSink`
/// the workers also render their events (JSON encoding is a large share of
/// the work) and the output thread only copies bytes.
final class ShardedAnalysis: PacketAnalysis {
    private let monitor = Monitor()
    private let shards: [Shard]
    private var threads: [WorkerThread] = []
    private let sink: EventSink
    private let dispatcher: UDPDispatcher
    private let renderingSink: RenderingEventSink?
    /// The batch being filled for each shard (owned by the reading thread).
    private var filling: [SegmentBatch]
    /// Each shard's counters as of its last delivered output.
    private var latest: [AnalyzerCounters]

    /// Batches queued per shard before the reader waits: enough to ride out
    /// a slow event, few enough to bound memory (a batch holds <= ~256 KiB).
    static let maxQueuedBatches = 4

    init?(workers: Int, config: AnalyzerConfig, sink: EventSink, outputChunkEvents: Int = 1024) {
        precondition(workers >= 2)
        self.sink = sink
        dispatcher = UDPDispatcher(config: config)
        let rendering = sink as? RenderingEventSink
        var renderers: [EventRenderer?] = []
        for _ in 0..<workers { renderers.append(rendering?.makeRenderer()) }
        // Render on the workers only when every worker got a renderer.
        let useRenderers = renderers.allSatisfy { $0 != nil }
        renderingSink = useRenderers ? rendering : nil
        var shards: [Shard] = []
        for index in 0..<workers {
            var shardConfig = config
            // The total out-of-order budget is shared out, so N shards hold what one would.
            shardConfig.maxBufferedBytesTotal = max(1, config.maxBufferedBytesTotal / workers)
            shardConfig.flowLimits.maxFlows = max(1, config.flowLimits.maxFlows / workers)
            let shardSink = ShardSink(wantsTrace: sink.wantsTrace, wantsFindingsInSummary: sink.wantsFindingsInSummary,
                                      wantedEvents: sink.wantedEvents,
                                      renderer: useRenderers ? renderers[index] : nil,
                                      chunkEvents: max(1, outputChunkEvents))
            let analyzer = TLSAnalyzer(config: shardConfig, sink: shardSink, serialStart: index + 1, serialStride: workers)
            let shard = Shard(analyzer: analyzer, sink: shardSink)
            // A batch that ends many connections at once (end of input, a burst of
            // expiries) hands its events over in parts, not as one big heap.
            let monitor = monitor
            shardSink.handOver = { [unowned shard] output in shard.handOver(output, monitor: monitor) }
            shardSink.counters = { [unowned analyzer] in analyzer.counters }
            shards.append(shard)
        }
        self.shards = shards
        filling = shards.map { _ in SegmentBatch() }
        latest = Array(repeating: AnalyzerCounters(), count: workers)
        for shard in shards {
            let monitor = monitor
            guard let thread = WorkerThread({ shard.run(monitor: monitor) }) else {
                stopWorkers()
                return nil
            }
            threads.append(thread)
        }
    }

    var workerCount: Int { shards.count }

    /// Reading thread, per segment: copy it into its shard's batch.
    func process(_ segment: TCPSegment) {
        let index = Self.shard(of: segment, among: shards.count)
        let batch = filling[index]
        batch.append(segment)
        if batch.isFull { dispatch(index) }
    }

    /// Reading thread, per UDP datagram: all go to the first worker, since a
    /// QUIC connection is found by its connection ids as well as its address
    /// pair (a client that moved must meet its connection). Datagrams no UDP
    /// transport could want are dropped here, before the copy.
    func process(_ datagram: UDPDatagram) {
        guard dispatcher.mayClaim(datagram.payload) else { return }
        let batch = filling[0]
        batch.append(datagram)
        if batch.isFull { dispatch(0) }
    }

    /// Capture time moved on without packets (live timeouts): every shard
    /// expires idle flows, and what the workers have produced is written.
    func advance(to now: Timestamp) {
        for index in shards.indices {
            filling[index].advanceTo = now
            dispatch(index)
        }
        deliverReady()
    }

    /// Writes whatever the workers have finished so far (never waits).
    func deliverReady() {
        monitor.lock()
        let outputs = takeOutputsLocked()
        monitor.unlock()
        deliver(outputs)
    }

    /// End of input: each shard flushes its connections; waits for all of them.
    func finish() {
        for index in shards.indices {
            filling[index].finishes = true
            dispatch(index)
        }
        monitor.lock()
        while true {
            let outputs = takeOutputsLocked()
            if !outputs.isEmpty {
                monitor.unlock()
                deliver(outputs)
                monitor.lock()
                continue
            }
            if shards.allSatisfy({ $0.finished }) { break }
            monitor.wait()
        }
        monitor.unlock()
        for thread in threads { thread.join() }
        threads = []
    }

    /// Output failed: stop the workers without flushing anything.
    func abandon() {
        stopWorkers()
    }

    var counters: AnalyzerCounters { latest.reduce(AnalyzerCounters(), +) }
    var countersAreShardSums: Bool { true }

    private func stopWorkers() {
        monitor.lock()
        for shard in shards { shard.stopRequested = true }
        monitor.broadcast()
        monitor.unlock()
        for thread in threads { thread.join() }
        threads = []
    }

    /// Hands the filling batch of `index` to its worker (waiting while its
    /// queue is full, writing finished output meanwhile) and takes a recycled one.
    private func dispatch(_ index: Int) {
        let shard = shards[index]
        let batch = filling[index]
        monitor.lock()
        while shard.queue.count >= Self.maxQueuedBatches {
            let outputs = takeOutputsLocked()
            if outputs.isEmpty {
                monitor.wait()
            } else {
                monitor.unlock()
                deliver(outputs)
                monitor.lock()
            }
        }
        shard.queue.append(batch)
        let recycled = shard.free.popLast()
        let outputs = takeOutputsLocked()
        monitor.broadcast()
        monitor.unlock()
        filling[index] = recycled ?? SegmentBatch()
        deliver(outputs)
    }

    private func takeOutputsLocked() -> [(Int, ShardOutput)] {
        var all: [(Int, ShardOutput)] = []
        for (index, shard) in shards.enumerated() where !shard.outputs.isEmpty {
            for output in shard.outputs { all.append((index, output)) }
            shard.outputs.removeAll(keepingCapacity: true)
        }
        // A worker may be waiting for room to hand over more output.
        if !all.isEmpty { monitor.broadcast() }
        return all
    }

    private func deliver(_ outputs: [(Int, ShardOutput)]) {
        for (index, output) in outputs {
            latest[index] = output.counters
            output.deliver(to: sink, rendering: renderingSink)
        }
    }

    /// Symmetric in the two endpoints (both directions land on one shard)
    /// and well mixed, so ports and addresses that differ in few bits spread.
    /// Deliberately unkeyed: flow ids follow the shard (`C<start + k*workers>`),
    /// so the same file gives the same ids on every run. A crafted capture can
    /// at worst crowd one worker (lost parallelism, never quadratic work: each
    /// worker's flow table is keyed with the process's random secret).
    static func shard(of segment: TCPSegment, among count: Int) -> Int {
        FlowShard.index(FlowShard.pairHash(segment.source, segment.sourcePort, segment.destination, segment.destinationPort),
                        among: count)
    }
}

/// Which worker owns an address pair: symmetric in the two endpoints (both
/// directions land on one worker) and well mixed, so ports and addresses
/// that differ in few bits spread. TCP segments and UDP datagrams alike.
enum FlowShard {
    @inline(__always)
    static func pairHash(_ a: IPAddress, _ aPort: UInt16, _ b: IPAddress, _ bPort: UInt16) -> UInt64 {
        mix(endpointHash(a, aPort) &+ endpointHash(b, bPort))
    }

    @inline(__always)
    static func index(_ pairHash: UInt64, among count: Int) -> Int {
        Int(truncatingIfNeeded: pairHash % UInt64(count))
    }

    @inline(__always)
    private static func endpointHash(_ ip: IPAddress, _ port: UInt16) -> UInt64 {
        mix(ip.high ^ mix(ip.low ^ (UInt64(port) << 48)))
    }

    /// splitmix64's finaliser.
    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One worker: its analyser (touched only by its thread after start) and
/// its queues (touched only under the monitor).
private final class Shard: @unchecked Sendable {
    let analyzer: TLSAnalyzer
    let sink: ShardSink
    // Guarded by the monitor:
    var queue: [SegmentBatch] = []
    var free: [SegmentBatch] = []
    var outputs: [ShardOutput] = []
    var stopRequested = false
    var finished = false

    init(analyzer: TLSAnalyzer, sink: ShardSink) {
        self.analyzer = analyzer
        self.sink = sink
    }

    /// Outputs waiting for the reader before a worker waits too.
    static let maxQueuedOutputs = 8

    /// Worker thread: queues a part of a batch's output, waiting while the
    /// reader is behind (it takes outputs whenever it waits itself, so this
    /// cannot deadlock).
    func handOver(_ output: ShardOutput, monitor: Monitor) {
        monitor.lock()
        while outputs.count >= Self.maxQueuedOutputs && !stopRequested { monitor.wait() }
        outputs.append(output)
        monitor.broadcast()
        monitor.unlock()
    }

    func run(monitor: Monitor) {
        monitor.lock()
        while true {
            while queue.isEmpty && !stopRequested { monitor.wait() }
            if stopRequested { break }
            let batch = queue.removeFirst()
            monitor.broadcast()   // room in the queue: the reader may be waiting
            monitor.unlock()

            batch.forEachPacket { packet in
                switch packet {
                case .tcp(let segment): analyzer.process(segment)
                case .udp(let datagram): analyzer.process(datagram)
                }
            }
            if let now = batch.advanceTo { analyzer.advance(to: now) }
            let finishing = batch.finishes
            if finishing { analyzer.finish() }
            let output = sink.take(counters: analyzer.counters)
            batch.reset()

            monitor.lock()
            while outputs.count >= Self.maxQueuedOutputs && !stopRequested { monitor.wait() }
            if !output.isEmpty || finishing { outputs.append(output) }
            if free.count < ShardedAnalysis.maxQueuedBatches + 1 { free.append(batch) }
            if finishing { finished = true }
            monitor.broadcast()
            if finishing { break }
        }
        monitor.unlock()
    }
}

/// What a worker hands back after a batch: its events in order, their
/// rendered bytes when the sink renders on workers, and its counters.
/// With rendered bytes, an event the output thread does not need is nil.
struct ShardOutput {
    var events: [Event?]
    var rendered: [UInt8]
    /// End offset in `rendered` of each event's bytes.
    var renderedEnds: [Int]
    var counters: AnalyzerCounters

    var isEmpty: Bool { events.isEmpty }

    /// Writes the events in order: their rendered bytes to a rendering sink,
    /// else the events themselves (output thread).
    func deliver(to sink: EventSink, rendering: RenderingEventSink?) {
        guard let rendering else {
            for case let event? in events { sink.emit(event) }
            return
        }
        rendered.withUnsafeBytes { bytes in
            var start = 0
            // By index: zip would copy (retain) every event.
            for index in events.indices {
                let end = renderedEnds[index]
                rendering.emit(events[index], rendered: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end
            }
        }
    }
}

/// The analyser's sink on a worker: collects events (rendering them when it can).
final class ShardSink: EventSink {
    let wantsTrace: Bool
    let wantsFindingsInSummary: Bool
    let wantedEvents: EventKinds
    /// Receives the collected output once it passes `handOverBytes`/`chunkEvents`.
    var handOver: (ShardOutput) -> Void = { _ in }
    var counters: () -> AnalyzerCounters = { AnalyzerCounters() }
    /// An emptied render buffer the output thread gave back, if any: reused
    /// so that each hand-over does not allocate (and fault in) a fresh MiB.
    var takeSpare: () -> [UInt8]? = { nil }
    static let handOverBytes = 1 << 20
    let chunkEvents: Int
    private let renderer: EventRenderer?
    private var events: [Event?] = []
    private var rendered: [UInt8] = []
    private var renderedEnds: [Int] = []

    init(wantsTrace: Bool, wantsFindingsInSummary: Bool, wantedEvents: EventKinds, renderer: EventRenderer?, chunkEvents: Int) {
        self.wantsTrace = wantsTrace
        self.wantsFindingsInSummary = wantsFindingsInSummary
        self.wantedEvents = wantedEvents
        self.renderer = renderer
        self.chunkEvents = chunkEvents
    }

    func emit(_ event: Event) {
        if let renderer {
            renderer.render(event, into: &rendered)
            renderedEnds.append(rendered.count)
            events.append(renderer.outputThreadNeeds(event) ? event : nil)
        } else {
            events.append(event)
        }
        if events.count >= chunkEvents || rendered.count >= Self.handOverBytes {
            handOver(take(counters: counters()))
        }
    }

    /// Events made since the last take.
    var hasPending: Bool { !events.isEmpty }

    func take(counters: AnalyzerCounters) -> ShardOutput {
        let output = ShardOutput(events: events, rendered: rendered, renderedEnds: renderedEnds, counters: counters)
        // The taken arrays stay with the output; the next ones start at
        // the same capacity instead of growing again by doubling.
        events.removeAll(keepingCapacity: true)
        renderedEnds.removeAll(keepingCapacity: true)
        if renderer != nil, let spare = takeSpare() {
            rendered = spare
        } else {
            rendered.removeAll(keepingCapacity: true)
        }
        return output
    }
}

/// Segments on their way from the reader to one worker: the TCP fields, and
/// the payloads copied into one arena (the packet buffer is libpcap's and
/// only valid during its callback).
final class SegmentBatch: @unchecked Sendable {
    private struct Entry {
        var timestamp: Timestamp
        var source: IPAddress
        var destination: IPAddress
        var sourcePort: UInt16
        var destinationPort: UInt16
        var sequence: UInt32
        var acknowledgment: UInt32
        var flags: TCPFlags
        var payloadTruncated: Bool
        var window: UInt16
        /// A UDP datagram (the TCP fields are unused).
        var udp: Bool
        var payloadStart: Int
        var payloadCount: Int
    }

    private var entries: [Entry] = []
    private var arena: [UInt8] = []
    /// After the segments: move capture time to this point (live timeouts).
    var advanceTo: Timestamp?
    /// After the segments: end of input.
    var finishes = false

    static let maxSegments = 512
    static let maxArenaBytes = 256 * 1024

    init() {
        entries.reserveCapacity(Self.maxSegments)
        arena.reserveCapacity(Self.maxArenaBytes + 65_536)
    }

    var isFull: Bool { entries.count >= Self.maxSegments || arena.count >= Self.maxArenaBytes }

    func append(_ s: TCPSegment) {
        let start = arena.count
        arena.append(contentsOf: s.payload)
        entries.append(Entry(timestamp: s.timestamp, source: s.source, destination: s.destination,
                             sourcePort: s.sourcePort, destinationPort: s.destinationPort,
                             sequence: s.sequence, acknowledgment: s.acknowledgment, flags: s.flags,
                             payloadTruncated: s.payloadTruncated, window: s.window, udp: false,
                             payloadStart: start, payloadCount: s.payload.count))
    }

    func append(_ d: UDPDatagram) {
        let start = arena.count
        arena.append(contentsOf: d.payload)
        entries.append(Entry(timestamp: d.timestamp, source: d.source, destination: d.destination,
                             sourcePort: d.sourcePort, destinationPort: d.destinationPort,
                             sequence: 0, acknowledgment: 0, flags: TCPFlags(rawValue: 0),
                             payloadTruncated: d.payloadTruncated, window: 0, udp: true,
                             payloadStart: start, payloadCount: d.payload.count))
    }

    func forEachPacket(_ body: (DecodedPacket) -> Void) {
        arena.withUnsafeBytes { bytes in
            for e in entries {
                let payload = UnsafeRawBufferPointer(rebasing: bytes[e.payloadStart..<(e.payloadStart + e.payloadCount)])
                if e.udp {
                    body(.udp(UDPDatagram(timestamp: e.timestamp, source: e.source, destination: e.destination,
                                          sourcePort: e.sourcePort, destinationPort: e.destinationPort,
                                          payload: payload, payloadTruncated: e.payloadTruncated)))
                } else {
                    body(.tcp(TCPSegment(timestamp: e.timestamp, source: e.source, destination: e.destination,
                                         sourcePort: e.sourcePort, destinationPort: e.destinationPort,
                                         sequence: e.sequence, acknowledgment: e.acknowledgment, flags: e.flags,
                                         window: e.window, payload: payload, payloadTruncated: e.payloadTruncated)))
                }
            }
        }
    }

    func reset() {
        entries.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        advanceTo = nil
        finishes = false
    }
}
