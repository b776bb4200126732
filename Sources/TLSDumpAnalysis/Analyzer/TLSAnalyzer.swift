import TLSDumpBase
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpQUIC
import TLSDumpTLS

/// The analysis stage on one thread: TCP segments in, events out. Owns the flow table.
public final class TLSAnalyzer: PacketAnalysis {
    private let context: AnalysisContext
    private let table: FlowTable<Connection>
    /// Read once: a `let` costs no access check per packet, a global's accessor would.
    private let hashSecret = FlowHashSecret.process
    private var nextSerial: Int
    private let serialStride: Int
    private var lastExpiry = Timestamp.zero
    private var lingering: [(deadline: Timestamp, connection: Connection)] = []
    private var lingerHead = 0
    /// Capture time (ns) from which `endLingering` has work: the head's
    /// deadline, `.min` when over the cap, `.max` when none linger. Packets
    /// before it skip the call (it cost two exclusivity checks per packet).
    private var lingerWorkAt = Int64.max
    private let maxLingering: Int
    /// Reported before their linger ran out: late packets of these are dropped.
    private var finishedEarly: FinishedFlows
    public private(set) var tcpConnections = 0
    /// QUIC connections, made on the first datagram that reads as a QUIC long header.
    private let quic: QUICConnectionTable
    /// Which UDP transport a datagram belongs to (QUIC; DTLS next).
    public let udp: UDPDispatcher
    /// The flow table's limits (a parallel run keeps a table of UDP pairs alike).
    public let flowLimits: FlowTableLimits
    private var closedQUIC: [QUICConnection] = []
    public private(set) var quicConnections = 0
    /// The most connections tracked at once (memory follows this, not the file size).
    public private(set) var peakOpenConnections = 0
    public private(set) var lastTimestamp: Timestamp?

    /// `serialStart`/`serialStride`: flow ids (`C<serial>`) are start, start+stride, ...;
    /// sharded analysers (`--threads`) interleave them so ids stay unique across shards.
    public init(config: AnalyzerConfig = AnalyzerConfig(), sink: EventSink, serialStart: Int = 1, serialStride: Int = 1) {
        context = AnalysisContext(config: config, sink: sink)
        table = FlowTable(limits: config.flowLimits)
        quic = QUICConnectionTable(limits: config.flowLimits)
        udp = UDPDispatcher(config: config)
        flowLimits = config.flowLimits
        maxLingering = max(1, config.maxLingeringConnections)
        finishedEarly = FinishedFlows(capacity: 16 * maxLingering)
        nextSerial = serialStart
        self.serialStride = max(1, serialStride)
    }

    /// Everything the `stats` event needs from this analyser, as one value
    /// (a sharded run adds its shards' counters).
    public var counters: AnalyzerCounters {
        AnalyzerCounters(tcpConnections: tcpConnections, quicConnections: quicConnections, tlsConnections: context.tlsConnections,
                         eventsEmitted: context.eventsEmitted, reassembly: context.totals,
                         malformedRecords: context.malformedRecords, openConnections: table.count + quic.count,
                         peakOpenConnections: peakOpenConnections, lastTimestamp: lastTimestamp)
    }

    public var tlsConnections: Int { context.tlsConnections }
    public var eventsEmitted: Int { context.eventsEmitted }
    public var openConnections: Int { table.count + quic.count }

    public func process(_ segment: TCPSegment) {
        let ts = segment.timestamp
        if lastTimestamp.map({ ts > $0 }) ?? true { lastTimestamp = ts }
        let (key, direction) = FlowKey.make(source: Endpoint(ip: segment.source, port: segment.sourcePort),
                                            destination: Endpoint(ip: segment.destination, port: segment.destinationPort))
        let hash = FlowHash(key, secret: hashSecret)   // once per packet: lookup, and insert or remove when needed
        if let connection = table.lookupAndTouch(key, hash: hash, at: ts) {
            if connection.closed && segment.flags.contains(.syn) && !segment.flags.contains(.ack) {
                // The ports are reused by a new connection: the old one is over.
                finalize(connection, reason: connection.closeReason ?? .fin, evicted: false)
                table.remove(key, hash: hash)
                open(key, hash, segment, direction)
            } else {
                connection.handle(segment, direction: direction)
                if connection.closed { linger(connection, at: ts) }
            }
        } else if !segment.payload.isEmpty && !segment.flags.contains(.rst) && !segment.flags.contains(.fin) || segment.flags.contains(.syn) {
            // A segment of an unknown connection opens one only if it could start or carry a stream
            // (a late FIN or RST with data belongs to a connection already reported).
            if isLateAfterEarlyReport(key, segment) {
                context.totals.lateAfterClose += 1
            } else {
                open(key, hash, segment, direction)
            }
        }
        if ts.nanoseconds >= lingerWorkAt { endLingering(now: ts) }
        if ts.nanoseconds &- lastExpiry.nanoseconds > 1_000_000_000 { expire(now: ts) }
    }

