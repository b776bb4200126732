/// RFC 3339 UTC timestamps without Foundation, via Howard Hinnant's
/// civil-from-days / days-from-civil algorithms (proleptic Gregorian calendar).
///
/// `Timestamp` (Int64 nanoseconds) spans 1677-09-21 ... 2262-04-11, so packet
/// times always fit four-digit years. Certificate validity (`epochSeconds`) can
/// be anything; it is clamped to 0000-01-01T00:00:00Z ... 9999-12-31T23:59:59Z.
public enum RFC3339 {
    /// Seconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    public static let minEpochSeconds: Int64 = -62_167_219_200
    public static let maxEpochSeconds: Int64 = 253_402_300_799

    /// Appends `2011-12-20T13:38:39.141017Z`: always six fraction digits
    /// (microseconds, truncated toward the earlier instant, also before 1970).
    public static func append(_ t: Timestamp, to buffer: inout [UInt8]) {
        withText(t) { buffer.append(contentsOf: $0) }
    }

    /// The same 27 bytes, built on the stack and lent to `body`.
    public static func withText<R>(_ t: Timestamp, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var seconds = t.nanoseconds / 1_000_000_000
        var nanos = t.nanoseconds % 1_000_000_000
        if nanos < 0 {   // floor division: -1 ns is 1969-12-31T23:59:59.999999Z
            seconds -= 1
            nanos += 1_000_000_000
        }
        // "YYYY-MM-DDTHH:MM:SS.ffffffZ"
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) { out in
            fillDateTime(seconds, into: out)
            out[19] = UInt8(ascii: ".")
            putDigits(nanos / 1_000, width: 6, endingAt: 26, in: out)
            out[26] = UInt8(ascii: "Z")
            return try body(UnsafeBufferPointer(rebasing: out[0..<27]))
        }
    }

    public static func string(_ t: Timestamp) -> String {
        var buffer = [UInt8]()
        buffer.reserveCapacity(27)
        append(t, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Appends `2011-12-20T13:38:39Z` (no fraction), clamped to years 0000...9999.
    public static func append(epochSeconds: Int64, to buffer: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { out in
            fillDateTime(min(max(epochSeconds, minEpochSeconds), maxEpochSeconds), into: out)
            out[19] = UInt8(ascii: "Z")
            buffer.append(contentsOf: UnsafeMutableBufferPointer(rebasing: out[0..<20]))
        }
    }

    /// `2011-12-20T13:38:39Z`, for certificate validity; clamped to years 0000...9999.
    public static func dateString(epochSeconds: Int64) -> String {
        var buffer = [UInt8]()
        buffer.reserveCapacity(20)
        append(epochSeconds: epochSeconds, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Seconds since the epoch of a UTC civil time (e.g. an X.509 UTCTime or
    /// GeneralizedTime). Returns nil when a field is out of range, including
    /// day 31 of a 30-day month and Feb 29 of a non-leap year. Leap second 60
    /// is accepted and counted as the next second's start, as POSIX time does.
    public static func epochSeconds(year: Int, month: Int, day: Int,
                                    hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int64? {
        guard (0...9999).contains(year), (1...12).contains(month),
              (1...daysInMonth(year: year, month: month)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        return days * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    // MARK: - Internals

    private static let monthLengths: [Int] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    private static func daysInMonth(year: Int, month: Int) -> Int {
        month == 2 && isLeapYear(year) ? 29 : monthLengths[month - 1]
    }

    /// Writes `YYYY-MM-DDTHH:MM:SS` into `out[0..<19]`, for seconds within the
    /// supported range (callers pass Timestamp-derived or clamped values).
    private static func fillDateTime(_ epochSeconds: Int64, into out: UnsafeMutableBufferPointer<UInt8>) {
        var days = epochSeconds / 86_400
        var secondOfDay = epochSeconds % 86_400
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += 86_400
        }
        let (year, month, day) = civilFromDays(days)
        putDigits(year, width: 4, endingAt: 4, in: out)
        out[4] = UInt8(ascii: "-")
        putDigits(month, width: 2, endingAt: 7, in: out)
        out[7] = UInt8(ascii: "-")
        putDigits(day, width: 2, endingAt: 10, in: out)
        out[10] = UInt8(ascii: "T")
        putDigits(secondOfDay / 3_600, width: 2, endingAt: 13, in: out)
        out[13] = UInt8(ascii: ":")
        putDigits(secondOfDay / 60 % 60, width: 2, endingAt: 16, in: out)
        out[16] = UInt8(ascii: ":")
        putDigits(secondOfDay % 60, width: 2, endingAt: 19, in: out)
    }

    /// Non-negative `value` as exactly `width` zero-padded digits ending before
    /// index `end` (excess high digits are dropped; callers guarantee the fit).
    private static func putDigits(_ value: Int64, width: Int, endingAt end: Int,
                                  in out: UnsafeMutableBufferPointer<UInt8>) {
        var v = value
        for i in stride(from: end - 1, through: end - width, by: -1) {
            out[i] = UInt8(truncatingIfNeeded: v % 10) &+ UInt8(ascii: "0")
            v /= 10
        }
    }

    /// Hinnant's civil_from_days: days since 1970-01-01 -> (year, month, day).
    /// Eras are 400-year cycles starting on March 1st, 0000.
    static func civilFromDays(_ daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097                                            // [0, 146096]
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100) // [0, 365]
        let shiftedMonth = (5 * dayOfYear + 2) / 153                                // March = 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Hinnant's days_from_civil: (year, month, day) -> days since 1970-01-01.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400                                               // [0, 399]
        let shiftedMonth = month > 2 ? month - 3 : month + 9                        // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1                      // [0, 365]
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
