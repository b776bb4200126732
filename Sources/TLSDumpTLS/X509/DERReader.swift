/// Why a lenient X.509 walk stopped; the message ends up in `CertificateSummary.parseError`.
struct X509ParseFailure: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// One DER TLV, as offsets into the buffer that was walked (no copy).
struct X509DERElement: Sendable {
    /// The first identifier octet (class, constructed bit, tag number when < 31).
    /// High-tag-number forms keep 0x1F in the low bits, so they never equal a
    /// low-numbered tag constant by accident.
    let identifier: UInt8
    let start: Int
    let contentStart: Int
    let end: Int
    /// Content was cut short by the end of the enclosing buffer (only when the
    /// reader was asked to tolerate that, see `X509DERReader.read(allowingTruncation:)`).
    let isTruncated: Bool

    var content: Range<Int> { contentStart..<end }
    var encoded: Range<Int> { start..<end }
    var contentLength: Int { end - contentStart }
}

/// Identifier octets this module needs (universal class unless noted).
enum X509DERTag {
    static let boolean: UInt8 = 0x01
    static let integer: UInt8 = 0x02
    static let bitString: UInt8 = 0x03
    static let octetString: UInt8 = 0x04
    static let null: UInt8 = 0x05
    static let objectIdentifier: UInt8 = 0x06
    static let utf8String: UInt8 = 0x0C
    static let numericString: UInt8 = 0x12
    static let printableString: UInt8 = 0x13
    static let teletexString: UInt8 = 0x14
    static let videotexString: UInt8 = 0x15
    static let ia5String: UInt8 = 0x16
    static let utcTime: UInt8 = 0x17
    static let generalizedTime: UInt8 = 0x18
    static let graphicString: UInt8 = 0x19
    static let visibleString: UInt8 = 0x1A
    static let generalString: UInt8 = 0x1B
    static let universalString: UInt8 = 0x1C
    static let bmpString: UInt8 = 0x1E
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    /// Context-specific constructed [n] (EXPLICIT tagging).
    static func contextConstructed(_ n: UInt8) -> UInt8 { 0xA0 | n }
    /// Context-specific primitive [n] (IMPLICIT tagging of a primitive type).
    static func contextPrimitive(_ n: UInt8) -> UInt8 { 0x80 | n }
}

/// A bounds-checked cursor over DER elements inside `bytes[position..<end]`.
/// Every read checks against the enclosing element's end, never the whole
/// buffer, so a lying inner length cannot reach outside its parent.
struct X509DERReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    /// A reader over the content of `element`, which must come from `bytes`.
    init(bytes: [UInt8], contentOf element: X509DERElement) {
        self.init(bytes: bytes, range: element.content)
    }

    /// A reader over `bytes[range]`; `range` must lie within `bytes`.
    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// The identifier octet of the next element, without consuming it.
    var peekIdentifier: UInt8? { position < end ? bytes[position] : nil }

    /// Reads the next element. With `allowingTruncation`, a length running past
    /// the end is clamped to what is there and reported via `isTruncated`
    /// (used for the outer certificate and TBSCertificate so a cut-off capture
    /// still yields its leading fields).
    mutating func read(allowingTruncation: Bool = false) throws(X509ParseFailure) -> X509DERElement {
        let start = position
        var cursor = position
        guard cursor < end else { throw X509ParseFailure("unexpected end of data") }
        let identifier = bytes[cursor]
        cursor += 1
        if identifier & 0x1F == 0x1F {
            // High tag number: base-128 continuation octets. We never need the
            // number itself, only to skip it safely.
            var octets = 0
            while true {
                guard cursor < end else { throw X509ParseFailure("truncated tag") }
                let b = bytes[cursor]
                cursor += 1
                octets += 1
                guard octets <= 4 else { throw X509ParseFailure("tag number too large") }
                if b & 0x80 == 0 { break }
            }
        }
        guard cursor < end else { throw X509ParseFailure("truncated length") }
        let first = bytes[cursor]
        cursor += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else if first == 0x80 {
            throw X509ParseFailure("indefinite length is not DER")
        } else {
            let count = Int(first & 0x7F)
            guard count <= 8 else { throw X509ParseFailure("length field too long") }
            for _ in 0..<count {
                guard cursor < end else { throw X509ParseFailure("truncated length") }
                // Keep the value well inside Int: anything this large is bogus anyway.
                guard length <= (Int(Int32.max) >> 8) else { throw X509ParseFailure("length too large") }
                length = length << 8 | Int(bytes[cursor])
                cursor += 1
            }
        }
        let available = end - cursor
        var contentEnd = cursor + min(length, available)
        var truncated = false
        if length > available {
            guard allowingTruncation else { throw X509ParseFailure("element length exceeds its container") }
            truncated = true
            contentEnd = end
        }
        position = contentEnd
        return X509DERElement(identifier: identifier, start: start, contentStart: cursor, end: contentEnd, isTruncated: truncated)
    }

    /// Reads the next element and checks its identifier.
    mutating func read(expecting identifier: UInt8, _ what: String, allowingTruncation: Bool = false) throws(X509ParseFailure) -> X509DERElement {
        guard let next = peekIdentifier else { throw X509ParseFailure("missing \(what)") }
        guard next == identifier else { throw X509ParseFailure("unexpected tag 0x\(X509Hex.byte(next)) for \(what)") }
        return try read(allowingTruncation: allowingTruncation)
    }

    /// Reads the next element only if it has the given identifier.
    mutating func readIfPresent(_ identifier: UInt8) throws(X509ParseFailure) -> X509DERElement? {
        guard peekIdentifier == identifier else { return nil }
        return try read()
    }

    func children(of element: X509DERElement) -> X509DERReader {
        X509DERReader(bytes: bytes, contentOf: element)
    }
}

