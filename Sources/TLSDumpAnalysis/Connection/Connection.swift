import TLSDumpBase
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpTLS

/// One TCP connection: reassembly of both directions and the TLS record
/// streams on top. It owns the plumbing only: bytes in order, cut into
/// records, handed to the connection's `TLSSession`, which owns everything
/// the TLS exchange revealed.
///
/// Memory: a connection that never carried a payload byte holds only the TCP
/// side (this object, its two reassemblers and its idle record streams); the
/// session is allocated on the first payload byte.
final class Connection: TransportConnection {
    private var forwardReassembler: HalfStreamReassembler
    private var reverseReassembler: HalfStreamReassembler
    /// Inline: a separate allocation per connection would cost more than the streams' bytes.
    private var records: RecordChannels

    /// TCP facts per side (client/server).
    private(set) var tcp = SidePair(client: TCPSideState(), server: TCPSideState())

    var sawSYN: Bool { sawStart }
    private(set) var closed = false
    /// The `connection` event went out.
    private(set) var finalized = false
    /// Closed, reading what is still in flight before the `connection` event.
    var lingering = false
    /// Picked up mid-stream (no SYN first): record streams look for a record boundary.
    let pickedUpMidstream: Bool
    private(set) var closeReason: CloseReason?

    init(key: FlowKey, serial: Int, first: TCPSegment, direction: FlowDirection, context: AnalysisContext) {
        forwardReassembler = HalfStreamReassembler(settings: context.reassemblySettings)
        reverseReassembler = HalfStreamReassembler(settings: context.reassemblySettings)
        records = RecordChannels(midstream: !first.flags.contains(.syn))
        pickedUpMidstream = !first.flags.contains(.syn)
        // Roles: SYN sender is the client; SYN+ACK sender the server; else guess by port.
        let clientDirection: FlowDirection
        if first.flags.contains(.syn) {
            clientDirection = first.flags.contains(.ack) ? direction.reversed : direction
        } else {
            let sourceIsServer = Connection.looksLikeServerPort(first.sourcePort, other: first.destinationPort, watched: context.config.watchedPorts)
            clientDirection = sourceIsServer ? direction.reversed : direction
        }
        super.init(key: key, serial: serial, context: context, transport: .tcp, clientDirection: clientDirection, start: first.timestamp)
        if first.flags.contains(.syn) {
            rolesSettled = true
            sawStart = true
        }
    }

    /// "else the lower-numbered side of a port 443 pair": a watched port, or the lower port, is the server.
    static func looksLikeServerPort(_ port: UInt16, other: UInt16, watched: Set<UInt16>) -> Bool {
        let portWatched = watched.contains(port)
        let otherWatched = watched.contains(other)
        if portWatched != otherWatched { return portWatched }
        return port < other
    }

    /// The TCP pair swaps with the roles.
    override func swapRoles() {
        super.swapRoles()
        tcp = SidePair(client: tcp.server, server: tcp.client)
    }

    override func bytesLostBeforeTLS(_ side: Side) -> Int { tcp[side].gapBytes }

    // MARK: - packets

    func handle(_ segment: TCPSegment, direction: FlowDirection) {
        now = segment.timestamp
        if segment.timestamp > last { last = segment.timestamp }
        let flags = segment.flags
        if flags.contains(.syn) && !sawStart {
            sawStart = true
            if !isTLS && !rolesSettled {
                clientDirection = flags.contains(.ack) ? direction.reversed : direction
                rolesSettled = true
            }
        }
        let side = side(of: direction)
        tcp[side].payloadBytes += segment.payload.count
        let syn = flags.contains(.syn), fin = flags.contains(.fin), rst = flags.contains(.rst)
        if direction == .forward {
            forwardReassembler.accept(sequence: segment.sequence, syn: syn, fin: fin, rst: rst, payload: segment.payload) { chunk in
                self.consume(chunk, direction: .forward)
            }
        } else {
            reverseReassembler.accept(sequence: segment.sequence, syn: syn, fin: fin, rst: rst, payload: segment.payload) { chunk in
                self.consume(chunk, direction: .reverse)
            }
        }
        // The peer's acknowledgment tells what this side received: holes below it were lost in capture.
        if flags.contains(.ack) && !rst {
            if direction == .forward {
                reverseReassembler.acknowledged(segment.acknowledgment) { chunk in self.consume(chunk, direction: .reverse) }
            } else {
                forwardReassembler.acknowledged(segment.acknowledgment) { chunk in self.consume(chunk, direction: .forward) }
            }
        }
        if rst {
            if !closed { closeReason = .rst }
            closed = true
            if isTLS { session?.reset(by: side) }
        } else if fin {
            tcp[side].fin = true
            if isTLS { session?.tcpClosed(by: side) }
            if tcp.client.fin && tcp.server.fin && !closed {
                closeReason = .fin
                closed = true
            }
        }
    }

