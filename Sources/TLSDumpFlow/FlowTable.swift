import TLSDumpBase

/// A flow key's 64-bit hash, computed once per packet and handed to the
/// table's `hash:` operations.
///
/// Keys come from the wire, so a fixed hash function would let an attacker
/// pile many flows into one probe run. The hash is keyed with a secret drawn
/// at random once per process (`FlowHashSecret.process`) and mixes the key's
/// words by folded multiplication (the 128-bit product's halves XORed, as
/// foldhash and wyhash do): without the secret, which keys collide cannot be
/// chosen. It costs a few multiplications, where SipHash through `Hasher` was
/// about 5% of a bulk-transfer run.
public struct FlowHash: Sendable, Hashable {
    public let value: UInt64

    @inlinable
    public init(_ key: FlowKey) {
        self.init(key, secret: FlowHashSecret.process)
    }

    @inlinable
    public init(_ key: FlowKey, secret s: FlowHashSecret) {
        let family: UInt64 = (key.first.ip.isIPv6 ? 2 : 0) | (key.second.ip.isIPv6 ? 1 : 0)
        let ports = UInt64(key.first.port) << 32 | UInt64(key.second.port) << 16 | family
        let a = foldedMultiply(key.first.ip.high ^ s.k0, key.first.ip.low ^ s.k1)
        let b = foldedMultiply(key.second.ip.high ^ s.k2, key.second.ip.low ^ s.k3)
        value = FlowHash.spread(foldedMultiply(a ^ ports ^ s.k4, b ^ s.k5))
    }

    /// The fold leaves the top bits (the slot index) fed mostly by the low
    /// half of one operand: for about one secret in twenty, 65,536 sequential
    /// ports left 40% of 4,096 slots empty. One multiply-xorshift moves every
    /// bit up (none in 200 secrets then).
    @inlinable
    static func spread(_ v: UInt64) -> UInt64 {
        let z = (v ^ (v >> 32)) &* 0x9E37_79B9_7F4A_7C15
        return z ^ (z >> 29)
    }

    /// A chosen hash (tests force collisions with it).
    @inlinable
    public init(value: UInt64) { self.value = value }
}

/// The secret `FlowHash` is keyed with: six random words.
public struct FlowHashSecret: Sendable, Equatable {
    public let k0, k1, k2, k3, k4, k5: UInt64

    public init(k0: UInt64, k1: UInt64, k2: UInt64, k3: UInt64, k4: UInt64, k5: UInt64) {
        (self.k0, self.k1, self.k2, self.k3, self.k4, self.k5) = (k0, k1, k2, k3, k4, k5)
    }

    /// Six words from the system's random source; odd, so no word is zero.
    public static func random() -> FlowHashSecret {
        FlowHashSecret(k0: randomOddWord(), k1: randomOddWord(), k2: randomOddWord(),
                       k3: randomOddWord(), k4: randomOddWord(), k5: randomOddWord())
    }

    /// This process's secret, drawn on first use; every table shares it, so a
    /// hash computed once per packet fits any table.
    public static let process = FlowHashSecret.random()
}

/// Connection lookup and lifecycle: an open-addressing hash table (linear
/// probing, power-of-two capacity, backward-shift deletion so there are no
/// tombstones) over entries stored as parallel arrays, with the LRU list
/// threaded through them as `Int32` indices.
///
/// A slot is one word: the high 32 bits of the key's hash (a tag compared
/// before the key is) and the entry index + 1 (0 = empty). The slot index is
/// the tag's top bits, so a slot alone tells its home bucket: growing and
/// deleting never rehash a key. Entries live in struct-of-arrays storage
/// (keys, values, tags, and a 16-byte LRU record of last activity and
/// `Int32` links); updating a link writes one `Int32` in place. Freed entries
/// are chained into a free list and reused.
///
/// Every operation is O(1) (expected; probe runs stay short at load <= 3/4),
/// except the callbacks' own work: `expire` pops idle flows from the LRU tail
/// and stops at the first live one, never scanning the table.
///
/// Memory: the slot array doubles as flows arrive, up to the smallest power
/// of two holding `maxFlows` at load 3/4; the entry arrays grow with the
/// number of flows at once (never past `maxFlows`). Nothing is preallocated.
///
/// Recency is touch order. With the usual monotonic capture clock that is
/// also timestamp order, so the tail is the oldest flow; a flow's own
/// `lastActive` never moves backwards when capture timestamps jitter.
///
/// Callbacks run after the flow has been unlinked, so they may use the table.
///
/// The public operations are `@inlinable` so the table is specialized for
/// its value type in the module that uses it (no generic dispatch per packet).
public final class FlowTable<Value: AnyObject> {
    public let limits: FlowTableLimits
    public var stats: FlowTableStats { counters }
    @usableFromInline var counters: FlowTableStats
    @usableFromInline var core: FlowTableCore<Value>

