import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

public struct ReassemblyTotals: Sendable {
    public var gaps = 0
    public var gapBytes = 0
    public var outOfOrder = 0
    public var retransmitted = 0
    public var evicted = 0
    /// Packets of connections already reported (closed, and reported before
    /// their 2 s linger ran out because too many were closing), dropped.
    public var lateAfterClose = 0
    public init() {}
}

/// `stats.files`: the capture files a run read, their size on disk, and
/// those that could not be read (or not to their end), with why.
public struct FileTotals: Sendable {
    public var read: Int
    /// Size on disk of the files read; nil for stdin.
    public var bytes: Int?
    public var failed: [(file: String, reason: String)]

    public init(read: Int, bytes: Int?, failed: [(file: String, reason: String)]) {
        self.read = read
        self.bytes = bytes
        self.failed = failed
    }
}

public struct StatsEvent: Sendable {
    public var packets: Int
    public var bytes: Int
    public var tcpConnections: Int
    public var quicConnections = 0
    public var tlsConnections: Int
    public var dropped: Int?
    public var seconds: Double
    public var reassembly: ReassemblyTotals
    public var events: Int
    public var decode: [(String, Int)]
    /// The last `stats` of the run (false for `--stats-interval` ones).
    public var isFinal = true
    /// Packets libpcap received (live capture; nil for files).
    public var received: Int?
    /// Connections tracked when this event was made (0 in the final one: the
    /// end of input reports and releases them all).
    public var openConnections: Int?
    /// The most tracked at once; with `--threads` the sum of the workers'
    /// peaks (an upper bound), see `peakIsUpperBound`.
    public var openConnectionsPeak: Int?
    public var peakIsUpperBound = false
    /// The input files read (nil for live capture).
    public var files: FileTotals?

    public init(packets: Int, bytes: Int, tcpConnections: Int, tlsConnections: Int, dropped: Int?, seconds: Double,
                reassembly: ReassemblyTotals, events: Int, decode: [(String, Int)]) {
        self.packets = packets
        self.bytes = bytes
        self.tcpConnections = tcpConnections
        self.tlsConnections = tlsConnections
        self.dropped = dropped
        self.seconds = seconds
        self.reassembly = reassembly
        self.events = events
        self.decode = decode
    }
}
