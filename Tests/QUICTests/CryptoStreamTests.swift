import XCTest
import TLSDumpQUIC

/// CRYPTO reassembly: order, duplicates, overlaps, caps, offsets near the end of UInt64.
final class CryptoStreamTests: XCTestCase {
    let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    func piece(_ r: Range<Int>) -> [UInt8] { Array(message[r]) }

    func drain(_ s: inout QUICCryptoStream) -> [UInt8] {
        var out: [UInt8] = []
        while let more = s.takeContiguous() { out += more }
        return out
    }

    func testInOrder() {
        var s = QUICCryptoStream()
        XCTAssertEqual(s.add(offset: 0, data: piece(0..<50)), .accepted(newBytes: 50))
        XCTAssertEqual(s.takeContiguous(), piece(0..<50))
        XCTAssertNil(s.takeContiguous(), "each byte is handed out once")
        XCTAssertEqual(s.add(offset: 50, data: piece(50..<200)), .accepted(newBytes: 150))
        XCTAssertEqual(s.takeContiguous(), piece(50..<200))
        XCTAssertEqual(s.deliveredOffset, 200)
        XCTAssertEqual(s.bufferedBytes, 0)
        XCTAssertEqual(s.framesAccepted, 2)
    }

    func testOutOfOrderLikeChromium() {
        // Nine frames in a scrambled order, as in the chromium capture.
        let cuts = [0, 17, 40, 41, 90, 120, 150, 160, 199, 200]
        let order = [4, 0, 7, 2, 8, 1, 6, 3, 5]
        var s = QUICCryptoStream()
        var out: [UInt8] = []
        for i in order {
            _ = s.add(offset: UInt64(cuts[i]), data: piece(cuts[i]..<cuts[i + 1]))
            if let more = s.takeContiguous() {
                out += more
                XCTAssertEqual(UInt64(out.count), s.deliveredOffset)
            }
        }
        XCTAssertEqual(out, message)
        XCTAssertFalse(s.hasGap)
        XCTAssertEqual(s.framesAccepted, 9)
        XCTAssertEqual(s.duplicateBytes, 0)
    }

    func testDuplicatesAndOverlaps() {
        var s = QUICCryptoStream()
        XCTAssertEqual(s.add(offset: 100, data: piece(100..<150)), .accepted(newBytes: 50))
        XCTAssertNil(s.takeContiguous(), "gap before 100")
        XCTAssertTrue(s.hasGap)
        XCTAssertEqual(s.add(offset: 100, data: piece(100..<150)), .duplicate)
        XCTAssertEqual(s.duplicateBytes, 50)
        // Overlaps the segment on both sides: 80..<100 and 150..<170 are new.
        XCTAssertEqual(s.add(offset: 80, data: piece(80..<170)), .accepted(newBytes: 40))
        XCTAssertEqual(s.duplicateBytes, 100)
        XCTAssertEqual(s.add(offset: 0, data: piece(0..<90)), .accepted(newBytes: 80))
        XCTAssertEqual(s.duplicateBytes, 110)
        XCTAssertEqual(s.takeContiguous(), piece(0..<170))
        // Retransmission of delivered data.
        XCTAssertEqual(s.add(offset: 10, data: piece(10..<20)), .duplicate)
        XCTAssertEqual(s.duplicateBytes, 120)
        XCTAssertEqual(s.add(offset: 160, data: piece(160..<200)), .accepted(newBytes: 30))
        XCTAssertEqual(s.takeContiguous(), piece(170..<200))
        XCTAssertEqual(s.add(offset: 5, data: []), .duplicate)
    }

    func testManySmallOverlappingPieces() {
        var s = QUICCryptoStream()
        var out: [UInt8] = []
        // Windows of 7 bytes every 3 bytes, from the back.
        for start in stride(from: 195, through: 0, by: -3) {
            _ = s.add(offset: UInt64(start), data: piece(start..<min(200, start + 7)))
            out += s.takeContiguous() ?? []
        }
        XCTAssertEqual(out, message)
        XCTAssertEqual(s.bufferedBytes, 0)
    }

    func testBufferCap() {
        var s = QUICCryptoStream(maxBufferedBytes: 64)
        XCTAssertEqual(s.add(offset: 10, data: piece(10..<60)), .accepted(newBytes: 50))
        XCTAssertEqual(s.add(offset: 100, data: piece(100..<150)), .dropped(bytes: 50))
        XCTAssertEqual(s.droppedBytes, 50)
        XCTAssertLessThanOrEqual(s.bufferedBytes, 64)
        XCTAssertEqual(s.add(offset: 0, data: piece(0..<10)), .accepted(newBytes: 10))
        XCTAssertEqual(s.takeContiguous(), piece(0..<60))
        XCTAssertEqual(s.bufferedBytes, 0)
        // After taking, room again.
        XCTAssertEqual(s.add(offset: 60, data: piece(60..<120)), .accepted(newBytes: 60))
    }

    func testSegmentCountCap() {
        var s = QUICCryptoStream(maxSegments: 4)
        for i in 0..<6 { _ = s.add(offset: UInt64(10 + 10 * i), data: piece((10 + 10 * i)..<(11 + 10 * i))) }
        XCTAssertEqual(s.bufferedBytes, 4)
        XCTAssertEqual(s.droppedBytes, 2)
    }

    func testOffsetCapsAndOverflow() {
        var s = QUICCryptoStream(maxOffset: 1000)
        XCTAssertEqual(s.add(offset: 990, data: piece(0..<20)), .dropped(bytes: 20))
        XCTAssertEqual(s.add(offset: UInt64.max, data: piece(0..<20)), .dropped(bytes: 20))
        XCTAssertEqual(s.add(offset: UInt64.max - 5, data: piece(0..<20)), .dropped(bytes: 20))
        XCTAssertEqual(s.add(offset: 980, data: piece(0..<20)), .accepted(newBytes: 20))
        XCTAssertEqual(s.droppedBytes, 60)
        var big = QUICCryptoStream(maxOffset: UInt64.max)
        XCTAssertEqual(big.maxOffset, QUICVarint.max)
        XCTAssertEqual(big.add(offset: UInt64.max - 1, data: piece(0..<4)), .dropped(bytes: 4))
        XCTAssertEqual(big.add(offset: QUICVarint.max - 4, data: piece(0..<4)), .accepted(newBytes: 4))
    }
}
