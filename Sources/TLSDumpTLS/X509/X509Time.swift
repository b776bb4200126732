/// A certificate validity bound: seconds since the Unix epoch plus its RFC 3339
/// UTC text. Computed arithmetically (no Foundation calendars or formatters).
struct X509Time: Sendable, Equatable {
    let epochSeconds: Int64
    let rfc3339: String

    /// Parses a UTCTime (tag 0x17) or GeneralizedTime (tag 0x18) content.
    ///
    /// DER requires `YYMMDDHHMMSSZ` / `YYYYMMDDHHMMSS[.f]Z`; real certificates
    /// also carry the older BER forms, so we accept missing seconds, a fraction,
    /// a `+hhmm`/`-hhmm` offset, and (GeneralizedTime only) a missing zone,
    /// which we read as UTC. UTCTime years 50-99 are 19xx, 00-49 are 20xx
    /// (RFC 5280 4.1.2.5.1).
    static func parse(tag: UInt8, _ bytes: [UInt8], _ range: Range<Int>) -> X509Time? {
        var scanner = X509DigitScanner(bytes: bytes, index: range.lowerBound, end: range.upperBound)
        let year: Int
        switch tag {
        case X509DERTag.utcTime:
            guard let yy = scanner.digits(2) else { return nil }
            year = yy >= 50 ? 1900 + yy : 2000 + yy
        case X509DERTag.generalizedTime:
            guard let yyyy = scanner.digits(4) else { return nil }
            year = yyyy
        default:
            return nil
        }
        guard let month = scanner.digits(2), let day = scanner.digits(2),
              let hour = scanner.digits(2) else { return nil }
        var minute = 0
        var second = 0
        if let m = scanner.digits(2) {
            minute = m
            if let s = scanner.digits(2) { second = s }
        } else if tag == X509DERTag.utcTime {
            return nil // UTCTime always has minutes
        }
        if scanner.peek == UInt8(ascii: ".") || scanner.peek == UInt8(ascii: ",") {
            scanner.index += 1
            // Fraction: read and drop (the event format has whole seconds).
            var fractionDigits = 0
            while scanner.digits(1) != nil { fractionDigits += 1 }
            guard fractionDigits > 0 else { return nil }
        }
        var offsetSeconds = 0
        switch scanner.peek {
        case UInt8(ascii: "Z"):
            scanner.index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = scanner.peek == UInt8(ascii: "-") ? -1 : 1
            scanner.index += 1
            guard let oh = scanner.digits(2), let om = scanner.digits(2), oh <= 23, om <= 59 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        case nil where tag == X509DERTag.generalizedTime:
            break // local time without zone: nothing better than UTC
        default:
            return nil
        }
        guard scanner.index == scanner.end else { return nil }
        guard (1...12).contains(month), day >= 1, day <= X509CivilDate.daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }

        let days = X509CivilDate.daysFromCivil(year: year, month: month, day: day)
        let local = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let epoch = local - Int64(offsetSeconds)
        guard let text = X509CivilDate.rfc3339(epochSeconds: epoch) else { return nil }
        return X509Time(epochSeconds: epoch, rfc3339: text)
    }
}

/// Reads fixed-width ASCII decimal fields.
private struct X509DigitScanner {
    let bytes: [UInt8]
    var index: Int
    let end: Int

    var peek: UInt8? { index < end ? bytes[index] : nil }

    mutating func digits(_ count: Int) -> Int? {
        guard end - index >= count else { return nil }
        var value = 0
        for i in index..<(index + count) {
            let b = bytes[i]
            guard b >= 0x30 && b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        index += count
        return value
    }
}

/// Proleptic Gregorian calendar arithmetic (H. Hinnant's days_from_civil /
/// civil_from_days), valid far beyond the 0000-9999 years X.509 can express.
enum X509CivilDate {
    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, or nil outside years 0000-9999.
    static func rfc3339(epochSeconds: Int64) -> String? {
        // Floor division so times before 1970 land on the right day.
        var days = epochSeconds / 86_400
        var secondOfDay = epochSeconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        guard let dayCount = Int(exactly: days) else { return nil }
        let date = civilFromDays(dayCount)
        guard (0...9999).contains(date.year) else { return nil }
        let s = Int(secondOfDay)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func put(_ value: Int, width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(0x30 + v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        put(date.year, width: 4); out.append(UInt8(ascii: "-"))
        put(date.month, width: 2); out.append(UInt8(ascii: "-"))
        put(date.day, width: 2); out.append(UInt8(ascii: "T"))
        put(s / 3600, width: 2); out.append(UInt8(ascii: ":"))
        put(s / 60 % 60, width: 2); out.append(UInt8(ascii: ":"))
        put(s % 60, width: 2); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