    @inlinable
    public init(limits: FlowTableLimits = .default) {
        self.limits = limits
        self.counters = FlowTableStats()
        self.core = FlowTableCore(maxFlows: limits.maxFlows)
    }

    @inlinable public var count: Int { core.count }
    @inlinable public var isEmpty: Bool { core.count == 0 }

    /// The hash the `hash:` variants take: compute it once per packet.
    @inlinable
    public static func hash(_ key: FlowKey) -> FlowHash { FlowHash(key) }

    @inlinable
    public func lookup(_ key: FlowKey) -> Value? { lookup(key, hash: FlowHash(key)) }

    @inlinable
    public func lookup(_ key: FlowKey, hash: FlowHash) -> Value? {
        let entry = core.find(key, hash.value)
        return entry < 0 ? nil : core.values[entry]
    }

    /// `lookup` and `touch` in one probe: the per-packet call.
    @inlinable
    public func lookupAndTouch(_ key: FlowKey, at time: Timestamp) -> Value? {
        lookupAndTouch(key, hash: FlowHash(key), at: time)
    }

    @inlinable
    public func lookupAndTouch(_ key: FlowKey, hash: FlowHash, at time: Timestamp) -> Value? {
        core.lookupAndTouch(key, hash.value, at: time.nanoseconds)
    }

    /// Last packet time of a flow.
    @inlinable
    public func lastActive(_ key: FlowKey) -> Timestamp? {
        let entry = core.find(key, FlowHash(key).value)
        return entry < 0 ? nil : Timestamp(nanoseconds: core.lru[entry].lastActive)
    }

    /// Adds a flow as the most recently active. When the table is full, the
    /// least recently active flows are evicted first (reported to `evicted`,
    /// counted in `stats.evictedForCapacity`). Inserting an existing key
    /// replaces its value and returns the old one.
    @inlinable
    @discardableResult
    public func insert(_ key: FlowKey, _ value: Value, at time: Timestamp,
                       evicted: (FlowKey, Value) -> Void) -> Value? {
        insert(key, hash: FlowHash(key), value, at: time, evicted: evicted)
    }

    @inlinable
    @discardableResult
    public func insert(_ key: FlowKey, hash: FlowHash, _ value: Value, at time: Timestamp,
                       evicted: (FlowKey, Value) -> Void) -> Value? {
        let existing = core.find(key, hash.value)
        if existing >= 0 {
            let old = core.values[existing]
            core.values[existing] = value
            core.markActive(Int32(truncatingIfNeeded: existing), at: time.nanoseconds)
            return old
        }
        // Each pop is its own access to `core`: the callback may use the table.
        while core.count >= core.maxFlows, let (victimKey, victim) = core.popOldest() {
            counters.evictedForCapacity += 1
            evicted(victimKey, victim)
        }
        core.insertNew(key, hash.value, value, at: time.nanoseconds)
        counters.inserted += 1
        if core.count > counters.peak { counters.peak = core.count }
        return nil
    }

    /// Marks a flow as just active (moves it to the front of the LRU list).
    @inlinable
    public func touch(_ key: FlowKey, at time: Timestamp) {
        _ = core.lookupAndTouch(key, FlowHash(key).value, at: time.nanoseconds)
    }

    @inlinable
    @discardableResult
    public func remove(_ key: FlowKey) -> Value? { remove(key, hash: FlowHash(key)) }

    @inlinable
    @discardableResult
    public func remove(_ key: FlowKey, hash: FlowHash) -> Value? {
        core.remove(key, hash.value)
    }

    /// Removes every flow last active strictly before `cutoff`, oldest first,
    /// counted in `stats.expiredIdle`.
    @inlinable
    public func expire(olderThan cutoff: Timestamp, _ body: (FlowKey, Value) -> Void) {
        while core.oldestIsBefore(cutoff.nanoseconds), let (key, value) = core.popOldest() {
            counters.expiredIdle += 1
            body(key, value)
        }
    }

    /// `expire` with the configured idle timeout, as of `now`.
    @inlinable
    public func expireIdle(now: Timestamp, _ body: (FlowKey, Value) -> Void) {
        expire(olderThan: Timestamp(nanoseconds: now.nanoseconds &- limits.idleTimeoutNanoseconds), body)
    }

