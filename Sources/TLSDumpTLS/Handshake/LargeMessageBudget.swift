import Synchronization

/// The bytes all connections together may hold in handshake messages larger
/// than the ordinary cap (Certificate messages up to 1 MiB): a server with
/// thousands of names is read whole, a flood of them cannot take the memory.
/// One per process, shared by every analysis thread.
public final class LargeMessageBudget: Sendable {
    public static let shared = LargeMessageBudget(limit: 64 << 20)

    public let limit: Int
    private let used = Atomic<Int>(0)

    public init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget; false (nothing taken) when they do not fit.
    public func reserve(_ bytes: Int) -> Bool {
        guard bytes >= 0 else { return false }
        var current = used.load(ordering: .relaxed)
        while true {
            guard current <= limit - bytes else { return false }
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.subtract(bytes, ordering: .relaxed)
    }

    public var inUse: Int { used.load(ordering: .relaxed) }
}
