/// libpcap's packet counters for a live capture (`pcap_stats`), cumulative
/// since the handle was activated.
public struct CaptureStatistics: Sendable, Equatable {
    /// Packets that passed the filter (on Linux: including those later dropped).
    public var received: Int
    /// Packets the kernel dropped because the capture buffer was full: the
    /// analysis did not keep up.
    public var dropped: Int
    /// Packets the interface or its driver dropped (not caused by us).
    public var droppedByInterface: Int

    public init(received: Int, dropped: Int, droppedByInterface: Int) {
        self.received = received
        self.dropped = dropped
        self.droppedByInterface = droppedByInterface
    }
}