    private func expire(now ts: Timestamp) {
        lastExpiry = ts
        table.expireIdle(now: ts) { _, connection in
            self.finalize(connection, reason: connection.closed ? (connection.closeReason ?? .fin) : .timeout, evicted: false)
        }
        guard quic.count > 0 else { return }
        quic.paths.expireIdle(now: ts) { path, connection in
            // One path of a connection that moved can go idle while another is busy.
            if connection.last.nanoseconds &+ self.quic.paths.limits.idleTimeoutNanoseconds > ts.nanoseconds { return }
            self.finalize(connection, reason: .timeout, evicted: false)
        }
        if !closedQUIC.isEmpty { endClosedQUIC(now: ts, all: false) }
    }

    // MARK: - QUIC

    /// One UDP datagram: to the connection of its address pair or connection
    /// id, or a new one when a UDP transport claims it (`UDPDispatcher`);
    /// anything else is ignored at the cost of a lookup.
    public func process(_ datagram: UDPDatagram) {
        // Other UDP (DNS, ...) is not looked at, not even for the clock: as a sharded run, which drops it on reading.
        guard udp.mayClaim(datagram.payload) else { return }
        let ts = datagram.timestamp
        if lastTimestamp.map({ ts > $0 }) ?? true { lastTimestamp = ts }
        let (key, direction) = FlowKey.make(source: Endpoint(ip: datagram.source, port: datagram.sourcePort),
                                            destination: Endpoint(ip: datagram.destination, port: datagram.destinationPort))
        let hash = FlowHash(key, secret: hashSecret)
        if let connection = quic.lookup(key, hash: hash, at: ts), !connection.finalized {
            handle(datagram, connection, path: key, forward: direction == .forward)
        } else if followMove(datagram, key, hash, direction) {
            // a connection of ours on a new address pair
        } else {
            switch udp.claimFirst(datagram.payload) {
            case .quic?:
                if let first = QUICFirstPacket(datagram.payload) { openQUIC(key, hash, datagram, direction, first) }
            case .tcp?, nil:
                break
            }
        }
        if ts.nanoseconds &- lastExpiry.nanoseconds > 1_000_000_000 { expire(now: ts) }
    }

    /// A datagram whose address pair another worker owns (a parallel run,
    /// where every worker sees every datagram): it may still continue a
    /// connection of this worker that moved to a new address pair, found by
    /// its connection id. Never opens a connection, never moves the clock.
    public func processForeign(_ datagram: UDPDatagram) {
        guard quic.count > 0, udp.mayBeMigrated(datagram.payload) else { return }
        let ts = datagram.timestamp
        let (key, direction) = FlowKey.make(source: Endpoint(ip: datagram.source, port: datagram.sourcePort),
                                            destination: Endpoint(ip: datagram.destination, port: datagram.destinationPort))
        let hash = FlowHash(key, secret: hashSecret)
        if let connection = quic.lookup(key, hash: hash, at: ts), !connection.finalized {
            handle(datagram, connection, path: key, forward: direction == .forward)
        } else {
            _ = followMove(datagram, key, hash, direction)
        }
    }

    /// A datagram on an unknown address pair that carries one of our QUIC
    /// connections' ids: the connection moved (RFC 9000 9); the pair joins
    /// it. True when a connection took the datagram's id.
    private func followMove(_ datagram: UDPDatagram, _ key: FlowKey, _ hash: FlowHash, _ direction: FlowDirection) -> Bool {
        guard let (moved, senderIsClient) = quic.lookup(migratingPacket: datagram.payload), !moved.finalized else { return false }
        let forward = direction == .forward
        if moved.addPath(key, senderIsClient: senderIsClient, forward: forward) {
            quic.paths.insert(key, hash: hash, moved, at: datagram.timestamp) { _, victim in self.evict(victim) }
            handle(datagram, moved, path: key, forward: forward)
        }
        return true
    }

