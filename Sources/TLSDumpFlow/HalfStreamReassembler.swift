import TLSDumpBase

/// Reassembles one direction of a TCP connection into an ordered byte stream.
///
/// Contract with the consumer: `deliver` is called synchronously, in stream
/// order, with `.data` (borrowed bytes, valid only during the call) and
/// `.gap(n)` (n bytes lost in the capture). Every sequence number from the
/// synchronisation point to `nextSequence` is covered exactly once.
///
/// Policy:
/// - Synchronisation: a SYN sets the next expected byte to ISN+1. Data seen
///   before any SYN synchronises on the first data segment (mid-stream
///   pickup); earlier bytes arriving later count as retransmissions. A pure
///   ACK (no data, no FIN) never synchronises: keep-alives carry seq-1.
/// - SYN and FIN each consume one sequence number. SYN payload (TFO) starts
///   at ISN+1 and is delivered.
/// - Two SYNs with different ISNs (a server that answered a retransmitted SYN
///   with a new SYN-ACK, a SYN retried with a new ISN): before any byte is
///   delivered, the latest one sets the start, and the other is kept as the
///   alternative. The stream is the one the peer acknowledges: an ack of the
///   alternative's ISN+1, or data starting exactly there, switches to it (what
///   was queued for the other one is dropped and counted). Once a byte or a
///   gap is delivered the choice is final. A FIN fixes the end of the stream: the first FIN wins, later
///   bytes (and queued bytes) past it are dropped and counted.
/// - In-order data is delivered straight from the packet (zero copy).
///   Out-of-order data is copied into a sorted, non-overlapping queue and
///   delivered when the hole fills.
/// - Retransmissions (wholly below `nextSequence`) are counted and dropped.
/// - Overlaps: first wins. Bytes already delivered or queued are kept; overlap
///   bytes are counted, and those that differ from queued bytes are counted
///   as conflicts (delivered bytes are not kept, so they cannot be compared).
/// - Limits: when queued bytes or segments exceed `limits`, or a shared
///   `ReassemblyBudget` is exhausted, the hole before the earliest queued
///   segment is declared a `.gap` and delivery resumes from there, until back
///   within limits. Queued bytes never exceed the limits between calls.
/// - `acknowledged(_:)`: the peer acknowledged bytes we never saw, so they
///   were lost in the capture (the endpoint did receive them): holes below the
///   ack become gaps. Caveat: a tap that reorders directions can show the ack
///   before the data; that data then counts as a retransmission.
/// - A segment starting more than `limits.maxSequenceLead` (1 GiB) ahead is
///   garbage: counted, not buffered. An ack that far ahead is ignored.
/// - After RST, and after the FIN has been reached, segments are ignored.
/// - All arithmetic is modulo 2^32; streams may cross the wrap anywhere.
public struct HalfStreamReassembler {
    /// Limits and budget, shared by every reassembler of a run.
    private let settings: ReassemblySettings
    public var limits: ReassemblyLimits { settings.limits }
    private var budget: ReassemblyBudget? { settings.budget }
    /// Next byte to deliver; nil until synchronised.
    public private(set) var nextSequence: SequenceNumber?
    /// Sequence number of the FIN, once seen (it may still be ahead of a hole).
    public private(set) var finSequence: SequenceNumber?
    public private(set) var sawSYN = false
    /// The other SYN's ISN+1 while two SYNs compete (see the policy); out of line, as it is rare.
    public private(set) var alternativeStart: SequenceNumber? {
        get { unusual.isAllocated ? unusual.value.alternativeStart : nil }
        set { if newValue != nil || unusual.isAllocated { unusual.value.alternativeStart = newValue } }
    }
    public private(set) var sawReset = false
    /// The stream reached its FIN: everything before it has been delivered or gapped.
    public private(set) var isFinished = false

    /// Counters. Only `deliveredBytes` moves on a clean stream, so it stays
    /// inline; the others (loss, reordering, limits) live in a box allocated
    /// the first time one of them changes: an idle connection holds 8 bytes of
    /// statistics per direction instead of 128.
    private var deliveredBytes = 0
    private var unusual = OutOfLine<UnusualReassemblyState>()

    private var queue = SegmentQueue()

