import TLSDumpBase
import TLSDumpFlow

/// Connections reported before their linger ran out (too many were closing at
/// once), remembered by key alone until then: a late packet of one of them
/// is dropped and counted instead of starting a new, mid-stream "connection".
/// A few dozen bytes each instead of a whole connection's state; bounded, the
/// oldest forgotten first.
struct FinishedFlows {
    private struct Entry {
        var key: FlowKey
        var deadline: Timestamp
        var serial: Int
    }

    let capacity: Int
    /// Key -> serial of its newest entry (an older entry of a key that was
    /// forgotten and remembered again must not forget the newer one).
    private var serials: [FlowKey: Int] = [:]
    private var queue: [Entry] = []
    private var head = 0
    private var nextSerial = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { serials.count }

    mutating func remember(_ key: FlowKey, until deadline: Timestamp) {
        while queue.count - head >= capacity { popOldest() }
        nextSerial += 1
        serials[key] = nextSerial
        queue.append(Entry(key: key, deadline: deadline, serial: nextSerial))
    }

    /// Whether `key` finished early and its linger has not run out by `now`.
    mutating func contains(_ key: FlowKey, now: Timestamp) -> Bool {
        expire(now: now)
        return serials[key] != nil
    }

    /// A SYN reuses the ports: that is a new connection, not a late packet.
    mutating func forget(_ key: FlowKey) {
        serials[key] = nil
    }

    mutating func expire(now: Timestamp) {
        while head < queue.count, queue[head].deadline <= now { popOldest() }
    }

    private mutating func popOldest() {
        guard head < queue.count else { return }
        let entry = queue[head]
        head += 1
        if serials[entry.key] == entry.serial { serials[entry.key] = nil }
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
