import XCTest
@testable import TLSDumpFlow

/// Random segmentation, duplication (with different boundaries) and
/// reordering of random streams, with seeded randomness so failures reproduce.
final class ReassemblyFuzzTests: XCTestCase {
    private struct Segment { var offset: Int; var length: Int }

    /// A covering segmentation plus random re-sent sub-ranges, shuffled.
    private func scramble(length: Int, rng: inout SplitMix64) -> [Segment] {
        var segments: [Segment] = []
        var offset = 0
        while offset < length {
            let n = min(length - offset, Int.random(in: 1...300, using: &rng))
            segments.append(Segment(offset: offset, length: n))
            offset += n
        }
        let extras = Int.random(in: 0...segments.count, using: &rng)
        for _ in 0..<extras where length > 0 {
            let s = Int.random(in: 0..<length, using: &rng)
            let n = min(length - s, Int.random(in: 1...400, using: &rng))
            segments.append(Segment(offset: s, length: n))
        }
        segments.shuffle(using: &rng)
        return segments
    }

    func testScrambledLosslessStreamsDeliverExactlyTheOriginalBytes() {
        var rng = SplitMix64(seed: 0x7151_D0C5)
        var total = ReassemblyStats()
        defer {
            // The scrambling really exercised queueing, overlaps and retransmissions.
            XCTAssertGreaterThan(total.outOfOrderSegments, 1000)
            XCTAssertGreaterThan(total.overlapBytes, 10_000)
            XCTAssertGreaterThan(total.retransmittedSegments, 100)
        }
        for round in 0..<300 {
            let length = Int.random(in: 0...6000, using: &rng)
            let stream = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Half the rounds start within a few KiB of the 2^32 wrap.
            let isn: UInt32 = round % 2 == 0 ? UInt32.max &- UInt32.random(in: 0...8000, using: &rng)
                                             : UInt32.random(in: 0...UInt32.max, using: &rng)
            var h = Harness()
            h.send(isn, syn: true)
            for s in scramble(length: length, rng: &rng) {
                h.send(isn &+ 1 &+ UInt32(s.offset), Array(stream[s.offset..<(s.offset + s.length)]))
                XCTAssertLessThanOrEqual(h.reassembler.bufferedBytes, ReassemblyLimits.default.maxBufferedBytesPerDirection)
            }
            // Everything arrived: nothing should be left waiting.
            XCTAssertEqual(h.reassembler.bufferedBytes, 0, "round \(round)")
            h.send(isn &+ 1 &+ UInt32(length), [], fin: true)
            h.flush()
            XCTAssertEqual(h.events, length == 0 ? [] : [.data(stream)], "round \(round)")
            XCTAssertEqual(h.reassembler.stats.gaps, 0)
            XCTAssertEqual(h.reassembler.stats.overlapConflicts, 0)
            XCTAssertTrue(h.reassembler.isFinished)
            XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(isn).advanced(by: length + 2))
            total.merge(h.reassembler.stats)
        }
    }

    /// Tight limits force gaps: whatever is delivered must sit at its true
    /// stream position, the limits must hold after every call, and every
    /// position must be accounted for exactly once.
    func testTightLimitsNeverExceededAndDeliveredBytesStayInPlace() {
        var rng = SplitMix64(seed: 0xBAD_5EED)
        var total = ReassemblyStats()
        defer {
            XCTAssertGreaterThan(total.limitReleases, 100)
            XCTAssertGreaterThan(total.gapBytes, 0)
            XCTAssertGreaterThan(total.deliveredBytes, 100_000)
        }
        for round in 0..<300 {
            let length = Int.random(in: 1...5000, using: &rng)
            let stream = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let limits = ReassemblyLimits(maxBufferedBytesPerDirection: Int.random(in: 0...800, using: &rng),
                                          maxSegmentsPerDirection: Int.random(in: 0...8, using: &rng))
            let isn = UInt32.max &- UInt32.random(in: 0...6000, using: &rng)
            var h = Harness(limits: limits)
            h.send(isn, syn: true)
            var segments = scramble(length: length, rng: &rng)
            // Drop some segments for real (loss), which the covering set may or may not repair.
            segments.removeAll { _ in Int.random(in: 0..<10, using: &rng) == 0 }
            for s in segments {
                h.send(isn &+ 1 &+ UInt32(s.offset), Array(stream[s.offset..<(s.offset + s.length)]))
                XCTAssertLessThanOrEqual(h.reassembler.bufferedBytes, limits.maxBufferedBytesPerDirection)
                XCTAssertLessThanOrEqual(h.reassembler.bufferedSegments, limits.maxSegmentsPerDirection)
                if Int.random(in: 0..<20, using: &rng) == 0 {
                    h.ack(isn &+ 1 &+ UInt32(Int.random(in: 0...length, using: &rng)))
                }
            }
            h.flush()
            var position = 0
            for event in h.events {
                switch event {
                case .gap(let n):
                    position += n
                case .data(let b):
                    XCTAssertLessThanOrEqual(position + b.count, length, "round \(round)")
                    guard position + b.count <= length else { break }
                    XCTAssertEqual(b, Array(stream[position..<(position + b.count)]), "round \(round)")
                    position += b.count
                }
            }
            XCTAssertEqual(position, h.reassembler.stats.deliveredBytes + h.reassembler.stats.gapBytes)
            if let next = h.reassembler.nextSequence {
                XCTAssertEqual(Int(SequenceNumber(isn &+ 1).distance(to: next)), position, "round \(round)")
            }
            XCTAssertEqual(h.reassembler.bufferedBytes, 0)
            total.merge(h.reassembler.stats)
        }
    }

    /// Hostile input: arbitrary sequence numbers, flags and acks must never trap.
    func testArbitrarySegmentsNeverTrap() {
        var rng = SplitMix64(seed: 42)
        let limits = ReassemblyLimits(maxBufferedBytesPerDirection: 4096, maxSegmentsPerDirection: 16)
        for _ in 0..<200 {
            var r = HalfStreamReassembler(limits: limits)
            let base = UInt32.random(in: 0...UInt32.max, using: &rng)
            var delivered = 0
            for _ in 0..<200 {
                let near = Int.random(in: 0..<4, using: &rng) != 0
                let seq = near ? base &+ UInt32.random(in: 0...3000, using: &rng) : UInt32.random(in: 0...UInt32.max, using: &rng)
                let payload = [UInt8](repeating: 0x41, count: Int.random(in: 0...700, using: &rng))
                let flags = UInt8.random(in: 0...255, using: &rng)
                payload.withUnsafeBytes { p in
                    r.accept(sequence: seq, syn: flags & 1 != 0 && flags & 0x30 == 0, fin: flags & 2 != 0 && flags & 0xC0 == 0,
                             rst: flags == 0xFF, payload: p) { chunk in
                        if case .data(let b) = chunk { delivered += b.count }
                    }
                }
                if flags & 0x08 != 0 {
                    r.acknowledged(near ? base &+ UInt32.random(in: 0...4000, using: &rng) : UInt32.random(in: 0...UInt32.max, using: &rng)) { chunk in
                        if case .data(let b) = chunk { delivered += b.count }
                    }
                }
                XCTAssertLessThanOrEqual(r.bufferedBytes, limits.maxBufferedBytesPerDirection)
            }
            r.flush { chunk in
                if case .data(let b) = chunk { delivered += b.count }
            }
            XCTAssertEqual(r.bufferedBytes, 0)
            XCTAssertEqual(r.stats.deliveredBytes, delivered)
        }
    }
}
