import TLSDumpBase

/// Connection lookup and lifecycle: a dictionary from key to a slot in an
/// array of LRU nodes. The nodes form a doubly linked list by index, most
/// recently active at the front; freed slots are chained into a free list and
/// reused, so a touch or an insert into a warm table allocates nothing.
///
/// Every operation is O(1) (amortised, hashing aside) except the callbacks'
/// own work: `expire` pops idle flows from the LRU tail and stops at the first
/// live one, never scanning the table.
///
/// Recency is touch order. With the usual monotonic capture clock that is
/// also timestamp order, so the tail is the oldest flow; a flow's own
/// `lastActive` never moves backwards when capture timestamps jitter.
///
/// Callbacks run after the flow has been unlinked, so they may use the table.
public final class FlowTable<Value: AnyObject> {
    private struct Node {
        var key: FlowKey
        var value: Value?
        var lastActive: Timestamp
        var newer: Int   // towards the most recent end; -1 at the front
        var older: Int   // towards the LRU tail; -1 at the tail
    }

    public let limits: FlowTableLimits
    public private(set) var stats = FlowTableStats()

    private var slots: [FlowKey: Int] = [:]
    private var nodes: [Node] = []
    private var freeHead = -1        // free slots chained through `older`
    private var newest = -1
    private var oldest = -1

    public init(limits: FlowTableLimits = .default) {
        self.limits = limits
    }

    public var count: Int { slots.count }
    public var isEmpty: Bool { slots.isEmpty }

    public func lookup(_ key: FlowKey) -> Value? {
        guard let slot = slots[key] else { return nil }
        return nodes[slot].value
    }

    /// `lookup` and `touch` with one hash: the per-packet call.
    public func lookupAndTouch(_ key: FlowKey, at time: Timestamp) -> Value? {
        guard let slot = slots[key] else { return nil }
        markActive(slot, at: time)
        return nodes[slot].value
    }

    /// Last packet time of a flow.
    public func lastActive(_ key: FlowKey) -> Timestamp? {
        slots[key].map { nodes[$0].lastActive }
    }

    /// Adds a flow as the most recently active. When the table is full, the
    /// least recently active flows are evicted first (reported to `evicted`,
    /// counted in `stats.evictedForCapacity`). Inserting an existing key
    /// replaces its value and returns the old one.
    @discardableResult
    public func insert(_ key: FlowKey, _ value: Value, at time: Timestamp,
                       evicted: (FlowKey, Value) -> Void) -> Value? {
        if let slot = slots[key] {
            let old = nodes[slot].value
            nodes[slot].value = value
            markActive(slot, at: time)
            return old
        }
        while slots.count >= limits.maxFlows, let (victimKey, victim) = popOldest() {
            stats.evictedForCapacity += 1
            evicted(victimKey, victim)
        }
        let node = Node(key: key, value: value, lastActive: time, newer: -1, older: -1)
        let slot: Int
        if freeHead >= 0 {
            slot = freeHead
            freeHead = nodes[slot].older
            nodes[slot] = node
        } else {
            slot = nodes.count
            nodes.append(node)
        }
        slots[key] = slot
        linkAtFront(slot)
        stats.inserted += 1
        stats.peak = max(stats.peak, slots.count)
        return nil
    }

    /// Marks a flow as just active (moves it to the front of the LRU list).
    public func touch(_ key: FlowKey, at time: Timestamp) {
        guard let slot = slots[key] else { return }
        markActive(slot, at: time)
    }

    @discardableResult
    public func remove(_ key: FlowKey) -> Value? {
        guard let slot = slots.removeValue(forKey: key) else { return nil }
        return release(slot)
    }

    /// Removes every flow last active strictly before `cutoff`, oldest first,
    /// counted in `stats.expiredIdle`.
    public func expire(olderThan cutoff: Timestamp, _ body: (FlowKey, Value) -> Void) {
        while oldest >= 0, nodes[oldest].lastActive < cutoff, let (key, value) = popOldest() {
            stats.expiredIdle += 1
            body(key, value)
        }
    }

    /// `expire` with the configured idle timeout, as of `now`.
    public func expireIdle(now: Timestamp, _ body: (FlowKey, Value) -> Void) {
        expire(olderThan: Timestamp(nanoseconds: now.nanoseconds &- limits.idleTimeoutNanoseconds), body)
    }

    /// Removes every flow, least recently active first (end of input).
    public func removeAll(_ body: (FlowKey, Value) -> Void) {
        while let (key, value) = popOldest() { body(key, value) }
        if slots.isEmpty {   // unless `body` inserted again: give the memory back
            nodes.removeAll(keepingCapacity: false)
            freeHead = -1
        }
    }

    /// Keys from most to least recently active (diagnostics and tests).
    public var keysByRecency: [FlowKey] {
        var keys: [FlowKey] = []
        keys.reserveCapacity(count)
        var slot = newest
        while slot >= 0 {
            keys.append(nodes[slot].key)
            slot = nodes[slot].older
        }
        return keys
    }

    // MARK: - List maintenance

    private func markActive(_ slot: Int, at time: Timestamp) {
        if time > nodes[slot].lastActive { nodes[slot].lastActive = time }
        guard slot != newest else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    private func popOldest() -> (FlowKey, Value)? {
        guard oldest >= 0 else { return nil }
        let slot = oldest
        let key = nodes[slot].key
        slots.removeValue(forKey: key)
        guard let value = release(slot) else { return nil }
        return (key, value)
    }

    /// Unlinks a slot whose key is already out of `slots`, frees it, and
    /// returns its value.
    private func release(_ slot: Int) -> Value? {
        unlink(slot)
        let value = nodes[slot].value
        nodes[slot].value = nil
        nodes[slot].older = freeHead
        freeHead = slot
        return value
    }

    private func unlink(_ slot: Int) {
        let newer = nodes[slot].newer, older = nodes[slot].older
        if newer >= 0 { nodes[newer].older = older } else { newest = older }
        if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = -1
        nodes[slot].older = -1
    }

    private func linkAtFront(_ slot: Int) {
        nodes[slot].newer = -1
        nodes[slot].older = newest
        if newest >= 0 { nodes[newest].newer = slot } else { oldest = slot }
        newest = slot
    }
}
