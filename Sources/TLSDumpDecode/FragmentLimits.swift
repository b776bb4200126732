/// Bounds on IP fragment reassembly, so hostile fragment streams cannot grow memory without limit.
public struct FragmentLimits: Sendable, Equatable {
    /// Datagrams being reassembled at once; the oldest is evicted beyond this.
    public var maxDatagrams: Int
    /// Largest reassembled datagram payload; a fragment reaching past it drops its datagram.
    /// Clamped to 256 KiB: no IP datagram reassembles larger than 64 KiB plus one fragment.
    public var maxBytesPerDatagram: Int
    /// Buffer bytes across all datagrams in flight; the oldest are evicted beyond this.
    public var maxTotalBytes: Int
    /// Fragments per datagram; caps the work a datagram of tiny fragments can cause.
    public var maxFragmentsPerDatagram: Int
    /// A datagram not completed this long after its first fragment (capture time) is dropped.
    public var timeout: Duration

    public init(maxDatagrams: Int = 256, maxBytesPerDatagram: Int = 65535,
                maxTotalBytes: Int = 8 << 20, maxFragmentsPerDatagram: Int = 1024,
                timeout: Duration = .seconds(30)) {
        self.maxDatagrams = max(1, maxDatagrams)
        self.maxBytesPerDatagram = min(max(0, maxBytesPerDatagram), 256 << 10)
        self.maxTotalBytes = max(0, maxTotalBytes)
        self.maxFragmentsPerDatagram = max(1, maxFragmentsPerDatagram)
        self.timeout = timeout
    }

    public static let `default` = FragmentLimits()

    var timeoutNanoseconds: Int64 {
        let (seconds, attoseconds) = timeout.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : whole &+ attoseconds / 1_000_000_000
    }
}
