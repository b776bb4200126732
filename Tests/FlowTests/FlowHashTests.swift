import TLSDumpBase
@testable import TLSDumpFlow
import XCTest

/// The flow table's hash: keyed by a per-process secret, well spread over the
/// slot index (its top bits), and not steerable without the secret.
final class FlowHashTests: XCTestCase {
    private func key(_ i: Int, ipv6: Bool = false) -> FlowKey {
        let client = ipv6 ? IPAddress(ipv6High: 0x2001_0db8_0000_0000, low: UInt64(i >> 16))
                          : IPAddress(ipv4: 0x0a00_0000 | UInt32(truncatingIfNeeded: i >> 16))
        let server = ipv6 ? IPAddress(ipv6High: 0x2001_0db8_0001_0000, low: 1) : IPAddress(ipv4: 0xc0a8_0001)
        return FlowKey(Endpoint(ip: client, port: UInt16(truncatingIfNeeded: i)), Endpoint(ip: server, port: 443))
    }

    func testBothDirectionsAndEqualKeysHashAlike() {
        let a = Endpoint(ip: IPAddress(ipv4: 0x0a00_0001), port: 50000)
        let b = Endpoint(ip: IPAddress(ipv4: 0xc0a8_0001), port: 443)
        XCTAssertEqual(FlowHash(FlowKey(a, b)), FlowHash(FlowKey(b, a)))
        XCTAssertEqual(FlowHash(FlowKey(a, b)).value, FlowHash(FlowKey(a, b), secret: .process).value)
    }

    func testTheSecretKeysTheHash() {
        let one = FlowHashSecret.random(), other = FlowHashSecret.random()
        XCTAssertNotEqual(one, other)
        let differing = (0..<1000).filter { FlowHash(key($0), secret: one) != FlowHash(key($0), secret: other) }.count
        XCTAssertEqual(differing, 1000, "another secret gives other hashes")
    }

    /// Sequential client ports (what a scanner or a NAT produces) spread evenly
    /// over the top bits the table takes its slot index from, IPv4 and IPv6.
    /// Twenty secrets each: the bare fold failed this for about one secret in twenty.
    func testSequentialPortsSpreadOverSlots() {
        for ipv6 in [false, true] { for _ in 0..<20 {
            let secret = FlowHashSecret.random()
            let buckets = 1 << 12, keys = 1 << 16
            var counts = [Int](repeating: 0, count: buckets)
            for i in 0..<keys { counts[Int(FlowHash(key(i, ipv6: ipv6), secret: secret).value >> 52)] += 1 }
            // 16 per bucket on average; a Poisson(16) tail past 45 is below 1e-9.
            XCTAssertLessThan(counts.max() ?? 0, 45, "ipv6: \(ipv6)")
            XCTAssertLessThan(counts.filter { $0 == 0 }.count, 5, "almost no empty bucket, ipv6: \(ipv6)")
        } }
    }

    /// Keys an attacker found to share a slot under one secret (here by brute
    /// force, knowing it) are spread again under the secret of another process.
    func testCollisionsFoundUnderOneSecretDoNotCarryOver() {
        let known = FlowHashSecret.random(), unknown = FlowHashSecret.random()
        let slotBits: UInt64 = 10
        let target = FlowHash(key(0), secret: known).value >> (64 - slotBits)
        let colliding = (1..<200_000).filter { FlowHash(key($0), secret: known).value >> (64 - slotBits) == target }
        XCTAssertGreaterThan(colliding.count, 100)
        var slots = Set<UInt64>()
        for i in colliding { slots.insert(FlowHash(key(i), secret: unknown).value >> (64 - slotBits)) }
        XCTAssertGreaterThan(slots.count, colliding.count / 2, "under another secret they land in many slots")
    }
}
