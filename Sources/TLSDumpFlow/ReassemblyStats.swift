import TLSDumpBase

/// Counters for one direction (or, summed with `merge`, for a whole run).
///
/// Definitions:
/// - retransmitted: segments wholly below `nextSequence` (already delivered
///   or declared lost); dropped without comparison, since delivered bytes are
///   not kept.
/// - overlap: any other byte received a second time (a segment partly old,
///   or covering bytes already queued). The first copy wins.
/// - overlapConflicts: overlap bytes that could be compared (against queued
///   data) and differed: the signature of evasion attempts or corruption.
public struct ReassemblyStats: Sendable, Equatable {
    public var deliveredBytes = 0
    public var outOfOrderSegments = 0
    /// Bytes newly queued because they arrived ahead of a hole.
    public var outOfOrderBytes = 0
    public var retransmittedSegments = 0
    public var retransmittedBytes = 0
    public var overlapBytes = 0
    public var overlapConflicts = 0
    public var gaps = 0
    public var gapBytes = 0
    /// Times a limit (per-direction or shared budget) forced a gap.
    public var limitReleases = 0
    /// Segments too far ahead of the window to be believed.
    public var garbageSegments = 0
    /// Segments (or their tails) carrying data after FIN or RST.
    public var ignoredAfterClose = 0
    /// Current queued bytes.
    public var bufferedBytes = 0
    public var bufferedBytesPeak = 0
    public var bufferedSegmentsPeak = 0
    /// Synchronised on data rather than on a SYN (capture started mid-stream).
    public var midstreamPickups = 0
    /// Times a second SYN with another ISN (or the peer's ack of it) restarted the empty stream.
    public var synRestarts = 0

    public init() {}

    /// Adds `other`'s counters; peaks take the maximum.
    public mutating func merge(_ other: ReassemblyStats) {
        deliveredBytes += other.deliveredBytes
        outOfOrderSegments += other.outOfOrderSegments
        outOfOrderBytes += other.outOfOrderBytes
        retransmittedSegments += other.retransmittedSegments
        retransmittedBytes += other.retransmittedBytes
        overlapBytes += other.overlapBytes
        overlapConflicts += other.overlapConflicts
        gaps += other.gaps
        gapBytes += other.gapBytes
        limitReleases += other.limitReleases
        garbageSegments += other.garbageSegments
        ignoredAfterClose += other.ignoredAfterClose
        bufferedBytes += other.bufferedBytes
        bufferedBytesPeak = max(bufferedBytesPeak, other.bufferedBytesPeak)
        bufferedSegmentsPeak = max(bufferedSegmentsPeak, other.bufferedSegmentsPeak)
        midstreamPickups += other.midstreamPickups
        synRestarts += other.synRestarts
    }
}
extension ReassemblyStats: DefaultInitializable {}
