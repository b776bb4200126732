@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import XCTest

/// The retry table: a retry starts after the earlier connection went wrong and
/// within the window, from the same client to the same server, name and JA4;
/// each link is made once; the table stays bounded.
final class RetryTableTests: XCTestCase {
    private func key(client: UInt32 = 0xc000_0201, port: UInt16 = 443, sni: String? = "a.test", ja4: String = "t13d1517h2_x_y") -> RetryTable.Key {
        RetryTable.Key(client: IPAddress(ipv4: client), server: Endpoint(ip: IPAddress(ipv4: 0xc633_6407), port: port), sni: sni, ja4: ja4)
    }

    private func at(_ ms: Int64) -> Timestamp { Timestamp(nanoseconds: 1_000_000_000_000 + ms * 1_000_000) }

    func testARetryIsLinkedOnceWithinTheWindow() {
        var table = RetryTable()
        table.remember(key(), .init(flowID: "C1", at: at(100), outcome: .abandoned))
        XCTAssertNil(table.takeRetried(key(), flowID: "C2", start: at(50)), "opened before C1 went wrong: in parallel, no retry")
        XCTAssertNil(table.takeRetried(key(), flowID: "C1", start: at(100)), "not its own retry")
        XCTAssertNil(table.takeRetried(key(sni: "b.test"), flowID: "C3", start: at(150)), "another name")
        XCTAssertNil(table.takeRetried(key(ja4: "t13d0000h2_x_y"), flowID: "C3", start: at(150)), "another hello")
        XCTAssertNil(table.takeRetried(key(client: 0xc000_0202), flowID: "C3", start: at(150)), "another client")
        XCTAssertNil(table.takeRetried(key(port: 8443), flowID: "C3", start: at(150)), "another server port")
        XCTAssertEqual(table.takeRetried(key(), flowID: "C3", start: at(150))?.flowID, "C1")
        XCTAssertNil(table.takeRetried(key(), flowID: "C4", start: at(160)), "the link was taken")
    }

    func testTooLateIsNoRetry() {
        var table = RetryTable()
        table.remember(key(), .init(flowID: "C1", at: at(0), outcome: .failed))
        XCTAssertNil(table.takeRetried(key(), flowID: "C2", start: at(10_001)))
        XCTAssertEqual(table.takeRetried(key(), flowID: "C2", start: at(10_000))?.outcome, .failed)
    }

    func testTheTableStaysBounded() {
        var table = RetryTable()
        for i in 0..<(RetryTable.maxEntries * 3) {
            table.remember(key(client: UInt32(i)), .init(flowID: "C\(i)", at: at(0), outcome: .refused))
        }
        // The newest survives; the table was emptied when full, so the oldest are gone.
        XCTAssertNotNil(table.takeRetried(key(client: UInt32(RetryTable.maxEntries * 3 - 1)), flowID: "X", start: at(1)))
        XCTAssertNil(table.takeRetried(key(client: 0), flowID: "X", start: at(1)))
    }
}