    private func openQUIC(_ key: FlowKey, _ hash: FlowHash, _ datagram: UDPDatagram, _ direction: FlowDirection,
                          _ first: QUICFirstPacket) {
        // The sender of a client Initial (or of 0-RTT) is the client; of anything else, the server,
        // unless the ports say otherwise.
        let senderIsClient: Bool
        switch first.type {
        case .initial where first.isClientInitial, .zeroRTT:
            senderIsClient = true
        default:
            senderIsClient = !Connection.looksLikeServerPort(datagram.sourcePort, other: datagram.destinationPort,
                                                             watched: context.config.watchedPorts)
        }
        let connection = QUICConnection(key: key, serial: nextSerial, clientDirection: senderIsClient ? direction : direction.reversed,
                                        start: datagram.timestamp, context: context)
        nextSerial += serialStride
        quicConnections += 1
        quic.paths.insert(key, hash: hash, connection, at: datagram.timestamp) { _, victim in self.evict(victim) }
        if table.count + quic.count > peakOpenConnections { peakOpenConnections = table.count + quic.count }
        handle(datagram, connection, path: key, forward: direction == .forward)
    }

    private func handle(_ datagram: UDPDatagram, _ connection: QUICConnection, path: FlowKey, forward: Bool) {
        let wasClosed = connection.closed
        connection.handle(datagram, path: path, forward: forward)
        if connection.connectionIDs.count != connection.indexedIDs {
            connection.indexedIDs = connection.connectionIDs.count
            quic.index(connection)
        }
        if connection.closed && !wasClosed { closedQUIC.append(connection) }
    }

    private func evict(_ victim: QUICConnection) {
        guard !victim.finalized else { return }
        context.totals.evicted += 1
        finalize(victim, reason: .timeout, evicted: true)
    }

    /// A closed QUIC connection is reported once the closing side has been quiet
    /// for the linger time (the peer's last packets are still in flight).
    private func endClosedQUIC(now: Timestamp, all: Bool) {
        closedQUIC.removeAll { connection in
            guard !connection.finalized else { return true }
            guard all || connection.last.nanoseconds &+ TLSAnalyzer.lingerNanoseconds <= now.nanoseconds else { return false }
            finalize(connection, reason: .timeout, evicted: false)
            return true
        }
    }

    private func finalize(_ connection: QUICConnection, reason: CloseReason, evicted: Bool) {
        guard !connection.finalized else { return }
        if let summary = connection.finish(reason: reason, evicted: evicted) { connection.emit(.connection(summary)) }
        quic.forget(connection)
    }

    /// A packet of a connection reported before its linger ran out (not a SYN:
    /// that reuses the ports for a new connection).
    private func isLateAfterEarlyReport(_ key: FlowKey, _ segment: TCPSegment) -> Bool {
        guard finishedEarly.count > 0 else { return false }
        if segment.flags.contains(.syn) && !segment.flags.contains(.ack) {
            finishedEarly.forget(key)
            return false
        }
        return finishedEarly.contains(key, now: segment.timestamp)
    }

    /// Moves capture time forward without a packet (a quiet live interface):
    /// idle connections time out and closed ones finish lingering.
    public func advance(to now: Timestamp) {
        if lastTimestamp.map({ now > $0 }) ?? true { lastTimestamp = now }
        endLingering(now: now)
        expire(now: now)
    }

    private func open(_ key: FlowKey, _ hash: FlowHash, _ segment: TCPSegment, _ direction: FlowDirection) {
        let connection = Connection(key: key, serial: nextSerial, first: segment, direction: direction, context: context)
        nextSerial += serialStride
        tcpConnections += 1
        table.insert(key, hash: hash, connection, at: segment.timestamp) { _, victim in
            if !victim.closed { self.context.totals.evicted += 1 }
            self.finalize(victim, reason: victim.closed ? (victim.closeReason ?? .fin) : .timeout, evicted: !victim.closed)
        }
        // TCP and QUIC together, as `openQUIC` counts them (TCP alone undercounted a mixed capture's peak).
        if table.count + quic.count > peakOpenConnections { peakOpenConnections = table.count + quic.count }
        connection.handle(segment, direction: direction)
        if connection.closed { linger(connection, at: segment.timestamp) }
    }

    /// A closed connection (FIN both ways, or RST) keeps reading for a moment:
    /// data already in flight from the other side is still on the wire and is
    /// reported (a server keeps sending after the client's RST).
    private func linger(_ connection: Connection, at ts: Timestamp) {
        guard !connection.lingering else { return }
        connection.lingering = true
        let deadline = ts.nanoseconds &+ TLSAnalyzer.lingerNanoseconds
        lingering.append((Timestamp(nanoseconds: deadline), connection))
        lingerWorkAt = lingering.count - lingerHead > maxLingering ? .min : min(lingerWorkAt, deadline)
    }

    static let lingerNanoseconds: Int64 = 2_000_000_000

