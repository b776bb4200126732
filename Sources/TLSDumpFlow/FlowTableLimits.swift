/// Bounds on the flow table.
public struct FlowTableLimits: Sendable {
    /// Concurrent connections tracked. 131,072 (2^17): a busy uplink's worth of
    /// simultaneous connections, while keeping the table itself around
    /// 12 MB when full (76 bytes of entry per flow plus 2^18 one-word slots;
    /// it grows to that size only as flows arrive) before per-flow state.
    /// When full, the least recently active flow is evicted.
    public var maxFlows: Int
    /// A flow with no packet for this long is expired (Zeek's TCP inactivity
    /// timeout is also 5 minutes). Nanoseconds, to compare with `Timestamp`.
    public var idleTimeoutNanoseconds: Int64

    public init(maxFlows: Int = 1 << 17, idleTimeoutSeconds: Int64 = 300) {
        self.maxFlows = max(1, maxFlows)
        self.idleTimeoutNanoseconds = max(0, idleTimeoutSeconds) &* 1_000_000_000
    }

    public static let `default` = FlowTableLimits()
}

public struct FlowTableStats: Sendable, Equatable {
    public var inserted = 0
    /// Flows pushed out because the table was full.
    public var evictedForCapacity = 0
    /// Flows removed by `expire` for inactivity.
    public var expiredIdle = 0
    /// Most flows held at once.
    public var peak = 0

    public init() {}
}
