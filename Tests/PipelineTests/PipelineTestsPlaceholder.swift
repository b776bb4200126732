import XCTest

final class PipelineTestsPlaceholder: XCTestCase {
    func testPackageBuilds() { XCTAssertEqual(1 + 1, 2) }
}
