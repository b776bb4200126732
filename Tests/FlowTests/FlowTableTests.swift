import XCTest
import TLSDumpBase
@testable import TLSDumpFlow

private final class Conn {
    let id: Int
    init(_ id: Int) { self.id = id }
}

final class FlowTableTests: XCTestCase {
    private func v4(_ a: UInt32, _ port: UInt16) -> Endpoint { Endpoint(ip: IPAddress(ipv4: a), port: port) }
    private func key(_ i: Int) -> FlowKey { FlowKey(v4(0x0A00_0001, UInt16(1024 + i)), v4(0x0A00_0002, 443)) }
    private func t(_ seconds: Int64) -> Timestamp { Timestamp(seconds: seconds, nanoseconds: 0) }

    // MARK: - Keys

    func testBothDirectionsShareOneKeyWithOppositeDirections() {
        let client = v4(0xC0A8_0164, 51000)    // 192.168.1.100
        let server = v4(0x5DB8_D822, 443)      // 93.184.216.34
        let (k1, d1) = FlowKey.make(source: client, destination: server)
        let (k2, d2) = FlowKey.make(source: server, destination: client)
        XCTAssertEqual(k1, k2)
        XCTAssertEqual(k1.hashValue, k2.hashValue)
        XCTAssertEqual(d1, .reverse)           // the server has the lower address
        XCTAssertEqual(d2, .forward)
        XCTAssertEqual(d1.reversed, d2)
        XCTAssertEqual(k1.first, server)
        XCTAssertEqual(k1.second, client)
    }

    func testSameAddressOrdersByPortAndIPv4BeforeIPv6() {
        let a = v4(0x7F00_0001, 40000), b = v4(0x7F00_0001, 443)
        let (k, d) = FlowKey.make(source: a, destination: b)
        XCTAssertEqual(k.first.port, 443)
        XCTAssertEqual(d, .reverse)
        let six = Endpoint(ip: IPAddress(ipv6High: 0, low: 1), port: 1)
        let four = v4(0xFFFF_FFFF, 65535)
        XCTAssertEqual(FlowKey.make(source: six, destination: four).direction, .reverse)
        XCTAssertEqual(FlowKey(six, four).first, four)
        // Self-connection: both endpoints equal, still a valid forward flow.
        XCTAssertEqual(FlowKey.make(source: a, destination: a).direction, .forward)
    }

    func testKeysDifferingOnlyInFamilyOrPortAreDistinct() {
        let k4 = FlowKey(v4(1, 80), v4(2, 443))
        let k6 = FlowKey(Endpoint(ip: IPAddress(ipv6High: 0, low: 1), port: 80),
                         Endpoint(ip: IPAddress(ipv6High: 0, low: 2), port: 443))
        let kPort = FlowKey(v4(1, 81), v4(2, 443))
        XCTAssertEqual(Set([k4, k6, kPort]).count, 3)
        XCTAssertEqual(k4.description, "0.0.0.1:80 <-> 0.0.0.2:443")
    }

    // MARK: - Table

    func testLookupTouchAndRemove() {
        let table = FlowTable<Conn>(limits: FlowTableLimits(maxFlows: 10))
        table.insert(key(1), Conn(1), at: t(1)) { _, _ in XCTFail("no eviction expected") }
        table.insert(key(2), Conn(2), at: t(2)) { _, _ in XCTFail("no eviction expected") }
        XCTAssertEqual(table.count, 2)
        XCTAssertEqual(table.lookup(key(1))?.id, 1)
        XCTAssertNil(table.lookup(key(3)))
        XCTAssertEqual(table.keysByRecency, [key(2), key(1)])
        table.touch(key(1), at: t(3))
        XCTAssertEqual(table.keysByRecency, [key(1), key(2)])
        XCTAssertEqual(table.lookupAndTouch(key(2), at: t(4))?.id, 2)
        XCTAssertEqual(table.keysByRecency, [key(2), key(1)])
        XCTAssertEqual(table.lastActive(key(2)), t(4))
        table.touch(key(2), at: t(1))              // jittery clock: never moves backwards
        XCTAssertEqual(table.lastActive(key(2)), t(4))
        XCTAssertEqual(table.remove(key(1))?.id, 1)
        XCTAssertNil(table.remove(key(1)))
        XCTAssertEqual(table.count, 1)
        XCTAssertEqual(table.keysByRecency, [key(2)])
    }

    func testInsertingAnExistingKeyReplacesAndReturnsTheOldValue() {
        let table = FlowTable<Conn>(limits: FlowTableLimits(maxFlows: 2))
        table.insert(key(1), Conn(1), at: t(1)) { _, _ in }
        table.insert(key(2), Conn(2), at: t(2)) { _, _ in }
        let old = table.insert(key(1), Conn(10), at: t(3)) { _, _ in XCTFail("replacing must not evict") }
        XCTAssertEqual(old?.id, 1)
        XCTAssertEqual(table.lookup(key(1))?.id, 10)
        XCTAssertEqual(table.count, 2)
        XCTAssertEqual(table.keysByRecency, [key(1), key(2)])
    }

