/// At most `capacity` computed values by key, the oldest dropped first: for
/// values that cost more to compute than their key costs to hash and compare
/// (certificate summaries, hello fingerprints), which real traffic repeats.
///
/// A value type holding no shared state: keep one per analyzer (per thread).
/// Memory is bounded by `capacity` times `maxEntryCost` (in whatever unit the
/// caller counts, roughly bytes): keys and values come from the wire, and an
/// entry that costs more is computed each time, never kept.
public struct BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public let capacity: Int
    public let maxEntryCost: Int
    private var values: [Key: Value] = [:]
    /// Insertion order, as a ring: `order[next]` is the oldest key once full.
    private var order: [Key] = []
    private var next = 0
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int, maxEntryCost: Int) {
        self.capacity = max(0, capacity)
        self.maxEntryCost = maxEntryCost
    }

    public var count: Int { values.count }

    /// The value for `key`: remembered, or made by `compute` and remembered
    /// unless `cost` is over `maxEntryCost` (then `key` is not even looked up).
    public mutating func value(for key: @autoclosure () -> Key, cost: Int, compute: () -> Value) -> Value {
        guard cost <= maxEntryCost else {
            misses += 1
            return compute()
        }
        let key = key()
        if let cached = values[key] {
            hits += 1
            return cached
        }
        misses += 1
        let value = compute()
        guard capacity > 0 else { return value }
        if order.count < capacity {
            order.append(key)
        } else {
            values[order[next]] = nil
            order[next] = key
            next = next + 1 == capacity ? 0 : next + 1
        }
        values[key] = value
        return value
    }

    /// As `value(for:cost:compute:)`, but a remembered value that `isFresh`
    /// rejects is made again and replaces it (in place: its age is kept).
    public mutating func value(for key: @autoclosure () -> Key, cost: Int, isFresh: (Value) -> Bool, compute: () -> Value) -> Value {
        guard cost <= maxEntryCost else {
            misses += 1
            return compute()
        }
        let key = key()
        if let cached = values[key] {
            if isFresh(cached) {
                hits += 1
                return cached
            }
            misses += 1
            let value = compute()
            values[key] = value
            return value
        }
        return self.value(for: key, cost: cost, compute: compute)
    }
}
