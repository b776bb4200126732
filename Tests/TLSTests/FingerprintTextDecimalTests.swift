import XCTest
@testable import TLSDumpTLS

final class FingerprintTextDecimalTests: XCTestCase {
    /// Decimal digits are written without a String; same text as `String(value)`.
    func testDecimalMatchesStringForBoundaryValues() {
        var values: [UInt32] = [0, 1, 9, 10, 99, 100, 769, 4865, 65535, 65536, UInt32.max, UInt32.max - 1, 999_999_999, 1_000_000_000]
        var generator = SystemRandomNumberGenerator()
        values += (0..<500).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) }
        for value in values {
            var text = FingerprintText()
            text.appendDecimal(value)
            XCTAssertEqual(text.string, String(value))
        }
    }
}