    func testCapacityEvictsLeastRecentlyActiveFirstAndCountsIt() {
        let table = FlowTable<Conn>(limits: FlowTableLimits(maxFlows: 3))
        var evicted: [Int] = []
        for i in 1...3 { table.insert(key(i), Conn(i), at: t(Int64(i))) { _, v in evicted.append(v.id) } }
        table.touch(key(1), at: t(10))             // 2 is now the least recent
        table.insert(key(4), Conn(4), at: t(11)) { k, v in XCTAssertEqual(k, self.key(v.id)); evicted.append(v.id) }
        table.insert(key(5), Conn(5), at: t(12)) { _, v in evicted.append(v.id) }
        XCTAssertEqual(evicted, [2, 3])
        XCTAssertEqual(table.count, 3)
        XCTAssertEqual(table.stats.evictedForCapacity, 2)
        XCTAssertEqual(table.stats.inserted, 5)
        XCTAssertEqual(table.stats.peak, 3)
        XCTAssertEqual(table.keysByRecency, [key(5), key(4), key(1)])
        XCTAssertNil(table.lookup(key(2)))
    }

    func testExpirePopsOnlyIdleFlowsFromTheTail() {
        let table = FlowTable<Conn>(limits: FlowTableLimits(maxFlows: 100, idleTimeoutSeconds: 60))
        for i in 1...5 { table.insert(key(i), Conn(i), at: t(Int64(i * 10))) { _, _ in } }
        table.touch(key(1), at: t(100))
        var expired: [Int] = []
        table.expire(olderThan: t(40)) { _, v in expired.append(v.id) }
        XCTAssertEqual(expired, [2, 3])            // 1 was touched; 4 (t=40) is not strictly older
        XCTAssertEqual(table.stats.expiredIdle, 2)
        XCTAssertEqual(table.count, 3)
        expired = []
        table.expireIdle(now: t(111)) { _, v in expired.append(v.id) }   // cutoff t=51
        XCTAssertEqual(expired, [4, 5])
        XCTAssertEqual(table.keysByRecency, [key(1)])
        XCTAssertEqual(table.stats.expiredIdle, 4)
    }

    func testRemoveAllReportsLeastRecentFirstAndEmptiesTheTable() {
        let table = FlowTable<Conn>(limits: FlowTableLimits(maxFlows: 100))
        for i in 1...4 { table.insert(key(i), Conn(i), at: t(Int64(i))) { _, _ in } }
        table.touch(key(2), at: t(9))
        var order: [Int] = []
        table.removeAll { _, v in order.append(v.id) }
        XCTAssertEqual(order, [1, 3, 4, 2])
        XCTAssertTrue(table.isEmpty)
        XCTAssertEqual(table.keysByRecency, [])
        // Still usable afterwards.
        table.insert(key(7), Conn(7), at: t(20)) { _, _ in }
        XCTAssertEqual(table.lookup(key(7))?.id, 7)
    }

    func testRemovedValuesAreReleased() {
        let table = FlowTable<Conn>(limits: FlowTableLimits(maxFlows: 4))
        weak var weakConn: Conn?
        do {
            let c = Conn(1)
            weakConn = c
            table.insert(key(1), c, at: t(1)) { _, _ in }
        }
        XCTAssertNotNil(weakConn)
        table.remove(key(1))
        XCTAssertNil(weakConn, "a freed slot must not keep its value alive")
    }

    /// Random operations checked against a plain array model of the LRU list.
    func testRandomOperationsMatchAReferenceModel() {
        var rng = SplitMix64(seed: 99)
        let capacity = 16
        let table = FlowTable<Conn>(limits: FlowTableLimits(maxFlows: capacity))
        var model: [Int] = []                      // most recent first
        var clock: Int64 = 0
        var evictions = 0
        for _ in 0..<20_000 {
            clock += 1
            let i = Int.random(in: 0..<40, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                if table.lookup(key(i)) == nil {
                    var victims: [Int] = []
                    table.insert(key(i), Conn(i), at: t(clock)) { _, v in victims.append(v.id) }
                    if model.count == capacity, let last = model.popLast() {
                        XCTAssertEqual(victims, [last]); evictions += 1
                    } else {
                        XCTAssertEqual(victims, [])
                    }
                    model.insert(i, at: 0)
                }
            case 1:
                let found = table.lookupAndTouch(key(i), at: t(clock))
                XCTAssertEqual(found?.id, model.contains(i) ? i : nil)
                if let at = model.firstIndex(of: i) { model.remove(at: at); model.insert(i, at: 0) }
            case 2:
                XCTAssertEqual(table.remove(key(i))?.id, model.contains(i) ? i : nil)
                model.removeAll { $0 == i }
            default:
                table.touch(key(i), at: t(clock))
                if let at = model.firstIndex(of: i) { model.remove(at: at); model.insert(i, at: 0) }
            }
            XCTAssertEqual(table.count, model.count)
        }
        XCTAssertEqual(table.keysByRecency, model.map(key))
        XCTAssertEqual(table.stats.evictedForCapacity, evictions)
        XCTAssertGreaterThan(evictions, 0)
    }
}
