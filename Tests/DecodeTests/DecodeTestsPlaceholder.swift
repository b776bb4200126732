import XCTest

final class DecodeTestsPlaceholder: XCTestCase {
    func testPackageBuilds() { XCTAssertEqual(1 + 1, 2) }
}
