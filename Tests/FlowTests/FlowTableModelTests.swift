import XCTest
import TLSDumpBase
@testable import TLSDumpFlow

private final class Flow {
    let id: Int
    init(_ id: Int) { self.id = id }
}

/// The open-addressing flow table checked against a plain model: a dictionary
/// of last-activity times and an array ordered most recent first.
final class FlowTableModelTests: XCTestCase {
    private func key(_ i: Int) -> FlowKey {
        FlowKey(Endpoint(ip: IPAddress(ipv4: 0x0A00_0000 | UInt32(i >> 16)), port: UInt16(truncatingIfNeeded: i)),
                Endpoint(ip: IPAddress(ipv4: 0xC000_0201), port: 443))
    }
    private func t(_ n: Int64) -> Timestamp { Timestamp(nanoseconds: n) }

    /// The reference model.
    private struct Model {
        var lastActive: [Int: Int64] = [:]
        var order: [Int] = []          // most recent first

        var count: Int { order.count }
        func contains(_ i: Int) -> Bool { lastActive[i] != nil }

        mutating func touch(_ i: Int, _ time: Int64) {
            guard let last = lastActive[i] else { return }
            lastActive[i] = max(last, time)
            order.removeAll { $0 == i }
            order.insert(i, at: 0)
        }
        mutating func insert(_ i: Int, _ time: Int64) {
            lastActive[i] = time
            order.insert(i, at: 0)
        }
        mutating func remove(_ i: Int) {
            lastActive[i] = nil
            order.removeAll { $0 == i }
        }
        mutating func popOldest() -> Int? {
            guard let last = order.popLast() else { return nil }
            lastActive[last] = nil
            return last
        }
    }