// MARK: - Primitive value helpers

enum X509DERValue {
    /// Dotted-decimal text of an OBJECT IDENTIFIER's content octets, or nil when
    /// malformed (empty, or ends inside an arc). Arcs of any size are handled
    /// (2.25.<UUID> arcs exceed 64 bits).
    static func objectIdentifier(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        guard !range.isEmpty, bytes[range.upperBound - 1] & 0x80 == 0 else { return nil }
        var text = ""
        var arc = X509ArcAccumulator()
        var isFirst = true
        for index in range {
            let b = bytes[index]
            arc.append(b & 0x7F)
            if b & 0x80 != 0 { continue }
            if isFirst {
                // The first subidentifier packs two arcs: 40 * a + b with a in 0...2.
                isFirst = false
                if let small = arc.smallValue {
                    let top = min(small / 40, 2)
                    text = "\(top).\(small - top * 40)"
                } else {
                    text = "2.\(arc.decimalMinus80())"
                }
            } else {
                text += "." + arc.decimal()
            }
            arc = X509ArcAccumulator()
        }
        return text
    }

    /// Whether `objectIdentifier` gives text for this content (non-empty, last octet ends an arc).
    static func isWellFormedOID(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        !range.isEmpty && bytes[range.upperBound - 1] & 0x80 == 0
    }

    /// An INTEGER's content as unsigned big-endian magnitude bit length
    /// (leading zero octets ignored). Used for RSA moduli and DSA/DH primes.
    static func unsignedBitLength(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        var index = range.lowerBound
        while index < range.upperBound && bytes[index] == 0 { index += 1 }
        guard index < range.upperBound else { return 0 }
        let leading = bytes[index]
        let significant = 8 - leading.leadingZeroBitCount
        return (range.upperBound - index - 1) * 8 + significant
    }

    /// A small non-negative INTEGER (certificate version, field degree).
    static func smallInteger(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 4, bytes[range.lowerBound] & 0x80 == 0 else { return nil }
        var value = 0
        for index in range { value = value << 8 | Int(bytes[index]) }
        return value
    }
}

/// Accumulates one OID arc: in a UInt64 while it fits, then as decimal digits.
private struct X509ArcAccumulator {
    private var value: UInt64 = 0
    /// Little-endian decimal digits once `value` would overflow.
    private var digits: [UInt8]? = nil

    mutating func append(_ septet: UInt8) {
        if digits == nil {
            if value <= (UInt64.max >> 7) {
                value = value << 7 | UInt64(septet)
                return
            }
            digits = X509ArcAccumulator.decimalDigits(of: value)
        }
        guard var d = digits else { return }
        var carry = Int(septet)
        for i in d.indices {
            let v = Int(d[i]) * 128 + carry
            d[i] = UInt8(v % 10)
            carry = v / 10
        }
        while carry > 0 { d.append(UInt8(carry % 10)); carry /= 10 }
        digits = d
    }

    var smallValue: Int? {
        guard digits == nil, value <= UInt64(Int.max) else { return nil }
        return Int(value)
    }

    func decimal() -> String {
        guard let d = digits else { return String(value) }
        return String(decoding: d.reversed().map { $0 + 0x30 }, as: UTF8.self)
    }

    /// The second arc of a huge first subidentifier (first arc 2).
    func decimalMinus80() -> String {
        guard var d = digits else { return String(value &- 80) }
        // Subtract 80 from a big little-endian decimal number (> UInt64.max, so no underflow).
        var borrow = 80
        for i in d.indices where borrow > 0 {
            var v = Int(d[i]) - borrow % 10
            borrow /= 10
            if v < 0 { v += 10; borrow += 1 }
            d[i] = UInt8(v)
        }
        while d.count > 1, d.last == 0 { d.removeLast() }
        return String(decoding: d.reversed().map { $0 + 0x30 }, as: UTF8.self)
    }

    private static func decimalDigits(of value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat { out.append(UInt8(v % 10)); v /= 10 } while v > 0
        return out
    }
}

// MARK: - Hex

enum X509Hex {
    private static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func byte(_ b: UInt8) -> String {
        String(decoding: [upperDigits[Int(b >> 4)], upperDigits[Int(b & 0x0F)]], as: UTF8.self)
    }

    /// Hex of `bytes` appended to `out` (no intermediate String).
    static func append<S: Sequence>(_ bytes: S, uppercase: Bool, to out: inout [UInt8]) where S.Element == UInt8 {
        let base = uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")
        for b in bytes {
            let high = b >> 4, low = b & 0x0F
            out.append(high < 10 ? UInt8(ascii: "0") &+ high : base &+ (high &- 10))
            out.append(low < 10 ? UInt8(ascii: "0") &+ low : base &+ (low &- 10))
        }
    }

    static func string<S: Sequence>(_ bytes: S, uppercase: Bool) -> String where S.Element == UInt8 {
        let digits = uppercase ? upperDigits : lowerDigits
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
