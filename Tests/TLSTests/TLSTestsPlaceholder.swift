import XCTest

final class TLSTestsPlaceholder: XCTestCase {
    func testPackageBuilds() { XCTAssertEqual(1 + 1, 2) }
}
