import XCTest

final class BaseTestsPlaceholder: XCTestCase {
    func testPackageBuilds() { XCTAssertEqual(1 + 1, 2) }
}