    /// Removes every flow, least recently active first (end of input).
    public func removeAll(_ body: (FlowKey, Value) -> Void) {
        while let (key, value) = core.popOldest() { body(key, value) }
        if core.count == 0 {   // unless `body` inserted again: give the memory back
            core = FlowTableCore(maxFlows: limits.maxFlows)
        }
    }

    /// Keys from most to least recently active (diagnostics and tests).
    public var keysByRecency: [FlowKey] { core.keysByRecency() }

    /// Slots in the hash array (tests: growth is bounded).
    public var slotCapacity: Int { core.slots.count }
}

/// An entry's place in the LRU list and its last activity (nanoseconds).
@usableFromInline
struct LRUNode {
    @usableFromInline var lastActive: Int64
    /// Towards the most recent end; -1 at the front. Free entries: -2.
    @usableFromInline var newer: Int32
    /// Towards the LRU tail; -1 at the tail. Free entries chain the free list.
    @usableFromInline var older: Int32

    @inlinable init(lastActive: Int64) {
        self.lastActive = lastActive
        newer = -1
        older = -1
    }
}

/// The table's storage and algorithms, as a value so that each public
/// operation is a single access to the class's one stored property.
@usableFromInline
struct FlowTableCore<Value: AnyObject> {
    /// `tag << 32 | (entry + 1)`, 0 when empty.
    @usableFromInline var slots: [UInt64]
    /// log2(slots.count).
    @usableFromInline var slotBits: Int
    @usableFromInline let maxSlotBits: Int
    /// `limits.maxFlows`, capped so entry indices fit an `Int32`.
    @usableFromInline let maxFlows: Int

    // Entries, struct-of-arrays.
    @usableFromInline var keys: [FlowKey] = []
    @usableFromInline var values: [Value?] = []
    /// Each entry's tag: finds its slot without hashing the key again.
    @usableFromInline var tags: [UInt32] = []
    /// Last activity and LRU links, together: a touch updates one 16-byte
    /// record per entry involved (one cache line), never a whole entry.
    @usableFromInline var lru: [LRUNode] = []
    @usableFromInline var freeHead: Int32 = -1
    @usableFromInline var newest: Int32 = -1
    @usableFromInline var oldest: Int32 = -1
    @usableFromInline var count = 0

    @usableFromInline static var initialSlotBits: Int { 4 }

    @usableFromInline
    init(maxFlows: Int) {
        // Enough slots for maxFlows at load <= 3/4; entry indices fit an Int32.
        let flows = Swift.min(Swift.max(1, maxFlows), Int(Int32.max) / 2)
        self.maxFlows = flows
        var bits = FlowTableCore.initialSlotBits
        while (1 << bits) * 3 / 4 < flows { bits += 1 }
        maxSlotBits = bits
        slotBits = Swift.min(FlowTableCore.initialSlotBits, bits)
        slots = [UInt64](repeating: 0, count: 1 << slotBits)
    }

    @inlinable static func tag(_ hash: UInt64) -> UInt64 { hash >> 32 }

    /// Home bucket of a slot word or tag: the tag's top `slotBits` bits.
    @inlinable func home(ofTag tag: UInt64) -> Int { Int(truncatingIfNeeded: tag >> UInt64(32 - slotBits)) }

    @inlinable var mask: Int { slots.count &- 1 }

    /// The entry holding `key`, or -1.
    @inlinable
    func find(_ key: FlowKey, _ hash: UInt64) -> Int {
        let tag = FlowTableCore.tag(hash)
        var slot = home(ofTag: tag)
        while true {
            let word = slots[slot]
            if word == 0 { return -1 }
            if word >> 32 == tag {
                let entry = Int(truncatingIfNeeded: word & 0xFFFF_FFFF) &- 1
                if keys[entry] == key { return entry }
            }
            slot = (slot &+ 1) & mask
        }
    }

    /// The slot holding `entry` (known to be present).
    @inlinable
    func slot(ofEntry entry: Int, tag: UInt64) -> Int {
        var slot = home(ofTag: tag)
        let wanted = tag << 32 | UInt64(entry &+ 1)
        while slots[slot] != wanted {
            precondition(slots[slot] != 0, "FlowTable: entry missing from its probe run")
            slot = (slot &+ 1) & mask
        }
        return slot
    }

    @inlinable
    mutating func lookupAndTouch(_ key: FlowKey, _ hash: UInt64, at time: Int64) -> Value? {
        let entry = find(key, hash)
        guard entry >= 0 else { return nil }
        markActive(Int32(truncatingIfNeeded: entry), at: time)
        return values[entry]
    }

