import XCTest

final class FlowTestsPlaceholder: XCTestCase {
    func testPackageBuilds() { XCTAssertEqual(1 + 1, 2) }
}
