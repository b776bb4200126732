import XCTest
@testable import TLSDumpFlow

final class SequenceNumberTests: XCTestCase {
    func testDistanceIsSignedAndWrapSafe() {
        let a = SequenceNumber(UInt32.max - 5)
        let b = SequenceNumber(10)
        XCTAssertEqual(a.distance(to: b), 16)
        XCTAssertEqual(b.distance(to: a), -16)
        XCTAssertEqual(a.distance(to: a), 0)
        XCTAssertEqual(SequenceNumber(0).distance(to: SequenceNumber(0x8000_0000)), Int32.min)
    }

    func testComparisonAcrossWrap() {
        let beforeWrap = SequenceNumber(0xFFFF_FFF0)
        let afterWrap = SequenceNumber(0x0000_0010)
        XCTAssertTrue(beforeWrap < afterWrap)
        XCTAssertFalse(afterWrap < beforeWrap)
        XCTAssertTrue(afterWrap > beforeWrap)
        XCTAssertTrue(beforeWrap <= beforeWrap)
        XCTAssertTrue(afterWrap >= afterWrap)
        XCTAssertFalse(beforeWrap < beforeWrap)
        // Plain ordering in the middle of the space.
        XCTAssertTrue(SequenceNumber(100) < SequenceNumber(200))
        XCTAssertFalse(SequenceNumber(200) < SequenceNumber(100))
        // Exactly 2^31 apart: neither is less (RFC 1982 leaves it undefined).
        let x = SequenceNumber(5), y = SequenceNumber(5 &+ 0x8000_0000)
        XCTAssertFalse(x < y)
        XCTAssertFalse(y < x)
    }

    func testAdvancedWrapsBothWays() {
        XCTAssertEqual(SequenceNumber(UInt32.max).advanced(by: 1), SequenceNumber(0))
        XCTAssertEqual(SequenceNumber(0).advanced(by: -1), SequenceNumber(UInt32.max))
        XCTAssertEqual(SequenceNumber(UInt32.max - 1).advanced(by: 100), SequenceNumber(98))
        XCTAssertEqual(SequenceNumber(7).advanced(by: 1 << 32), SequenceNumber(7))
    }
}
