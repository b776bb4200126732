import XCTest
import TLSDumpTLS

final class X509SummaryCacheTests: XCTestCase {
    /// Distinct, small "certificates" (malformed DER still gets a summary with its own sha256).
    private func der(_ n: Int) -> [UInt8] { [0x30, 0x02, UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8)] }

    func testHitsReturnTheSameSummaryAsSummarizing() {
        var cache = X509SummaryCache(capacity: 4)
        let first = cache.summary(der: der(1))
        XCTAssertEqual(first, X509Summarizer.summarize(der: der(1)))
        XCTAssertEqual(cache.summary(der: der(1)), first)
        XCTAssertEqual(cache.hits, 1)
        XCTAssertEqual(cache.misses, 1)
        XCTAssertNotEqual(cache.summary(der: der(2)).sha256, first.sha256)
    }

    func testBoundedWithOldestEvictedFirst() {
        var cache = X509SummaryCache(capacity: 3)
        for n in 0..<10 { _ = cache.summary(der: der(n)) }
        XCTAssertEqual(cache.count, 3)
        // 7, 8, 9 stay; 6 was evicted.
        _ = cache.summary(der: der(9))
        XCTAssertEqual(cache.hits, 1)
        _ = cache.summary(der: der(6))
        XCTAssertEqual(cache.misses, 11)
        XCTAssertEqual(cache.count, 3)
    }

    /// A large certificate (over 16 KiB, up to 1 MiB) goes to a few slots of
    /// its own; one over 1 MiB is summarised every time and never kept.
    func testLargeCertificatesGetFewSlotsAndHugeOnesNone() {
        var cache = X509SummaryCache()
        let big = [UInt8](repeating: 0x41, count: X509SummaryCache.maxCachedDERBytes + 1)
        let summary = cache.summary(der: big)
        XCTAssertEqual(summary, X509Summarizer.summarize(der: big))
        XCTAssertEqual(cache.summary(der: big), summary)
        XCTAssertEqual(cache.hits, 1, "the second sight of a large certificate is remembered")
        XCTAssertEqual(cache.count, 0, "the small-certificate slots are untouched")
        // More distinct large ones than slots: the oldest goes.
        for fill in 0..<UInt8(X509SummaryCache.largeSlots) {
            _ = cache.summary(der: [UInt8](repeating: 0x42 + fill, count: X509SummaryCache.maxCachedDERBytes + 1))
        }
        _ = cache.summary(der: big)
        XCTAssertEqual(cache.hits, 1, "pushed out by the later ones")
        let huge = [UInt8](repeating: 0x41, count: X509SummaryCache.maxLargeDERBytes + 1)
        _ = cache.summary(der: huge)
        _ = cache.summary(der: huge)
        XCTAssertEqual(cache.hits, 1, "over 1 MiB: never kept")
        let limit = [UInt8](repeating: 0x41, count: X509SummaryCache.maxCachedDERBytes)
        _ = cache.summary(der: limit)
        _ = cache.summary(der: limit)
        XCTAssertEqual(cache.count, 1)
        XCTAssertEqual(cache.hits, 2)
    }

    func testZeroCapacityCachesNothing() {
        var cache = X509SummaryCache(capacity: 0)
        XCTAssertEqual(cache.summary(der: der(1)), X509Summarizer.summarize(der: der(1)))
        _ = cache.summary(der: der(1))
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.hits, 0)
    }
}
