import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// `HandshakeDefragmenter` on the real server flight of certreq-initial-tls12
/// (ServerHello, a 1760-byte Certificate, ServerKeyExchange, CertificateRequest,
/// ServerHelloDone), re-cut into records in every way a peer could send it.
final class HandshakeDefragmenterTests: XCTestCase {

    private enum Event: Equatable {
        case message(type: UInt8, body: [UInt8])
        case oversized(type: UInt8, length: Int)
    }

    /// The five messages, headers included, as one byte string.
    private let flight: [UInt8] = splitRecords(Captured.certreqTLS12Server).flatMap(\.body)

    private var expected: [Event] {
        handshakeBodies(ofMessages: flight).map { .message(type: $0.type, body: $0.body) }
    }

    /// Feeds `bytes` as records cut at `cuts`.
    private func run(_ bytes: [UInt8], cutAt cuts: [Int], into defragmenter: inout HandshakeDefragmenter) -> [Event] {
        var events: [Event] = []
        var start = 0
        for end in cuts + [bytes.count] where end > start {
            let record = Array(bytes[start..<end])
            record.withUnsafeBytes { raw in
                defragmenter.begin(raw)
                while let item = defragmenter.next() {
                    switch item {
                    case .message(let m): events.append(.message(type: m.type, body: Array(m.body)))
                    case .oversized(let type, let length): events.append(.oversized(type: type, length: length))
                    }
                }
                defragmenter.end()
            }
            start = end
        }
        return events
    }

    private func run(_ bytes: [UInt8], cutAt cuts: [Int], maxMessageLength: Int = HandshakeDefragmenter.defaultMaxMessageLength) -> [Event] {
        var defragmenter = HandshakeDefragmenter(maxMessageLength: maxMessageLength)
        return run(bytes, cutAt: cuts, into: &defragmenter)
    }

    func testTheCapturedFlightHasFiveMessages() {
        XCTAssertEqual(expected.map { (event: Event) -> UInt8 in if case .message(let t, _) = event { return t } else { return 0 } }, [2, 11, 12, 13, 14])
        XCTAssertEqual(flight.count, 2254 - 5 * 5)
    }

    func testOneRecordPerMessageAsCaptured() {
        var defragmenter = HandshakeDefragmenter()
        var events: [Event] = []
        for record in splitRecords(Captured.certreqTLS12Server) {
            events += run(record.body, cutAt: [], into: &defragmenter)
        }
        XCTAssertEqual(events, expected)
        XCTAssertFalse(defragmenter.hasPartialMessage)
    }

    func testSeveralMessagesInOneRecordAreBorrowed() {
        XCTAssertEqual(run(flight, cutAt: []), expected)
        // Messages inside the record are handed out without a copy.
        var defragmenter = HandshakeDefragmenter()
        flight.withUnsafeBytes { raw in
            defragmenter.begin(raw)
            var offset = 0
            while let item = defragmenter.next() {
                guard case .message(let m) = item else { return XCTFail("unexpected \(item)") }
                XCTAssertEqual(m.body.baseAddress, raw.baseAddress! + offset + 4)
                offset += 4 + m.length
            }
            XCTAssertEqual(offset, flight.count)
            defragmenter.end()
        }
    }

    func testMessagesSpanningTwoRecordsAtEveryCut() {
        let reference = expected
        for cut in 1..<flight.count {
            let events = run(flight, cutAt: [cut])
            if events != reference { XCTFail("cut at \(cut): \(events.count) events"); break }
        }
    }

    func testMessagesSpanningThreeRecords() {
        var rng = SeededGenerator(seed: 3)
        let reference = expected
        for _ in 0..<500 {
            let a = Int.random(in: 1..<flight.count - 1, using: &rng)
            let b = Int.random(in: (a + 1)..<flight.count, using: &rng)
            let events = run(flight, cutAt: [a, b])
            if events != reference { XCTFail("cuts \(a), \(b)"); break }
        }
        // The Certificate (offset 61, 1764 bytes with its header) in three records.
        XCTAssertEqual(run(flight, cutAt: [61, 600, 1200, 1825]), reference)
    }