    /// The counters of this direction.
    public var stats: ReassemblyStats {
        var stats = unusual.value.stats
        stats.deliveredBytes = deliveredBytes
        // Synchronised without a SYN: a mid-stream pickup (it happens at most once).
        stats.midstreamPickups = nextSequence != nil && !sawSYN ? 1 : 0
        return stats
    }

    public init(limits: ReassemblyLimits = .default, budget: ReassemblyBudget? = nil) {
        self.settings = ReassemblySettings(limits: limits, budget: budget)
    }

    /// Many reassemblers, one copy of their settings (a connection holds two).
    public init(settings: ReassemblySettings) {
        self.settings = settings
    }

    public var isSynchronized: Bool { nextSequence != nil }
    /// No more data will be accepted (FIN reached or RST seen).
    public var isClosed: Bool { isFinished || sawReset }
    public var bufferedBytes: Int { queue.byteCount }
    public var bufferedSegments: Int { queue.count }

    // MARK: - Input

    /// Feeds one segment of this direction. See the type's policy.
    public mutating func accept(sequence: UInt32, syn: Bool, fin: Bool, rst: Bool,
                                payload: UnsafeRawBufferPointer,
                                deliver: (StreamChunk) -> Void) {
        if isClosed {
            if !payload.isEmpty { unusual.value.stats.ignoredAfterClose += 1 }
            return
        }
        if rst {
            // The payload of a RST is diagnostic text, not stream data.
            sawReset = true
            return
        }
        var start = SequenceNumber(sequence)
        if syn {
            let first = start.advanced(by: 1)
            if nextSequence == nil {
                nextSequence = first
                sawSYN = true
            } else if let next = nextSequence, next != first, sawSYN, nothingEmitted {
                // A second SYN with another ISN before any data: the latest starts the stream
                // until the peer's ack (or the data) says the other one is live.
                alternativeStart = next
                switchStart(to: first)
            }
            start = first
        } else if !payload.isEmpty, nothingEmitted, let alternative = alternativeStart, start == alternative, start != nextSequence {
            // Data right after the other SYN: that one is live.
            alternativeStart = nextSequence
            switchStart(to: alternative)
        }
        if nextSequence == nil {
            guard !payload.isEmpty || fin else { return }
            nextSequence = start   // a mid-stream pickup (see `stats`)
        }
        var data = payload
        if fin { noteFIN(at: start.advanced(by: data.count)) }
        if let end = finSequence {
            let allowed = max(0, Int(start.distance(to: end)))
            if allowed < data.count {
                unusual.value.stats.ignoredAfterClose += 1
                data = UnsafeRawBufferPointer(rebasing: data[0..<allowed])
            }
        }
        if !data.isEmpty { place(data, at: start, deliver: deliver) }
        consumeFINIfReached()
    }

    /// The other direction acknowledged everything below `ack`: bytes below it
    /// that never showed up were lost in the capture. Emits gaps for them and
    /// delivers the queued data past each hole.
    public mutating func acknowledged(_ ack: UInt32, deliver: (StreamChunk) -> Void) {
        // (The alternative only counts while nothing was delivered: checked first, so that
        // the common ack does not read the out-of-line state.)
        if nothingEmitted, let alternative = alternativeStart {
            if SequenceNumber(ack) == alternative {
                // The peer acknowledged the other SYN: its stream is the live one.
                alternativeStart = nextSequence
                switchStart(to: alternative)
                return
            } else if SequenceNumber(ack) == nextSequence {
                alternativeStart = nil
            }
        }
        guard let next = nextSequence, !isFinished else { return }
        var target = SequenceNumber(ack)
        // The FIN's own sequence number is not stream data.
        if let end = finSequence, next.distance(to: end) < next.distance(to: target) { target = end }
        let lead = Int(next.distance(to: target))
        guard lead > 0, lead <= limits.maxSequenceLead else { return }
        // One past the last byte with nothing queued beyond: the ack of a FIN that was not
        // captured (its sequence number is not data). A byte really lost there shows itself
        // when data past it arrives or a later ack goes further.
        if lead == 1 && queue.isEmpty && finSequence == nil { return }

        while let head = queue.first, let now = nextSequence, now.distance(to: head.start) < now.distance(to: target) {
            releaseHead(deliver: deliver)
            drainContiguous(deliver: deliver)
        }
        if let now = nextSequence {
            let missing = Int(now.distance(to: target))
            if missing > 0 { declareGap(missing, deliver: deliver) }
        }
        consumeFINIfReached()
        updatePeaks()
    }

