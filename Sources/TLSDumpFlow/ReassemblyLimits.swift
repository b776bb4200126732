/// Per-direction bounds on what a `HalfStreamReassembler` holds back while
/// waiting for a hole to fill. When exceeded, the hole before the earliest
/// queued segment is declared a gap and data flows again (gopacket's policy).
public struct ReassemblyLimits: Sendable {
    /// Out-of-order bytes queued in one direction. 256 KiB covers a few
    /// windows of loss on a fast link; beyond that the hole is not coming back.
    public var maxBufferedBytesPerDirection: Int
    /// Out-of-order segments queued in one direction: bounds the queue's
    /// insertion cost and stops floods of tiny segments.
    public var maxSegmentsPerDirection: Int
    /// A segment starting more than this many bytes ahead of the next expected
    /// byte is garbage (corrupt, spoofed or another connection reusing the
    /// ports): counted, not buffered. Must stay well below 2^31 so that
    /// sequence comparisons inside the window are unambiguous.
    public var maxSequenceLead: Int

    public init(maxBufferedBytesPerDirection: Int = 256 * 1024,
                maxSegmentsPerDirection: Int = 1024,
                maxSequenceLead: Int = 1 << 30) {
        self.maxBufferedBytesPerDirection = max(0, maxBufferedBytesPerDirection)
        self.maxSegmentsPerDirection = max(0, maxSegmentsPerDirection)
        self.maxSequenceLead = min(max(1, maxSequenceLead), 1 << 30)
    }

    public static let `default` = ReassemblyLimits()
}

/// A byte budget shared by many reassemblers: the total across all
/// connections (gopacket's MaxBufferedPagesTotal). A reassembler that queues
/// data while the budget is exhausted releases its own queue (declaring gaps),
/// so one connection cannot starve memory for everybody.
///
/// Contract: every reassembler using a budget must be `flush`ed or `discard`ed
/// before it is dropped, or its queued bytes stay charged. Single-threaded,
/// like the rest of the pipeline.
public final class ReassemblyBudget {
    public let maxBytes: Int
    public private(set) var usedBytes: Int = 0
    public private(set) var peakBytes: Int = 0

    public init(maxBytes: Int) { self.maxBytes = max(0, maxBytes) }

    public var isExhausted: Bool { usedBytes > maxBytes }

    func charge(_ bytes: Int) {
        usedBytes += bytes
        if usedBytes > peakBytes { peakBytes = usedBytes }
    }

    func release(_ bytes: Int) { usedBytes = max(0, usedBytes - bytes) }
}