    func testMessagesSpanningManyRecords() {
        XCTAssertEqual(run(flight, cutAt: Array(1..<flight.count)), expected, "1-byte records")
        XCTAssertEqual(run(flight, cutAt: Array(stride(from: 100, to: flight.count, by: 100))), expected)
        XCTAssertEqual(run(flight, cutAt: Array(stride(from: 3, to: flight.count, by: 3))), expected)
    }

    func testHeaderSplitAcrossRecords() {
        // The Certificate header (4 bytes at offset 61) split 1+3, 2+2, 3+1.
        for split in 62...64 {
            var defragmenter = HandshakeDefragmenter()
            XCTAssertEqual(run(Array(flight[0..<split]), cutAt: [], into: &defragmenter).count, 1)
            XCTAssertTrue(defragmenter.hasPartialMessage)
            XCTAssertEqual(run(Array(flight[split...]), cutAt: [], into: &defragmenter), Array(expected[1...]))
            XCTAssertFalse(defragmenter.hasPartialMessage)
        }
    }

    func testOversizedMessageIsSkippedAndReportedOnce() {
        // With a 1000-byte cap the 1760-byte Certificate is too long; what follows still parses.
        let reference: [Event] = [expected[0], .oversized(type: 11, length: 1760)] + expected[2...]
        XCTAssertEqual(run(flight, cutAt: [], maxMessageLength: 1000), reference)
        XCTAssertEqual(run(flight, cutAt: Array(stride(from: 50, to: flight.count, by: 50)), maxMessageLength: 1000), reference)
        XCTAssertEqual(run(flight, cutAt: Array(1..<flight.count), maxMessageLength: 1000), reference)
        // A message that announces 16 MB, with only part of it present.
        let huge = handshakeMessage(11, []).prefix(1) + [0xff, 0xff, 0xff] + Array(repeating: 0xab, count: 300)
        var defragmenter = HandshakeDefragmenter()
        XCTAssertEqual(run(Array(huge), cutAt: [100], into: &defragmenter), [.oversized(type: 11, length: 0xffffff)])
        XCTAssertTrue(defragmenter.hasPartialMessage, "still skipping")
    }

    func testEmptyMessagesAndMessageAtTheCap() {
        let done = handshakeMessage(14, [])
        let atCap = handshakeMessage(16, Array(repeating: 7, count: 100))
        XCTAssertEqual(run(done + atCap + done, cutAt: [2, 50], maxMessageLength: 100), [
            .message(type: 14, body: []), .message(type: 16, body: Array(repeating: 7, count: 100)), .message(type: 14, body: []),
        ])
        XCTAssertEqual(run(handshakeMessage(16, Array(repeating: 7, count: 101)) + done, cutAt: [], maxMessageLength: 100),
                       [.oversized(type: 16, length: 101), .message(type: 14, body: [])])
    }

    func testResetForgetsThePartialMessage() {
        var defragmenter = HandshakeDefragmenter()
        XCTAssertEqual(run(Array(flight[0..<700]), cutAt: [], into: &defragmenter).count, 1)
        XCTAssertTrue(defragmenter.hasPartialMessage)
        defragmenter.reset()
        XCTAssertFalse(defragmenter.hasPartialMessage)
        // After a gap the next record starts with a fresh message.
        XCTAssertEqual(run(Array(flight[1825...]), cutAt: [], into: &defragmenter), Array(expected[2...]))

        // Reset in the middle of a split header and of an oversized skip.
        var header = HandshakeDefragmenter()
        _ = run(Array(flight[0..<63]), cutAt: [], into: &header)
        header.reset()
        XCTAssertEqual(run(flight, cutAt: [], into: &header), expected)
        var skipping = HandshakeDefragmenter(maxMessageLength: 1000)
        _ = run(Array(flight[0..<700]), cutAt: [], into: &skipping)
        XCTAssertTrue(skipping.hasPartialMessage)
        skipping.reset()
        XCTAssertEqual(run(flight, cutAt: [], into: &skipping).first, expected[0])
    }

