import TLSDumpBase
import XCTest

/// The certificate cache's digest: every byte counts, lengths count, and the
/// secret keys it (collisions found under one secret do not carry over).
final class KeyedByteHashTests: XCTestCase {
    private func digest(_ bytes: [UInt8], _ secret: (UInt64, UInt64, UInt64, UInt64) = KeyedByteHash.secret) -> UInt64 {
        bytes.withUnsafeBytes { KeyedByteHash.hash($0, secret: secret) }
    }

    /// One bit flipped anywhere in inputs of every length from 0 to 70 (all
    /// block and tail sizes) changes the digest.
    func testEveryBitAndLengthCounts() {
        for length in 0...70 {
            let base = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let h = digest(base)
            XCTAssertEqual(h, digest(base), "deterministic within a process")
            for index in 0..<length {
                for bit in 0..<8 {
                    var flipped = base
                    flipped[index] ^= UInt8(1 << bit)
                    XCTAssertNotEqual(digest(flipped), h, "length \(length), byte \(index), bit \(bit)")
                }
            }
            XCTAssertNotEqual(digest(base + [0]), h, "a trailing zero byte changes it (length \(length))")
        }
    }

    /// 100,000 certificate-sized inputs differing in a counter: no collision.
    func testNoCollisionsAmongSimilarInputs() {
        var seen = Set<UInt64>()
        var der = [UInt8](repeating: 0x30, count: 1_200)
        for i in 0..<100_000 {
            der[600] = UInt8(truncatingIfNeeded: i)
            der[601] = UInt8(truncatingIfNeeded: i >> 8)
            der[1_199] = UInt8(truncatingIfNeeded: i >> 16)
            seen.insert(digest(der))
        }
        XCTAssertEqual(seen.count, 100_000)
    }

    func testTheSecretKeysTheDigest() {
        let one: (UInt64, UInt64, UInt64, UInt64) = (0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB, 0xD6E8_FEB8_6659_FD93)
        let other: (UInt64, UInt64, UInt64, UInt64) = (one.0 ^ 2, one.1, one.2, one.3)
        let inputs = (0..<1_000).map { i in (0..<(i % 90)).map { UInt8(truncatingIfNeeded: $0 ^ i) } }
        let differing = inputs.filter { digest($0, one) != digest($0, other) }.count
        XCTAssertEqual(differing, inputs.count)
        // Pairs equal under `one` in their top 10 bits stay together under `other` only by chance.
        let buckets = Dictionary(grouping: inputs.indices) { digest(inputs[$0], one) >> 54 }
        var together = 0, pairs = 0
        for group in buckets.values where group.count > 1 {
            for (a, b) in zip(group, group.dropFirst()) {
                pairs += 1
                if digest(inputs[a], other) >> 54 == digest(inputs[b], other) >> 54 { together += 1 }
            }
        }
        XCTAssertGreaterThan(pairs, 100)
        XCTAssertLessThan(together, pairs / 10)
    }
}
