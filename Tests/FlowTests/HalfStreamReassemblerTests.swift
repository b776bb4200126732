import XCTest
@testable import TLSDumpFlow

final class HalfStreamReassemblerTests: XCTestCase {
    private let isn: UInt32 = 1000

    // MARK: - Ordering

    func testInOrderDeliveryAfterSYN() {
        var h = Harness()
        h.send(isn, syn: true)
        XCTAssertTrue(h.reassembler.isSynchronized)
        XCTAssertTrue(h.reassembler.sawSYN)
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(isn + 1))
        h.send(isn + 1, bytes(0..<10))
        h.send(isn + 11, bytes(10..<25))
        XCTAssertEqual(h.events, [.data(bytes(0..<25))])
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(isn + 26))
        XCTAssertEqual(h.reassembler.stats.deliveredBytes, 25)
        XCTAssertEqual(h.reassembler.stats.outOfOrderSegments, 0)
        XCTAssertEqual(h.reassembler.bufferedBytes, 0)
    }

    func testOutOfOrderWaitsForHole() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 11, bytes(10..<20))
        XCTAssertEqual(h.events, [])
        XCTAssertEqual(h.reassembler.bufferedBytes, 10)
        XCTAssertEqual(h.reassembler.stats.outOfOrderSegments, 1)
        XCTAssertEqual(h.reassembler.stats.outOfOrderBytes, 10)
        h.send(isn + 1, bytes(0..<10))
        XCTAssertEqual(h.events, [.data(bytes(0..<20))])
        XCTAssertEqual(h.reassembler.bufferedBytes, 0)
        XCTAssertEqual(h.reassembler.stats.bufferedBytesPeak, 10)
    }

    func testEveryPermutationOfFiveSegmentsDeliversTheSameBytes() {
        let stream = bytes(0..<50)
        let cuts = [0, 7, 8, 20, 33, 50]   // uneven, including a 1-byte segment
        let segments = (0..<5).map { i in (offset: cuts[i], data: Array(stream[cuts[i]..<cuts[i + 1]])) }
        let orders = permutations(segments)
        XCTAssertEqual(orders.count, 120)
        for order in orders {
            var h = Harness()
            h.send(isn, syn: true)
            for s in order { h.send(isn + 1 + UInt32(s.offset), s.data) }
            XCTAssertEqual(h.events, [.data(stream)], "order \(order.map(\.offset))")
            XCTAssertEqual(h.reassembler.bufferedBytes, 0)
            XCTAssertEqual(h.reassembler.stats.deliveredBytes, 50)
            XCTAssertEqual(h.reassembler.stats.gaps, 0)
        }
    }

    // MARK: - Retransmission and overlap

    func testWhollyOldRetransmissionIsCountedAndDropped() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 1, bytes(0..<10))
        h.send(isn + 1, [9, 9, 9, 9, 9])          // old, and different: still dropped
        h.send(isn + 1, bytes(0..<10))
        XCTAssertEqual(h.events, [.data(bytes(0..<10))])
        XCTAssertEqual(h.reassembler.stats.retransmittedSegments, 2)
        XCTAssertEqual(h.reassembler.stats.retransmittedBytes, 15)
        XCTAssertEqual(h.reassembler.stats.overlapBytes, 0)
    }

    func testPartialOverlapWithDeliveredDataKeepsFirstBytes() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 1, bytes(0..<10))
        // Bytes 5..<15 with a different (bogus) 5..<10 prefix.
        h.send(isn + 6, [0xEE, 0xEE, 0xEE, 0xEE, 0xEE] + bytes(10..<15))
        XCTAssertEqual(h.events, [.data(bytes(0..<15))])
        XCTAssertEqual(h.reassembler.stats.overlapBytes, 5)
        // Delivered bytes are not kept, so they cannot be compared.
        XCTAssertEqual(h.reassembler.stats.overlapConflicts, 0)
    }

    func testOverlapWithQueuedDataFirstWinsAndConflictsAreCounted() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 11, bytes(10..<20))                         // queued first
        // Covers 5..<25; its 10..<20 differ in 3 places from what is queued.
        var second = bytes(5..<25)
        second[5] = 0xAA; second[6] = 0xBB; second[14] = 0xCC    // positions 10, 11, 19
        h.send(isn + 6, second)
        XCTAssertEqual(h.reassembler.stats.overlapBytes, 10)
        XCTAssertEqual(h.reassembler.stats.overlapConflicts, 3)
        XCTAssertEqual(h.reassembler.bufferedBytes, 20)           // 5..<25, no duplicates
        h.send(isn + 1, bytes(0..<5))
        XCTAssertEqual(h.events, [.data(bytes(0..<25))])          // queued bytes won
    }

    func testInOrderSegmentOverlappingQueuedDataDefersToQueue() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 6, bytes(5..<8))
        // In order, covers 0..<12, disagrees with the queued 5..<8 at two bytes.
        var late = bytes(0..<12)
        late[5] = 0x55; late[7] = 0x77
        h.send(isn + 1, late)
        XCTAssertEqual(h.events, [.data(bytes(0..<12))])
        XCTAssertEqual(h.reassembler.stats.overlapBytes, 3)
        XCTAssertEqual(h.reassembler.stats.overlapConflicts, 2)
        XCTAssertEqual(h.reassembler.bufferedBytes, 0)
    }

    func testSegmentSpanningSeveralQueuedSegmentsFillsOnlyTheHoles() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 3, bytes(2..<4))
        h.send(isn + 7, bytes(6..<8))
        h.send(isn + 11, bytes(10..<12))
        h.send(isn + 2, bytes(1..<14))
        XCTAssertEqual(h.reassembler.bufferedBytes, 13)
        XCTAssertEqual(h.reassembler.bufferedSegments, 7)
        XCTAssertEqual(h.reassembler.stats.overlapBytes, 6)
        XCTAssertEqual(h.reassembler.stats.outOfOrderBytes, 13)
        h.send(isn + 1, [0])
        XCTAssertEqual(h.events, [.data(bytes(0..<14))])
    }

    // MARK: - Gaps

    func testAckDeclaresGapAndReleasesQueuedData() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 1, bytes(0..<10))
        h.send(isn + 21, bytes(20..<30))     // 10..<20 never captured
        XCTAssertEqual(h.events, [.data(bytes(0..<10))])
        h.ack(isn + 1 + 35)                  // peer has 0..<35: 30..<35 lost too
        XCTAssertEqual(h.events, [.data(bytes(0..<10)), .gap(10), .data(bytes(20..<30)), .gap(5)])
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(isn + 36))
        XCTAssertEqual(h.reassembler.stats.gaps, 2)
        XCTAssertEqual(h.reassembler.stats.gapBytes, 15)
        // The lost bytes showing up later are now retransmissions.
        h.send(isn + 11, bytes(10..<20))
        XCTAssertEqual(h.reassembler.stats.retransmittedSegments, 1)
        XCTAssertEqual(h.events.count, 4)
    }

    /// Issue 26 item 10: the ack of a FIN that was not captured is one past the last byte;
    /// the FIN's sequence number is not data, so no 1-byte gap.
    func testAckOfAnUncapturedFINIsNotAGap() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 1, bytes(0..<10))
        h.ack(isn + 12)                      // data 0..<10, then the FIN's number
        h.flush()
        XCTAssertEqual(h.events, [.data(bytes(0..<10))])
        XCTAssertEqual(h.reassembler.stats.gaps, 0)
        // A byte really lost there shows itself once data past it arrives and is acknowledged.
        var k = Harness()
        k.send(isn, syn: true)
        k.send(isn + 1, bytes(0..<10))
        k.ack(isn + 12)
        k.send(isn + 12, bytes(11..<15))
        k.ack(isn + 16)
        XCTAssertEqual(k.events, [.data(bytes(0..<10)), .gap(1), .data(bytes(11..<15))])
    }

    func testAckAtOrBehindNextSequenceIsANoOp() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 1, bytes(0..<10))
        h.ack(isn + 11)
        h.ack(isn + 5)
        h.ack(isn)          // the SYN-era ack
        XCTAssertEqual(h.events, [.data(bytes(0..<10))])
        XCTAssertEqual(h.reassembler.stats.gaps, 0)
    }

    func testAckIgnoredBeforeSynchronisationAndWhenAbsurdlyFarAhead() {
        var h = Harness()
        h.ack(5000)
        XCTAssertFalse(h.reassembler.isSynchronized)
        h.send(isn, syn: true)
        h.ack(isn &+ 0x7000_0000)
        XCTAssertEqual(h.events, [])
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(isn + 1))
    }

    func testByteCapForcesGapAndIsNeverExceeded() {
        let limits = ReassemblyLimits(maxBufferedBytesPerDirection: 100, maxSegmentsPerDirection: 1000)
        var h = Harness(limits: limits)
        h.send(isn, syn: true)
        // Byte 0..<10 lost; 10..<200 arrive in 19 segments of 10.
        for k in 1..<20 {
            h.send(isn + 1 + UInt32(k * 10), bytes((k * 10)..<(k * 10 + 10)))
            XCTAssertLessThanOrEqual(h.reassembler.bufferedBytes, 100)
        }
        XCTAssertEqual(h.events.first, .gap(10))
        XCTAssertEqual(h.reassembler.stats.gaps, 1)
        XCTAssertGreaterThanOrEqual(h.reassembler.stats.limitReleases, 1)
        XCTAssertLessThanOrEqual(h.reassembler.stats.bufferedBytesPeak, 100)
        // Once the hole is declared, the rest flows in order.
        XCTAssertEqual(h.events, [.gap(10), .data(bytes(10..<200))])
        XCTAssertEqual(h.reassembler.bufferedBytes, 0)
    }

    func testSegmentCapForcesGapsInStreamOrder() {
        let limits = ReassemblyLimits(maxBufferedBytesPerDirection: 10_000, maxSegmentsPerDirection: 2)
        var h = Harness(limits: limits)
        h.send(isn, syn: true)
        // Holes at 0, 10, 20: segments at 5, 15, 25 (5 bytes each).
        h.send(isn + 26, bytes(25..<30))
        h.send(isn + 6, bytes(5..<10))
        XCTAssertEqual(h.events, [])
        h.send(isn + 16, bytes(15..<20))     // third segment: over the cap
        XCTAssertEqual(h.events, [.gap(5), .data(bytes(5..<10))])
        XCTAssertEqual(h.reassembler.bufferedSegments, 2)
        h.flush()
        XCTAssertEqual(h.events, [.gap(5), .data(bytes(5..<10)), .gap(5), .data(bytes(15..<20)),
                                  .gap(5), .data(bytes(25..<30))])
    }

    func testFlushDeliversQueuedDataWithGapsForHoles() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 1, bytes(0..<4))
        h.send(isn + 9, bytes(8..<12))
        h.send(isn + 21, bytes(20..<22))
        h.flush()
        XCTAssertEqual(h.events, [.data(bytes(0..<4)), .gap(4), .data(bytes(8..<12)), .gap(8), .data(bytes(20..<22))])
        XCTAssertEqual(h.reassembler.bufferedBytes, 0)
        XCTAssertEqual(h.reassembler.stats.bufferedBytes, 0)
        XCTAssertEqual(h.reassembler.stats.gapBytes, 12)
    }

    // MARK: - Synchronisation, SYN and FIN

    func testMidstreamPickupSynchronisesOnFirstDataSegment() {
        var h = Harness()
        h.send(777, [])                        // pure ACK: does not synchronise
        XCTAssertFalse(h.reassembler.isSynchronized)
        h.send(5000, bytes(100..<110))
        XCTAssertTrue(h.reassembler.isSynchronized)
        XCTAssertFalse(h.reassembler.sawSYN)
        XCTAssertEqual(h.reassembler.stats.midstreamPickups, 1)
        h.send(4990, bytes(90..<100))          // earlier bytes, after the fact
        h.send(5010, bytes(110..<120))
        XCTAssertEqual(h.events, [.data(bytes(100..<120))])
        XCTAssertEqual(h.reassembler.stats.retransmittedSegments, 1)
    }

    func testSYNAndFINEachConsumeOneSequenceNumber() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn, syn: true)                 // retransmitted SYN: no effect
        h.send(isn + 1, bytes(0..<10), fin: true)
        XCTAssertEqual(h.events, [.data(bytes(0..<10))])
        XCTAssertTrue(h.reassembler.isFinished)
        XCTAssertTrue(h.reassembler.isClosed)
        XCTAssertEqual(h.reassembler.finSequence, SequenceNumber(isn + 11))
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(isn + 12))
        h.ack(isn + 12)                        // the peer acking our FIN: no gap
        XCTAssertEqual(h.reassembler.stats.gaps, 0)
        h.send(isn + 12, [1, 2, 3])            // data after FIN: ignored
        XCTAssertEqual(h.events, [.data(bytes(0..<10))])
        XCTAssertEqual(h.reassembler.stats.ignoredAfterClose, 1)
    }

    func testSYNPayloadStartsAfterISN() {
        var h = Harness()
        h.send(isn, bytes(0..<5), syn: true)   // TCP Fast Open
        h.send(isn + 6, bytes(5..<8))
        XCTAssertEqual(h.events, [.data(bytes(0..<8))])
    }

    func testFINBeyondHoleWaitsAndTrimsLaterData() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 11, bytes(10..<20), fin: true)
        XCTAssertFalse(h.reassembler.isFinished)
        h.send(isn + 21, [0xFF, 0xFF])         // past the FIN: ignored
        XCTAssertEqual(h.reassembler.bufferedBytes, 10)
        h.send(isn + 1, bytes(0..<10))
        XCTAssertEqual(h.events, [.data(bytes(0..<20))])
        XCTAssertTrue(h.reassembler.isFinished)
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(isn + 22))
    }

    func testFINTruncatesQueuedDataBeyondIt() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 11, bytes(10..<30))
        h.send(isn + 1, bytes(0..<5), fin: true)   // the first FIN says the stream ends at 5
        XCTAssertEqual(h.events, [.data(bytes(0..<5))])
        XCTAssertTrue(h.reassembler.isFinished)
        XCTAssertEqual(h.reassembler.bufferedBytes, 0)
    }

    func testFlushGapsUpToAFINSeenBeyondAHole() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 11, [], fin: true)
        h.flush()
        XCTAssertEqual(h.events, [.gap(10)])
        XCTAssertTrue(h.reassembler.isFinished)
    }

    func testAckCoveringFINGapsOnlyUpToTheFIN() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 11, bytes(10..<12), fin: true)
        h.ack(isn + 14)
        XCTAssertEqual(h.events, [.gap(10), .data(bytes(10..<12))])
        XCTAssertTrue(h.reassembler.isFinished)
    }

    func testDataAfterRSTIsIgnored() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn + 1, bytes(0..<3))
        h.send(isn + 6, bytes(5..<8))
        h.send(isn + 4, Array("reset reason".utf8), rst: true)
        XCTAssertTrue(h.reassembler.sawReset)
        XCTAssertTrue(h.reassembler.isClosed)
        h.send(isn + 4, bytes(3..<5))
        XCTAssertEqual(h.events, [.data(bytes(0..<3))])
        h.flush()                                  // queued data still comes out
        XCTAssertEqual(h.events, [.data(bytes(0..<3)), .gap(2), .data(bytes(5..<8))])
    }

    func testSegmentFarAheadIsGarbage() {
        var h = Harness()
        h.send(isn, syn: true)
        h.send(isn &+ 1 &+ 0x6000_0000, [1, 2, 3])   // 1.5 GiB ahead
        XCTAssertEqual(h.reassembler.stats.garbageSegments, 1)
        XCTAssertEqual(h.reassembler.bufferedBytes, 0)
        h.send(isn + 1, [7])
        XCTAssertEqual(h.events, [.data([7])])
    }

    // MARK: - Wrap-around

    func testStreamCrossingTheWrapWhileReassembling() {
        let start: UInt32 = UInt32.max - 20           // ISN: data straddles 2^32
        let stream = bytes(0..<100)
        let cuts = [0, 10, 21, 22, 40, 77, 100]
        var h = Harness()
        h.send(start, syn: true)
        // Deliver in reverse order: everything queues across the wrap, then drains.
        for i in (0..<(cuts.count - 1)).reversed() {
            h.send(start &+ 1 &+ UInt32(cuts[i]), Array(stream[cuts[i]..<cuts[i + 1]]))
        }
        h.send(start &+ 101, [], fin: true)
        XCTAssertEqual(h.events, [.data(stream)])
        XCTAssertTrue(h.reassembler.isFinished)
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(start &+ 102))
        XCTAssertEqual(h.reassembler.nextSequence?.rawValue, 81)   // 2^32 - 21 + 102
    }

    func testGapAcrossTheWrap() {
        let start: UInt32 = UInt32.max - 4
        var h = Harness()
        h.send(start, syn: true)
        h.send(start &+ 1, bytes(0..<2))
        h.send(start &+ 11, bytes(10..<12))
        h.ack(start &+ 1 &+ 12)
        XCTAssertEqual(h.events, [.data(bytes(0..<2)), .gap(8), .data(bytes(10..<12))])
    }

    // MARK: - Shared budget

    func testSharedBudgetForcesReleaseAndIsReturnedOnFlush() {
        let budget = ReassemblyBudget(maxBytes: 100)
        var a = Harness(budget: budget)
        var b = Harness(budget: budget)
        a.send(isn, syn: true)
        b.send(isn, syn: true)
        a.send(isn + 11, bytes(10..<90))      // 80 queued
        XCTAssertEqual(budget.usedBytes, 80)
        b.send(isn + 6, bytes(5..<45))        // 40 more: over budget, b releases its own
        XCTAssertEqual(b.events, [.gap(5), .data(bytes(5..<45))])
        XCTAssertEqual(budget.usedBytes, 80)
        XCTAssertEqual(b.reassembler.stats.limitReleases, 1)
        a.flush()
        XCTAssertEqual(budget.usedBytes, 0)
        XCTAssertEqual(budget.peakBytes, 120)
    }

    func testDiscardReturnsBudget() {
        let budget = ReassemblyBudget(maxBytes: 1000)
        var r = HalfStreamReassembler(budget: budget)
        let data = bytes(0..<50)
        data.withUnsafeBytes { r.accept(sequence: 1, syn: false, fin: false, rst: false, payload: $0) { _ in } }
        data.withUnsafeBytes { r.accept(sequence: 100, syn: false, fin: false, rst: false, payload: $0) { _ in } }
        XCTAssertEqual(budget.usedBytes, 50)
        r.discard()
        XCTAssertEqual(budget.usedBytes, 0)
        XCTAssertEqual(r.bufferedBytes, 0)
    }

    func testStatsMergeSumsCountersAndMaxesPeaks() {
        var a = ReassemblyStats(), b = ReassemblyStats()
        a.gaps = 2; a.bufferedBytesPeak = 10; a.deliveredBytes = 5
        b.gaps = 3; b.bufferedBytesPeak = 7; b.deliveredBytes = 1
        a.merge(b)
        XCTAssertEqual(a.gaps, 5)
        XCTAssertEqual(a.deliveredBytes, 6)
        XCTAssertEqual(a.bufferedBytesPeak, 10)
    }
}