    /// One random run. `hashOf` picks each key's hash: the real one, or one
    /// that forces collisions. Callbacks sometimes remove or insert other flows.
    private func runRandomOperations(seed: UInt64, capacity: Int, keySpace: Int, steps: Int, expiryWindow: Int64? = nil,
                                     hashOf: (Int) -> FlowHash, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SplitMix64(seed: seed)
        let table = FlowTable<Flow>(limits: FlowTableLimits(maxFlows: capacity))
        var model = Model()
        var clock: Int64 = 1000
        var evictions = 0, expiries = 0
        for _ in 0..<steps {
            // A jittery clock: mostly forward, sometimes back a little.
            clock += Int64.random(in: -3...10, using: &rng)
            let i = Int.random(in: 0..<keySpace, using: &rng)
            let k = key(i), h = hashOf(i)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<35:
                // Insert (or replace); evictions may remove a second flow from inside the callback.
                let replacing = model.contains(i)
                var victims: [Int] = []
                var expectedVictims: [Int] = []
                if !replacing {
                    var m = model
                    while m.count >= capacity, let v = m.popOldest() { expectedVictims.append(v) }
                }
                let removeInCallback = Int.random(in: 0..<4, using: &rng) == 0
                var removedInCallback: Int?
                let old = table.insert(k, hash: h, Flow(i), at: t(clock)) { victimKey, victim in
                    XCTAssertEqual(victimKey, self.key(victim.id), file: file, line: line)
                    victims.append(victim.id)
                    XCTAssertNil(table.lookup(victimKey, hash: hashOf(victim.id)), "unlinked before the callback", file: file, line: line)
                    if removeInCallback, removedInCallback == nil, table.core.newest >= 0 {
                        // The callback uses the table: it removes another flow (the newest).
                        let newest = table.core.keys[Int(table.core.newest)]
                        let id = self.index(of: newest)
                        XCTAssertEqual(table.remove(newest, hash: hashOf(id))?.id, id, file: file, line: line)
                        removedInCallback = id
                    }
                }
                if replacing {
                    XCTAssertEqual(old?.id, i, file: file, line: line)
                    model.touch(i, clock)
                } else {
                    XCTAssertNil(old, file: file, line: line)
                    // The model evicts the same oldest flows, then the callback's removal.
                    for v in expectedVictims.prefix(1) { model.remove(v) }
                    if let removed = removedInCallback { model.remove(removed) }
                    // After the callback removed a flow, fewer evictions may be needed.
                    var m = model
                    var rest: [Int] = []
                    while m.count >= capacity, let v = m.popOldest() { rest.append(v) }
                    for v in rest { model.remove(v) }
                    XCTAssertEqual(victims, Array(expectedVictims.prefix(1)) + rest, file: file, line: line)
                    evictions += victims.count
                    model.insert(i, clock)
                }
            case 35..<60:
                let found = table.lookupAndTouch(k, hash: h, at: t(clock))
                XCTAssertEqual(found?.id, model.contains(i) ? i : nil, file: file, line: line)
                model.touch(i, clock)
            case 60..<82:
                XCTAssertEqual(table.lookup(k, hash: h)?.id, model.contains(i) ? i : nil, file: file, line: line)
            case 82..<97:
                XCTAssertEqual(table.remove(k, hash: h)?.id, model.contains(i) ? i : nil, file: file, line: line)
                model.remove(i)
            default:
                // Expire: strictly older than the cutoff, oldest first, stopping at the first live flow.
                // The window is about the table's age span, so expiry and eviction both happen.
                let cutoff = clock - Int64.random(in: 0...(expiryWindow ?? Int64(capacity * 12)), using: &rng)
                var expected: [Int] = []
                while let last = model.order.last, let time = model.lastActive[last], time < cutoff {
                    expected.append(last)
                    model.remove(last)
                }
                var got: [Int] = []
                table.expire(olderThan: t(cutoff)) { _, v in got.append(v.id) }
                XCTAssertEqual(got, expected, file: file, line: line)
                expiries += got.count
            }
            XCTAssertEqual(table.count, model.count, file: file, line: line)
        }
        XCTAssertEqual(table.keysByRecency, model.order.map(key), file: file, line: line)
        for (i, time) in model.lastActive {
            XCTAssertEqual(table.lookup(key(i), hash: hashOf(i))?.id, i, file: file, line: line)
            XCTAssertEqual(table.core.lru[table.core.find(key(i), hashOf(i).value)].lastActive, time, file: file, line: line)
        }
        XCTAssertEqual(table.stats.evictedForCapacity, evictions, file: file, line: line)
        XCTAssertEqual(table.stats.expiredIdle, expiries, file: file, line: line)
        XCTAssertGreaterThan(evictions, 0, "expiries \(expiries)", file: file, line: line)
        XCTAssertGreaterThan(expiries, 0, "evictions \(evictions)", file: file, line: line)
        var drained: [Int] = []
        let expectedDrain = Array(model.order.reversed())
        table.removeAll { _, v in drained.append(v.id) }
        XCTAssertEqual(drained, expectedDrain, file: file, line: line)
        XCTAssertTrue(table.isEmpty, file: file, line: line)
    }

    /// The index `key(_:)` was built from.
    private func index(of k: FlowKey) -> Int { Int(k.first.ip.low & 0xFFFF) << 16 | Int(k.first.port) }

    func testRandomOperationsWithRealHashes() {
        runRandomOperations(seed: 1, capacity: 64, keySpace: 150, steps: 30_000) { FlowHash(self.key($0)) }
        // A large table: growth happens during the run.
        runRandomOperations(seed: 2, capacity: 500, keySpace: 800, steps: 40_000, expiryWindow: 400_000) { FlowHash(self.key($0)) }
    }

    func testRandomOperationsWithForcedCollisions() {
        // Four tags for everything: long probe runs that wrap around the slot array,
        // with backward-shift deletion inside them.
        runRandomOperations(seed: 3, capacity: 40, keySpace: 100, steps: 30_000) { FlowHash(value: UInt64($0 % 4) &* 0x4000_0000_0000_0000) }
        // Every key in one bucket, same tag: only the key comparison tells them apart.
        runRandomOperations(seed: 4, capacity: 24, keySpace: 60, steps: 20_000) { _ in FlowHash(value: 0xDEAD_BEEF_0000_0000) }
        // Homes at the last slot, so runs wrap to slot 0.
        runRandomOperations(seed: 5, capacity: 24, keySpace: 60, steps: 20_000) { FlowHash(value: UInt64.max - UInt64($0 % 3)) }
    }

    func testGrowthDoublesUpToTheCapAndNothingIsPreallocated() {
        let table = FlowTable<Flow>(limits: FlowTableLimits(maxFlows: 1000))
        XCTAssertEqual(table.slotCapacity, 16)
        var capacities: [Int] = [table.slotCapacity]
        for i in 0..<5000 {
            table.insert(key(i), Flow(i), at: t(Int64(i))) { _, _ in }
            if table.slotCapacity != capacities.last { capacities.append(table.slotCapacity) }
            XCTAssertLessThanOrEqual(table.count * 4, table.slotCapacity * 3)
        }
        // 1000 flows at load <= 3/4 need 2048 slots; never more.
        XCTAssertEqual(capacities, [16, 32, 64, 128, 256, 512, 1024, 2048])
        XCTAssertEqual(table.count, 1000)
        XCTAssertEqual(table.stats.evictedForCapacity, 4000)
        XCTAssertLessThanOrEqual(table.core.keys.count, 1000, "entries are reused, never past maxFlows")
        for i in 4000..<5000 { XCTAssertEqual(table.lookup(key(i))?.id, i) }
        XCTAssertNil(table.lookup(key(3999)))
        table.removeAll { _, _ in }
        XCTAssertEqual(table.slotCapacity, 16, "removeAll gives the memory back")
        XCTAssertEqual(table.core.keys.count, 0)
    }

    func testDefaultLimitsDoNotPreallocate() {
        let table = FlowTable<Flow>()
        XCTAssertEqual(table.slotCapacity, 16)
        XCTAssertEqual(table.core.maxSlotBits, 18, "131072 flows at load 3/4 fit 2^18 slots")
    }

    func testCallbacksMayReenterTheTable() {
        let table = FlowTable<Flow>(limits: FlowTableLimits(maxFlows: 3, idleTimeoutSeconds: 1))
        for i in 0..<3 { table.insert(key(i), Flow(i), at: t(Int64(i))) { _, _ in } }
        // Eviction of 0 inserts 100 from inside the callback (the table is then full again: 1, 2, 100).
        var evicted: [Int] = []
        table.insert(key(3), Flow(3), at: t(10)) { _, v in
            evicted.append(v.id)
            if v.id == 0 { table.insert(self.key(100), Flow(100), at: self.t(5)) { _, w in evicted.append(w.id) } }
        }
        XCTAssertEqual(evicted, [0, 1], "the nested insert's callback saw nothing to evict, the outer loop evicted 1 next")
        XCTAssertEqual(table.keysByRecency, [key(3), key(100), key(2)])
        // Expiry whose callback removes the next-oldest flow: it is not reported twice.
        var expired: [Int] = []
        table.expire(olderThan: t(100)) { _, v in
            expired.append(v.id)
            if v.id == 2 { XCTAssertEqual(table.remove(self.key(100))?.id, 100) }
        }
        XCTAssertEqual(expired, [2, 3])
        XCTAssertTrue(table.isEmpty)
        // removeAll whose callback inserts again keeps the new flow and its memory.
        table.insert(key(7), Flow(7), at: t(200)) { _, _ in }
        var drained: [Int] = []
        table.removeAll { _, v in
            drained.append(v.id)
            if v.id == 7 { table.insert(self.key(8), Flow(8), at: self.t(201)) { _, _ in } }
        }
        XCTAssertEqual(drained, [7, 8])
        XCTAssertTrue(table.isEmpty)
    }

    func testHashVariantsAgreeWithKeyVariants() {
        let table = FlowTable<Flow>(limits: FlowTableLimits(maxFlows: 100))
        for i in 0..<50 { table.insert(key(i), Flow(i), at: t(Int64(i))) { _, _ in } }
        for i in 0..<50 {
            let h = FlowTable<Flow>.hash(key(i))
            XCTAssertEqual(h, FlowHash(key(i)))
            XCTAssertEqual(table.lookup(key(i), hash: h)?.id, i)
            XCTAssertEqual(table.lookupAndTouch(key(i), hash: h, at: t(100 + Int64(i)))?.id, i)
            XCTAssertEqual(table.lastActive(key(i)), t(100 + Int64(i)))
        }
        XCTAssertEqual(table.remove(key(10), hash: FlowHash(key(10)))?.id, 10)
        XCTAssertNil(table.lookup(key(10)))
        XCTAssertEqual(table.count, 49)
    }
}
