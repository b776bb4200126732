import TLSDumpBase
import TLSDumpDecode

/// The analysis stage as the pipeline drives it, on one thread
/// (`TLSAnalyzer`) or sharded over several (`--threads`): segments in,
/// events out through the sink it was made with.
public protocol PacketAnalysis: AnyObject {
    /// One decoded TCP segment, in capture order.
    func process(_ segment: TCPSegment)
    /// One decoded UDP datagram (QUIC), in capture order.
    func process(_ datagram: UDPDatagram)
    /// Capture time moved on without packets (a quiet live interface).
    func advance(to now: Timestamp)
    /// Writes what is ready (sharded runs hand events over in batches); never waits.
    func deliverReady()
    /// End of input: every open connection is reported; returns when all events are out.
    func finish()
    /// The output is gone: stop without reporting.
    func abandon()
    /// What the `stats` event needs (a sharded run adds its shards' counters).
    var counters: AnalyzerCounters { get }
    /// The counters are sums over shards: a peak of open connections is then an upper bound.
    var countersAreShardSums: Bool { get }
}