/// Two SYNs with different ISNs: the one the peer acknowledges (or whose data comes) starts the stream.
final class SYNRestartTests: XCTestCase {
    func testLatestSYNStartsUntilTheAckSaysOtherwise() {
        var h = Harness()
        h.send(5000, syn: true)
        h.send(3_000_000_000, syn: true)
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(3_000_000_001))
        XCTAssertEqual(h.reassembler.alternativeStart, SequenceNumber(5001))
        h.ack(5001)
        XCTAssertEqual(h.reassembler.nextSequence, SequenceNumber(5001))
        h.send(5001, [1, 2, 3])
        XCTAssertEqual(h.events, [.data([1, 2, 3])])
        XCTAssertEqual(h.reassembler.stats.synRestarts, 2)
        // Delivered: the choice is final.
        h.send(7000, syn: true)
        h.ack(3_000_000_001)
        h.send(5004, [4])
        XCTAssertEqual(h.events, [.data([1, 2, 3, 4])])
        XCTAssertEqual(h.reassembler.stats.gaps, 0)
    }

    func testDataAtTheOtherSYNSwitches() {
        var h = Harness()
        h.send(100, syn: true)
        h.send(900, syn: true)
        h.send(101, [9, 9])
        XCTAssertEqual(h.events, [.data([9, 9])])
        XCTAssertEqual(h.reassembler.stats.gaps, 0)
    }

    func testAckOfTheCurrentSYNSettlesIt() {
        var h = Harness()
        h.send(100, syn: true)
        h.send(900, syn: true)
        h.ack(901)
        XCTAssertNil(h.reassembler.alternativeStart)
        h.send(101, [1])    // stale: 800 bytes behind the live start
        h.send(901, [2])
        XCTAssertEqual(h.events, [.data([2])])
    }

    func testSameISNRetransmittedChangesNothing() {
        var h = Harness()
        h.send(100, [1, 2], syn: true)
        h.send(100, [1, 2], syn: true)
        h.send(103, [3])
        XCTAssertEqual(h.events, [.data([1, 2, 3])])
        XCTAssertNil(h.reassembler.alternativeStart)
        XCTAssertEqual(h.reassembler.stats.synRestarts, 0)
    }
}
