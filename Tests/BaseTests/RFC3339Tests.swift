import XCTest
import TLSDumpBase

final class RFC3339Tests: XCTestCase {
    private func format(_ ns: Int64) -> String { RFC3339.string(Timestamp(nanoseconds: ns)) }

    func testKnownInstants() {
        XCTAssertEqual(format(0), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(RFC3339.string(Timestamp(seconds: 1_324_388_319, microseconds: 141_017)),
                       "2011-12-20T13:38:39.141017Z")
        XCTAssertEqual(format(951_782_400 * 1_000_000_000), "2000-02-29T00:00:00.000000Z")
        XCTAssertEqual(format(1_709_251_199 * 1_000_000_000 + 999_999_999), "2024-02-29T23:59:59.999999Z")
        XCTAssertEqual(format(2_147_483_648 * 1_000_000_000), "2038-01-19T03:14:08.000000Z")
        XCTAssertEqual(format(4_102_444_800 * 1_000_000_000), "2100-01-01T00:00:00.000000Z")
        XCTAssertEqual(format(4_107_456_000 * 1_000_000_000), "2100-02-28T00:00:00.000000Z")
        XCTAssertEqual(format(4_107_542_400 * 1_000_000_000), "2100-03-01T00:00:00.000000Z") // 2100 not leap
    }

    func testFractionIsTruncatedNotRounded() {
        XCTAssertEqual(format(999), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(format(1_999), "1970-01-01T00:00:00.000001Z")
        XCTAssertEqual(format(999_999_999), "1970-01-01T00:00:00.999999Z")
    }

    func testNegativeTimesFloorToEarlierSecond() {
        XCTAssertEqual(format(-1), "1969-12-31T23:59:59.999999Z")
        XCTAssertEqual(format(-1_000_000_000), "1969-12-31T23:59:59.000000Z")
        XCTAssertEqual(format(-1_500_000_000), "1969-12-31T23:59:58.500000Z")
        XCTAssertEqual(format(-86_400 * 1_000_000_000), "1969-12-31T00:00:00.000000Z")
        XCTAssertEqual(format(-2_208_988_800 * 1_000_000_000), "1900-01-01T00:00:00.000000Z")
    }

    func testInt64Extremes() {
        XCTAssertEqual(format(Int64.min), "1677-09-21T00:12:43.145224Z")
        XCTAssertEqual(format(Int64.max), "2262-04-11T23:47:16.854775Z")
    }

    func testDateStringAndClamping() {
        XCTAssertEqual(RFC3339.dateString(epochSeconds: 1_324_388_319), "2011-12-20T13:38:39Z")
        XCTAssertEqual(RFC3339.dateString(epochSeconds: 0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339.dateString(epochSeconds: -1), "1969-12-31T23:59:59Z")
        XCTAssertEqual(RFC3339.dateString(epochSeconds: 253_402_300_799), "9999-12-31T23:59:59Z")
        XCTAssertEqual(RFC3339.dateString(epochSeconds: -62_167_219_200), "0000-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339.dateString(epochSeconds: Int64.max), "9999-12-31T23:59:59Z")
        XCTAssertEqual(RFC3339.dateString(epochSeconds: Int64.min), "0000-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339.dateString(epochSeconds: -62_135_596_800), "0001-01-01T00:00:00Z")
    }

    func testAppendToExistingBuffer() {
        var buffer = Array("t=".utf8)
        RFC3339.append(Timestamp(nanoseconds: 0), to: &buffer)
        RFC3339.append(epochSeconds: 86_400, to: &buffer)
        XCTAssertEqual(String(decoding: buffer, as: UTF8.self), "t=1970-01-01T00:00:00.000000Z1970-01-02T00:00:00Z")
    }

    func testEpochSecondsFromCivil() {
        XCTAssertEqual(RFC3339.epochSeconds(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(RFC3339.epochSeconds(year: 2011, month: 12, day: 20, hour: 13, minute: 38, second: 39), 1_324_388_319)
        XCTAssertEqual(RFC3339.epochSeconds(year: 2000, month: 2, day: 29), 951_782_400)
        XCTAssertEqual(RFC3339.epochSeconds(year: 0, month: 1, day: 1), RFC3339.minEpochSeconds)
        XCTAssertEqual(RFC3339.epochSeconds(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59),
                       RFC3339.maxEpochSeconds)
        XCTAssertNil(RFC3339.epochSeconds(year: 2001, month: 2, day: 29))
        XCTAssertNil(RFC3339.epochSeconds(year: 1900, month: 2, day: 29))
        XCTAssertNil(RFC3339.epochSeconds(year: 2024, month: 4, day: 31))
        XCTAssertNil(RFC3339.epochSeconds(year: 2024, month: 13, day: 1))
        XCTAssertNil(RFC3339.epochSeconds(year: 2024, month: 1, day: 0))
        XCTAssertNil(RFC3339.epochSeconds(year: 2024, month: 1, day: 1, hour: 24))
        XCTAssertNil(RFC3339.epochSeconds(year: 10_000, month: 1, day: 1))
        XCTAssertNil(RFC3339.epochSeconds(year: -1, month: 1, day: 1))
    }

    func testCivilRoundTripEveryDayOverCenturies() {
        // Every day from 1896 to ~2416 (leap rules for 1900, 2000, 2100, 2400): format(parse(date)) == date.
        guard var seconds = RFC3339.epochSeconds(year: 1896, month: 1, day: 1) else { return XCTFail() }
        var previousDay = ""
        for _ in 0..<(520 * 366) {
            let text = RFC3339.dateString(epochSeconds: seconds)
            let y = Int(text.prefix(4)) ?? -1
            let m = Int(text.dropFirst(5).prefix(2)) ?? -1
            let d = Int(text.dropFirst(8).prefix(2)) ?? -1
            guard RFC3339.epochSeconds(year: y, month: m, day: d) == seconds else {
                return XCTFail("round trip failed at \(text)")
            }
            XCTAssertNotEqual(text, previousDay)
            previousDay = text
            seconds += 86_400
        }
    }
}