    func testRandomRecordsNeverTrap() {
        var rng = SeededGenerator(seed: 0xdef_4a9)
        for _ in 0..<2000 {
            var defragmenter = HandshakeDefragmenter(maxMessageLength: Int.random(in: 0...3000, using: &rng))
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                var record = (0..<Int.random(in: 0...400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if Bool.random(using: &rng), record.count >= 4 { record[1] = 0 }       // lengths that fit sometimes
                if Int.random(in: 0..<8, using: &rng) == 0 { defragmenter.reset() }
                for event in run(record, cutAt: [], into: &defragmenter) {
                    if case .message(_, let body) = event { XCTAssertLessThanOrEqual(body.count, defragmenter.maxMessageLength) }
                    if case .oversized(_, let length) = event { XCTAssertGreaterThan(length, defragmenter.maxMessageLength) }
                }
            }
        }
    }
}

/// Issue 26 item 8: certificate messages up to their own cap, large ones from a shared budget.
final class LargeCertificateDefragmenterTests: XCTestCase {
    private func feed(_ message: [UInt8], into defragmenter: inout HandshakeDefragmenter) -> [(type: UInt8, length: Int, oversized: Bool)] {
        var out: [(UInt8, Int, Bool)] = []
        var offset = 0
        while offset < message.count {
            let end = min(offset + 16384, message.count)
            message[offset..<end].withUnsafeBytes { record in
                defragmenter.begin(record)
                while let item = defragmenter.next() {
                    switch item {
                    case .message(let m): out.append((m.type, m.length, false))
                    case .oversized(let type, let length): out.append((type, length, true))
                    }
                }
                defragmenter.end()
            }
            offset = end
        }
        return out.map { (type: $0.0, length: $0.1, oversized: $0.2) }
    }

    private func message(_ type: UInt8, _ length: Int) -> [UInt8] {
        [type, UInt8(length >> 16), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)] + [UInt8](repeating: 0x5a, count: length)
    }

    func testCertificatesUpToTheirCapOthersToTheirs() {
        let budget = LargeMessageBudget(limit: 4 << 20)
        var d = HandshakeDefragmenter(maxCertificateMessageLength: 1 << 20, budget: budget)
        let certificate = feed(message(11, 300_000) + message(14, 0), into: &d)
        XCTAssertEqual(certificate.map(\.length), [300_000, 0])
        XCTAssertEqual(certificate.map(\.oversized), [false, false])
        XCTAssertEqual(budget.inUse, 0, "released once the message was handed over")
        XCTAssertEqual(feed(message(12, 300_000), into: &d).map(\.oversized), [true], "other messages keep the 256 KiB cap")
        XCTAssertEqual(feed(message(11, (1 << 20) + 1), into: &d).map(\.oversized), [true])
    }

    func testTheSharedBudgetBoundsLargeMessagesInTotal() {
        let budget = LargeMessageBudget(limit: 500_000)
        var first = HandshakeDefragmenter(maxCertificateMessageLength: 1 << 20, budget: budget)
        var second = HandshakeDefragmenter(maxCertificateMessageLength: 1 << 20, budget: budget)
        let big = message(11, 300_000)
        // The first connection holds 300,000 bytes half-way through its message.
        _ = feed(Array(big.prefix(100_000)), into: &first)
        XCTAssertEqual(budget.inUse, 300_000)
        XCTAssertEqual(feed(big, into: &second).map(\.oversized), [true], "no room left: skipped, not buffered")
        first.reset()
        XCTAssertEqual(budget.inUse, 0, "a reset gives it back")
        XCTAssertEqual(feed(big, into: &second).map(\.oversized), [false])
        XCTAssertFalse(budget.reserve(-1))
    }
}