    /// The connection is ending (FIN, RST, idle timeout, eviction, end of
    /// input): delivers everything queued, with gaps for the holes, and a gap
    /// up to a FIN that was seen beyond a hole.
    public mutating func flush(deliver: (StreamChunk) -> Void) {
        while !queue.isEmpty {
            releaseHead(deliver: deliver)
            drainContiguous(deliver: deliver)
        }
        if let end = finSequence, let now = nextSequence {
            let missing = Int(now.distance(to: end))
            if missing > 0 { declareGap(missing, deliver: deliver) }
        }
        consumeFINIfReached()
        if unusual.isAllocated { unusual.value.stats.bufferedBytes = 0 }
    }

    /// Neither data nor a gap went to the consumer yet, and no FIN fixed the end:
    /// the start may still move. (`deliveredBytes` first: the common case does not
    /// read the out-of-line state.)
    private var nothingEmitted: Bool {
        deliveredBytes == 0 && finSequence == nil && !isClosed && (!unusual.isAllocated || unusual.value.stats.gaps == 0)
    }

    /// Restarts the (still empty) stream at another SYN's ISN+1. Queued bytes were placed
    /// against the other start: they are dropped and counted as garbage.
    private mutating func switchStart(to start: SequenceNumber) {
        if !queue.isEmpty {
            unusual.value.stats.garbageSegments += queue.count
            discard()
        }
        nextSequence = start
        unusual.value.stats.synRestarts += 1
    }

    /// Drops queued data without delivering it (returns it to the budget).
    public mutating func discard() {
        budget?.release(queue.byteCount)
        queue.removeAll()
        if unusual.isAllocated { unusual.value.stats.bufferedBytes = 0 }
    }

    // MARK: - Placement

    private mutating func place(_ data: UnsafeRawBufferPointer, at start: SequenceNumber,
                                deliver: (StreamChunk) -> Void) {
        guard let next = nextSequence else { return }
        let offset = Int(next.distance(to: start))
        let end = offset + data.count
        if end <= 0 {
            unusual.value.stats.retransmittedSegments += 1
            unusual.value.stats.retransmittedBytes += data.count
        } else if offset > limits.maxSequenceLead {
            unusual.value.stats.garbageSegments += 1
        } else if offset <= 0 {
            // The common case is offset 0: no write then, so no counters box.
            if offset < 0 { unusual.value.stats.overlapBytes += -offset }
            deliverInOrder(UnsafeRawBufferPointer(rebasing: data[(-offset)...]), deliver: deliver)
        } else {
            let inserted = queue.insert(data, at: start, base: next)
            unusual.value.stats.outOfOrderSegments += 1
            unusual.value.stats.outOfOrderBytes += inserted.newBytes
            unusual.value.stats.overlapBytes += inserted.overlapBytes
            unusual.value.stats.overlapConflicts += inserted.conflictBytes
            budget?.charge(inserted.newBytes)
            enforceLimits(deliver: deliver)
        }
        updatePeaks()
    }

    /// `data` starts exactly at `nextSequence`. Delivered from the packet,
    /// except where queued bytes already cover it (those were first).
    private mutating func deliverInOrder(_ data: UnsafeRawBufferPointer, deliver: (StreamChunk) -> Void) {
        if queue.isEmpty {   // the common path: straight through
            emit(data, deliver: deliver)
            return
        }
        var cursor = 0
        while cursor < data.count, let next = nextSequence {
            guard let head = queue.first else {
                emit(UnsafeRawBufferPointer(rebasing: data[cursor...]), deliver: deliver)
                break
            }
            let headOffset = Int(next.distance(to: head.start))
            if headOffset > 0 {
                let n = min(headOffset, data.count - cursor)
                emit(UnsafeRawBufferPointer(rebasing: data[cursor..<(cursor + n)]), deliver: deliver)
                cursor += n
            } else {
                // Queue invariant: headOffset == 0 here.
                let overlap = min(head.bytes.count, data.count - cursor)
                unusual.value.stats.overlapBytes += overlap
                unusual.value.stats.overlapConflicts += differingBytes(data, from: cursor, head.bytes, from: 0, count: overlap)
                releaseHead(deliver: deliver)
                cursor += head.bytes.count
            }
        }
        drainContiguous(deliver: deliver)
    }