    // MARK: - stream chunks -> records -> session

    private func consume(_ chunk: StreamChunk, direction: FlowDirection) {
        let session = tlsSession()
        switch chunk {
        case .data(let bytes):
            var input = StreamInput(bytes)
            while let item = records.next(direction, &input) {
                session.handle(item, from: side(of: direction))
                // A ChangeCipherSpec or new keys change which bodies the next record needs.
                records.setWantedBodies(direction, session.wantedBodies(side(of: direction)))
            }
            session.endOfChunk()
        case .gap(let count):
            let side = side(of: direction)
            tcp[side].gapBytes += count
            context.totals.gaps += 1
            context.totals.gapBytes += count
            session.bytesMissing(count, from: side)
            if let item = records.gap(direction, count) { session.handle(item, from: side) }
        }
    }

    /// An SSLv2-compatible ClientHello answered in TLS: the client goes on in TLS framing.
    override func useTLSFraming(for side: Side) {
        records.useTLSFraming(direction(of: side))
    }

    // MARK: - the end

    /// End of the connection: delivers what reassembly still holds, closes
    /// the session's open handshake, and returns the `connection` summary (TLS only).
    func finish(reason: CloseReason, evicted: Bool) -> ConnectionSummary? {
        forwardReassembler.flush { chunk in self.consume(chunk, direction: .forward) }
        reverseReassembler.flush { chunk in self.consume(chunk, direction: .reverse) }
        finalized = true
        now = last
        context.totals.outOfOrder += forwardReassembler.stats.outOfOrderSegments + reverseReassembler.stats.outOfOrderSegments
        context.totals.retransmitted += forwardReassembler.stats.retransmittedSegments + reverseReassembler.stats.retransmittedSegments
        guard isTLS, let session else { return nil }
        return session.finish(close: reason, evicted: evicted, tcp: tcp, start: start, end: last)
    }

    /// After the `connection` event the connection leaves the flow table; its
    /// queued out-of-order bytes go back to the shared reassembly budget now.
    func releaseBuffers() {
        forwardReassembler.discard()
        reverseReassembler.discard()
    }
}

/// TCP facts of one side of a connection.
struct TCPSideState {
    var payloadBytes = 0
    var gapBytes = 0
    var fin = false
}

/// The two directions' TLS record streams.
struct RecordChannels {
    private var forward: RecordStream
    private var reverse: RecordStream

    init(midstream: Bool) {
        forward = RecordStream(midstream: midstream)
        reverse = RecordStream(midstream: midstream)
    }

    mutating func next(_ direction: FlowDirection, _ input: inout StreamInput) -> RecordStreamItem? {
        direction == .forward ? forward.next(&input) : reverse.next(&input)
    }

    mutating func gap(_ direction: FlowDirection, _ count: Int) -> RecordStreamItem? {
        direction == .forward ? forward.gap(count) : reverse.gap(count)
    }

    mutating func setWantedBodies(_ direction: FlowDirection, _ mask: UInt32) {
        if direction == .forward {
            if forward.wantedBodies != mask { forward.wantedBodies = mask }
        } else if reverse.wantedBodies != mask {
            reverse.wantedBodies = mask
        }
    }

    mutating func useTLSFraming(_ direction: FlowDirection) {
        if direction == .forward { forward.useTLSFraming() } else { reverse.useTLSFraming() }
    }
}