    @inlinable
    mutating func insertNew(_ key: FlowKey, _ hash: UInt64, _ value: Value, at time: Int64) {
        if (count &+ 1) * 4 > slots.count * 3 && slotBits < maxSlotBits { grow() }
        let tag = FlowTableCore.tag(hash)
        let entry: Int32
        if freeHead >= 0 {
            entry = freeHead
            let e = Int(entry)
            freeHead = lru[e].older
            keys[e] = key
            values[e] = value
            lru[e] = LRUNode(lastActive: time)
            tags[e] = UInt32(truncatingIfNeeded: tag)
        } else {
            entry = Int32(truncatingIfNeeded: keys.count)
            keys.append(key)
            values.append(value)
            lru.append(LRUNode(lastActive: time))
            tags.append(UInt32(truncatingIfNeeded: tag))
        }
        var slot = home(ofTag: tag)
        while slots[slot] != 0 { slot = (slot &+ 1) & mask }
        slots[slot] = tag << 32 | UInt64(entry &+ 1)
        count &+= 1
        linkAtFront(entry)
    }

    @usableFromInline
    mutating func grow() {
        let old = slots
        slotBits += 1
        slots = [UInt64](repeating: 0, count: 1 << slotBits)
        for word in old where word != 0 {
            var slot = home(ofTag: word >> 32)
            while slots[slot] != 0 { slot = (slot &+ 1) & mask }
            slots[slot] = word
        }
    }

    @inlinable
    mutating func remove(_ key: FlowKey, _ hash: UInt64) -> Value? {
        let entry = find(key, hash)
        guard entry >= 0 else { return nil }
        return release(Int32(truncatingIfNeeded: entry))
    }

    @inlinable
    func oldestIsBefore(_ cutoff: Int64) -> Bool {
        oldest >= 0 && lru[Int(oldest)].lastActive < cutoff
    }

    @inlinable
    mutating func popOldest() -> (FlowKey, Value)? {
        guard oldest >= 0 else { return nil }
        let entry = oldest
        let key = keys[Int(entry)]
        guard let value = release(entry) else { return nil }
        return (key, value)
    }

    /// Takes an entry out of the hash array and the LRU list, frees it, and
    /// returns its value.
    @inlinable
    mutating func release(_ entry: Int32) -> Value? {
        deleteSlot(slot(ofEntry: Int(entry), tag: UInt64(tags[Int(entry)])))
        unlink(entry)
        let e = Int(entry)
        let value = values[e]
        values[e] = nil
        lru[e].newer = -2
        lru[e].older = freeHead
        freeHead = entry
        count &-= 1
        return value
    }

    /// Backward-shift deletion: later members of the probe run move back into
    /// the hole unless that would put them before their home bucket.
    @inlinable
    mutating func deleteSlot(_ removed: Int) {
        var hole = removed
        var slot = (hole &+ 1) & mask
        while true {
            let word = slots[slot]
            if word == 0 { break }
            let home = home(ofTag: word >> 32)
            // Distance from home to the word's slot vs to the hole (cyclic).
            if (slot &- home) & mask >= (slot &- hole) & mask {
                slots[hole] = word
                hole = slot
            }
            slot = (slot &+ 1) & mask
        }
        slots[hole] = 0
    }

    // MARK: - LRU list

    @inlinable
    mutating func markActive(_ entry: Int32, at time: Int64) {
        let e = Int(entry)
        if time > lru[e].lastActive { lru[e].lastActive = time }
        guard entry != newest else { return }
        unlink(entry)
        linkAtFront(entry)
    }

    @inlinable
    mutating func unlink(_ entry: Int32) {
        let e = Int(entry)
        let n = lru[e].newer, o = lru[e].older
        if n >= 0 { lru[Int(n)].older = o } else { newest = o }
        if o >= 0 { lru[Int(o)].newer = n } else { oldest = n }
        lru[e].newer = -1
        lru[e].older = -1
    }

    @inlinable
    mutating func linkAtFront(_ entry: Int32) {
        let e = Int(entry)
        lru[e].newer = -1
        lru[e].older = newest
        if newest >= 0 { lru[Int(newest)].newer = entry } else { oldest = entry }
        newest = entry
    }

    @usableFromInline
    func keysByRecency() -> [FlowKey] {
        var result: [FlowKey] = []
        result.reserveCapacity(count)
        var entry = newest
        while entry >= 0 {
            result.append(keys[Int(entry)])
            entry = lru[Int(entry)].older
        }
        return result
    }
}