    private mutating func enforceLimits(deliver: (StreamChunk) -> Void) {
        while !queue.isEmpty && (queue.byteCount > limits.maxBufferedBytesPerDirection
                                 || queue.count > limits.maxSegmentsPerDirection
                                 || budget?.isExhausted == true) {
            unusual.value.stats.limitReleases += 1
            releaseHead(deliver: deliver)
            drainContiguous(deliver: deliver)
        }
    }

    // MARK: - Delivery

    /// Delivers queued segments that start exactly at `nextSequence`.
    private mutating func drainContiguous(deliver: (StreamChunk) -> Void) {
        while let head = queue.first, let next = nextSequence, next.distance(to: head.start) <= 0 {
            releaseHead(deliver: deliver)
        }
    }

    /// Pops the earliest queued segment and delivers it, declaring the hole
    /// before it (if any) a gap.
    private mutating func releaseHead(deliver: (StreamChunk) -> Void) {
        guard let head = queue.popFirst(), let next = nextSequence else { return }
        budget?.release(head.bytes.count)
        let offset = Int(next.distance(to: head.start))
        if offset > 0 { declareGap(offset, deliver: deliver) }
        let skip = max(0, -offset)   // defensive: never re-deliver bytes
        if skip < head.bytes.count {
            head.bytes.withUnsafeBytes { all in
                emit(UnsafeRawBufferPointer(rebasing: all[skip...]), deliver: deliver)
            }
        }
    }

    private mutating func emit(_ bytes: UnsafeRawBufferPointer, deliver: (StreamChunk) -> Void) {
        guard !bytes.isEmpty, let next = nextSequence else { return }
        nextSequence = next.advanced(by: bytes.count)
        deliveredBytes += bytes.count
        deliver(.data(bytes))
    }

    private mutating func declareGap(_ count: Int, deliver: (StreamChunk) -> Void) {
        guard count > 0, let next = nextSequence else { return }
        nextSequence = next.advanced(by: count)
        unusual.value.stats.gaps += 1
        unusual.value.stats.gapBytes += count
        deliver(.gap(count))
    }

    // MARK: - FIN and bookkeeping

    private mutating func noteFIN(at position: SequenceNumber) {
        guard finSequence == nil, let next = nextSequence else { return }
        // A FIN behind data already delivered cannot move the end backwards.
        guard next.distance(to: position) >= 0 else { return }
        finSequence = position
        let dropped = queue.truncate(at: position, base: next)
        if dropped > 0 {
            budget?.release(dropped)
            unusual.value.stats.ignoredAfterClose += 1
        }
    }

    private mutating func consumeFINIfReached() {
        guard !isFinished, let end = finSequence, nextSequence == end else { return }
        nextSequence = end.advanced(by: 1)
        isFinished = true
    }

    private mutating func updatePeaks() {
        // Nothing queued now or ever: every buffer counter is still zero.
        guard !queue.isEmpty || unusual.isAllocated else { return }
        if queue.isEmpty {
            // The common case on a stream that once had a gap or a retransmission:
            // nothing queued, so only a stale buffered count can change (one field read).
            if unusual.value.stats.bufferedBytes != 0 { unusual.value.stats.bufferedBytes = 0 }
            return
        }
        // Read first: most segments change nothing here, and a write costs a uniqueness check.
        let current = unusual.value.stats
        guard current.bufferedBytes != queue.byteCount || current.bufferedBytesPeak < queue.byteCount
                || current.bufferedSegmentsPeak < queue.count else { return }
        unusual.value.stats.bufferedBytes = queue.byteCount
        unusual.value.stats.bufferedBytesPeak = max(current.bufferedBytesPeak, queue.byteCount)
        unusual.value.stats.bufferedSegmentsPeak = max(current.bufferedSegmentsPeak, queue.count)
    }
}

/// What all reassemblers of a run have in common, kept once: each direction
/// of each connection holds one reference instead of a copy of the limits.
public final class ReassemblySettings {
    public let limits: ReassemblyLimits
    public let budget: ReassemblyBudget?

    public init(limits: ReassemblyLimits = .default, budget: ReassemblyBudget? = nil) {
        self.limits = limits
        self.budget = budget
    }
}

/// A reassembler's rarely used state, allocated on the first write: the
/// counters of loss and reordering, and a competing SYN's start.
struct UnusualReassemblyState: DefaultInitializable {
    var stats = ReassemblyStats()
    var alternativeStart: SequenceNumber?
}