    private func endLingering(now: Timestamp) {
        // Over the cap: the head (closed longest ago) goes now, deadline or not.
        while lingering.count - lingerHead > maxLingering {
            let (deadline, connection) = lingering[lingerHead]
            lingerHead += 1
            guard !connection.finalized else { continue }
            finalize(connection, reason: connection.closeReason ?? .fin, evicted: false)
            if table.lookup(connection.key) === connection { table.remove(connection.key) }
            finishedEarly.remember(connection.key, until: deadline)
        }
        while lingerHead < lingering.count, lingering[lingerHead].deadline <= now {
            let (_, connection) = lingering[lingerHead]
            lingerHead += 1
            guard !connection.finalized else { continue }
            if connection.last.nanoseconds &+ TLSAnalyzer.lingerNanoseconds > now.nanoseconds {
                lingering.append((Timestamp(nanoseconds: connection.last.nanoseconds &+ TLSAnalyzer.lingerNanoseconds), connection))
                continue
            }
            finalize(connection, reason: connection.closeReason ?? .fin, evicted: false)
            if table.lookup(connection.key) === connection { table.remove(connection.key) }
        }
        lingerWorkAt = lingerHead < lingering.count ? lingering[lingerHead].deadline.nanoseconds : .max
        if lingerHead > 1024 && lingerHead * 2 > lingering.count {
            lingering.removeFirst(lingerHead)
            lingerHead = 0
        }
    }

    private func finalize(_ connection: Connection, reason: CloseReason, evicted: Bool) {
        guard !connection.finalized else { return }
        if let summary = connection.finish(reason: reason, evicted: evicted) { connection.emit(.connection(summary)) }
        connection.releaseBuffers()
    }

    /// End of input: every open connection ends with `end_of_input`.
    public func finish() {
        table.removeAll { _, connection in
            // A connection that closed (and was lingering for late packets) keeps its own reason.
            self.finalize(connection, reason: connection.closed ? (connection.closeReason ?? .fin) : .endOfInput, evicted: false)
        }
        endClosedQUIC(now: lastTimestamp ?? .zero, all: true)
        quic.paths.removeAll { _, connection in
            self.finalize(connection, reason: .endOfInput, evicted: false)
        }
    }

    /// Totals for the `stats` event.
    public var reassemblyTotals: ReassemblyTotals { context.totals }
    public var malformedRecords: Int { context.malformedRecords }

    /// Single-threaded: events went out as they were made.
    public func deliverReady() {}
    public func abandon() {}
    public var countersAreShardSums: Bool { false }
}

/// The analyser's counters for `stats`; `+` merges shards.
public struct AnalyzerCounters: Sendable {
    public var tcpConnections = 0
    public var quicConnections = 0
    public var tlsConnections = 0
    public var eventsEmitted = 0
    public var reassembly = ReassemblyTotals()
    public var malformedRecords = 0
    public var openConnections = 0
    /// Summed over shards: with `--threads` an upper bound of the true peak
    /// (each worker's peak may come at a different moment).
    public var peakOpenConnections = 0
    public var lastTimestamp: Timestamp?

    public init() {}

    public init(tcpConnections: Int, quicConnections: Int = 0, tlsConnections: Int, eventsEmitted: Int, reassembly: ReassemblyTotals,
                malformedRecords: Int, openConnections: Int, peakOpenConnections: Int = 0, lastTimestamp: Timestamp?) {
        self.tcpConnections = tcpConnections
        self.quicConnections = quicConnections
        self.tlsConnections = tlsConnections
        self.eventsEmitted = eventsEmitted
        self.reassembly = reassembly
        self.malformedRecords = malformedRecords
        self.openConnections = openConnections
        self.peakOpenConnections = peakOpenConnections
        self.lastTimestamp = lastTimestamp
    }

    public static func + (a: AnalyzerCounters, b: AnalyzerCounters) -> AnalyzerCounters {
        var r = a
        r.tcpConnections += b.tcpConnections
        r.quicConnections += b.quicConnections
        r.tlsConnections += b.tlsConnections
        r.eventsEmitted += b.eventsEmitted
        r.reassembly.gaps += b.reassembly.gaps
        r.reassembly.gapBytes += b.reassembly.gapBytes
        r.reassembly.outOfOrder += b.reassembly.outOfOrder
        r.reassembly.retransmitted += b.reassembly.retransmitted
        r.reassembly.evicted += b.reassembly.evicted
        r.reassembly.lateAfterClose += b.reassembly.lateAfterClose
        r.malformedRecords += b.malformedRecords
        r.openConnections += b.openConnections
        r.peakOpenConnections += b.peakOpenConnections
        switch (a.lastTimestamp, b.lastTimestamp) {
        case (let x?, let y?): r.lastTimestamp = max(x, y)
        case (nil, let y): r.lastTimestamp = y
        default: break
        }
        return r
    }
}
