/// A fast NDJSON writer: appends UTF-8 to a reused byte buffer, no Foundation.
///
/// Commas are inserted automatically. Each nesting level has one "needs comma"
/// bit (set once the level holds a member); `key` suppresses the comma for the
/// value that follows it. Output is valid JSON for any input, including invalid
/// UTF-8 passed to `string(bytes:)` (replaced by U+FFFD).
///
/// Typical use: `beginObject(); field("a", 1); endObject(); endLine()` per
/// event, hand `withBytes` to the output, then `removeAll()` to reuse the storage.
/// Write one top-level value per line: `endLine()` between records.
///
/// The bytes written are `storage[0..<count]`; the rest is room. A write is a
/// bounds-checked copy into place: `Array.append(contentsOf:)` cost about 90
/// instructions a call whatever the length (callgrind: 2.4 million calls, 9%
/// of a JSON run on 100k handshake-dense packets), and JSON is written a few
/// bytes at a time.
public struct JSONWriter: Sendable {
    private var storage: [UInt8]
    /// Bytes written so far.
    public private(set) var count = 0

    /// A copy of the bytes written (tests, one-off uses); hot paths use `withBytes`.
    public var buffer: [UInt8] { Array(storage[0..<count]) }
    public var isEmpty: Bool { count == 0 }
    /// Bytes the storage holds before it grows.
    public var capacity: Int { storage.count }

    /// The bytes written, borrowed for the duration of `body`.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Current nesting level (0 = top level of the line).
    private var depth = 0
    /// Bit `n` set: level `n` already holds a member, the next one needs a comma.
    private var needsComma: UInt64 = 0
    /// The last thing written was a key, so the next value gets no comma.
    private var afterKey = false

    /// Levels tracked by the bit set. Deeper levels (never produced by tlsdump)
    /// still get correct commas by looking at the previous byte instead.
    private static let trackedDepth = 64

    public init(reservingCapacity: Int = 1 << 16) {
        storage = [UInt8](repeating: 0, count: max(64, reservingCapacity))
    }

    // MARK: Structure

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Emits `"name":` (with a leading comma when needed).
    public mutating func key(_ name: StaticString) {
        let comma = takeComma()
        afterKey = true
        name.withUTF8Buffer { bytes in
            // Keys are identifiers in practice: `,"name":` written in one copy,
            // without the escaping loop; anything else takes the general path.
            if isPlainASCII(bytes) {
                put(bytes, comma: comma, quoted: true, colon: true)
            } else {
                if comma { put(UInt8(ascii: ",")) }
                appendQuoted(bytes, validate: false)
                put(UInt8(ascii: ":"))
            }
        }
    }

    /// A key known only at run time (evidence names, counters by name). A
    /// separate name, because a literal would otherwise pick `String` over
    /// `StaticString` and miss the raw copy above.
    public mutating func dynamicKey(_ name: String) {
        memberPrefix()
        afterKey = true
        appendQuoted(name)
        put(UInt8(ascii: ":"))
    }

    /// Ends one NDJSON record: appends "\n" and resets the nesting state.
    public mutating func endLine() {
        put(UInt8(ascii: "\n"))
        resetState()
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        count = 0
        if !keepingCapacity { storage = [UInt8](repeating: 0, count: 64) }
        resetState()
    }

    // MARK: Values

    public mutating func string(_ value: String) {
        var value = value
        let comma = takeComma()
        // Swift strings are valid UTF-8, so no validation is needed.
        value.withUTF8 { appendQuoted($0, validate: false, comma: comma) }
    }

    /// `nil` is written as `null`.
    public mutating func string(_ value: String?) {
        guard let value else { return null() }
        string(value)
    }

    /// Raw bytes as a JSON string. Valid UTF-8 passes through (escaped as
    /// needed); each maximal invalid subsequence becomes U+FFFD, exactly as
    /// `String(decoding:as: UTF8.self)` would repair it.
    public mutating func string(bytes: UnsafeRawBufferPointer) {
        memberPrefix()
        bytes.withMemoryRebound(to: UInt8.self) { appendQuoted($0, validate: true) }
    }

    /// Lower-case hex of `bytes` as a JSON string (ids, digests, serials).
    public mutating func hex(bytes: UnsafeRawBufferPointer) {
        memberPrefix()
        put(UInt8(ascii: "\""))
        for b in bytes {
            put(hexDigit(b >> 4))
            put(hexDigit(b & 0x0f))
        }
        put(UInt8(ascii: "\""))
    }

    public mutating func hex(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { hex(bytes: $0) }
    }

    public mutating func int(_ value: Int) {
        memberPrefix()
        if value < 0 { put(UInt8(ascii: "-")) }
        appendDigits(UInt64(value.magnitude))
    }

    public mutating func int(_ value: Int?) {
        guard let value else { return null() }
        int(value)
    }

    public mutating func uint64(_ value: UInt64) {
        memberPrefix()
        appendDigits(value)
    }

    /// A decimal with at most `fractionDigits` (0...9) digits after the point,
    /// rounded half away from zero, trailing zeros dropped (`2.50` -> `2.5`,
    /// `2.0` -> `2`). NaN and infinities are not JSON numbers: written as `null`.
    /// Magnitudes of 2^63 and above keep full JSON validity but may use an exponent.
    public mutating func double(_ value: Double, fractionDigits: Int = 3) {
        guard value.isFinite else { return null() }
        memberPrefix()
        let digits = min(max(fractionDigits, 0), 9)
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = value.magnitude * Double(scale)
        // Below 2^53 the rounded value is an exact integer: print it as fixed point.
        if scaled < 9_007_199_254_740_992 {
            let units = roundedHalfAway(scaled)
            if units == 0 { put(UInt8(ascii: "0")); return }   // also -0.0004 -> 0
            if value < 0 { put(UInt8(ascii: "-")) }
            appendDigits(units / scale)
            appendFraction(units % scale, digits: digits)
            return
        }
        // Too large for the requested precision: the fraction is noise anyway.
        if value.magnitude < 9_223_372_036_854_775_808 {
            if value < 0 { put(UInt8(ascii: "-")) }
            appendDigits(roundedHalfAway(value.magnitude))
            return
        }
        // Astronomically large: Swift's shortest form ("1e+20") is still valid JSON.
        var text = value.description
        text.withUTF8 { put($0) }
    }

    public mutating func bool(_ value: Bool) {
        memberPrefix()
        appendLiteral(value ? "true" : "false")
    }

    public mutating func bool(_ value: Bool?) {
        guard let value else { return null() }
        bool(value)
    }

    public mutating func null() {
        memberPrefix()
        appendLiteral("null")
    }

    /// A pre-encoded JSON value (e.g. a constant object), written verbatim.
    /// The caller guarantees it is valid JSON; commas are handled as for any value.
    public mutating func raw(_ bytes: StaticString) {
        memberPrefix()
        bytes.withUTF8Buffer { put($0) }
    }

    /// Pre-encoded JSON bytes (e.g. a table entry rendered once), written verbatim.
    /// The caller guarantees they are one valid JSON value; commas are handled as for any value.
    public mutating func raw(bytes: UnsafeBufferPointer<UInt8>) {
        memberPrefix()
        put(bytes)
    }

    /// `"0x…"`: `value` in lower-case hex, zero-padded to at least `digits` digits
    /// (never truncated), as a JSON string. Same text as `hexNumber(value, digits:)`
    /// without building a String.
    public mutating func hexCode(_ value: UInt64, digits: Int) {
        memberPrefix()
        var significant = 1
        while significant < 16 && value >> UInt64(4 * significant) != 0 { significant += 1 }
        let width = max(significant, min(digits, 64))
        appendLiteral("\"0x")
        for _ in 0..<(width - significant) { put(UInt8(ascii: "0")) }
        var shift = 4 * (significant - 1)
        while shift >= 0 {
            put(hexDigit(UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0x0f))
            shift -= 4
        }
        put(UInt8(ascii: "\""))
    }

    /// `"t"` as an RFC 3339 string with microseconds (see `RFC3339`).
    public mutating func timestamp(_ t: Timestamp) {
        memberPrefix()
        RFC3339.withText(t) { put($0, quoted: true) }
    }

    // MARK: Fields (key + value). A nil value omits the field entirely;
    // use `key(_:)` followed by a value method to write an explicit `null`.

    public mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name); string(value)
    }

    public mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name); int(value)
    }

    public mutating func field(_ name: StaticString, _ value: UInt64?) {
        guard let value else { return }
        key(name); uint64(value)
    }

    public mutating func field(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name); bool(value)
    }

    public mutating func field(_ name: StaticString, _ value: Double?, fractionDigits: Int = 3) {
        guard let value else { return }
        key(name); double(value, fractionDigits: fractionDigits)
    }

    public mutating func field(_ name: StaticString, _ value: Timestamp?) {
        guard let value else { return }
        key(name); timestamp(value)
    }

    public mutating func field(_ name: StaticString, bytes: UnsafeRawBufferPointer) {
        key(name); string(bytes: bytes)
    }

    // MARK: Comma and nesting bookkeeping

    private mutating func resetState() {
        depth = 0
        needsComma = 0
        afterKey = false
    }

    /// Writes the comma before a value or key when the current level needs one,
    /// and marks the level as non-empty.
    @inline(__always)
    private mutating func memberPrefix() {
        if takeComma() { put(UInt8(ascii: ",")) }
    }

    /// `memberPrefix`'s bookkeeping without the write: whether a comma goes
    /// first (callers fuse it with what follows into one copy).
    @inline(__always)
    private mutating func takeComma() -> Bool {
        if afterKey {
            afterKey = false
            return false
        }
        if depth < Self.trackedDepth {
            let bit: UInt64 = 1 << UInt64(depth)
            defer { needsComma |= bit }
            return needsComma & bit != 0
        }
        return count > 0 && !opensValue(storage[count - 1])
    }

    /// Bytes after which a member needs no comma: container starts and a key's colon.
    private func opensValue(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: ":")
    }

    private mutating func open(_ bracket: UInt8) {
        memberPrefix()
        put(bracket)
        depth += 1
        if depth < Self.trackedDepth { needsComma &= ~(1 << UInt64(depth)) }
    }

    private mutating func close(_ bracket: UInt8) {
        // A key left without its value would make the output invalid: give it null.
        if afterKey { null() }
        put(bracket)
        if depth > 0 { depth -= 1 }
    }

    // MARK: Storage

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        if count == storage.count { grow(1) }
        storage[count] = byte
        count += 1
    }

    /// Copies `bytes` into place: after a comma when `comma`, between quotes
    /// when `quoted`, followed by a colon when `colon`; one copy for a whole key.
    @inline(__always)
    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>, comma: Bool = false, quoted: Bool = false, colon: Bool = false) {
        let n = bytes.count
        let total = n + (comma ? 1 : 0) + (quoted ? 2 : 0) + (colon ? 1 : 0)
        if storage.count - count < total { grow(total) }
        let at = count
        storage.withUnsafeMutableBufferPointer { room in
            precondition(at + total <= room.count, "JSONWriter: write past its storage")
            guard let base = room.baseAddress else { return }
            var to = at
            if comma { base[to] = UInt8(ascii: ","); to += 1 }
            if quoted { base[to] = UInt8(ascii: "\""); to += 1 }
            if let source = bytes.baseAddress, n > 0 { (base + to).update(from: source, count: n) }
            to += n
            if quoted { base[to] = UInt8(ascii: "\""); to += 1 }
            if colon { base[to] = UInt8(ascii: ":") }
        }
        count += total
    }

    /// At least `needed` more bytes of room, doubling.
    private mutating func grow(_ needed: Int) {
        storage.append(contentsOf: repeatElement(0, count: max(needed, storage.count)))
    }

    /// Appends a literal without building a temporary array.
    private mutating func appendLiteral(_ text: StaticString) {
        text.withUTF8Buffer { put($0) }
    }

    // MARK: Number formatting

    private mutating func appendDigits(_ value: UInt64) {
        // UInt64.max has 20 digits; fill a stack scratch right to left.
        var v = value
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { scratch in
            var i = scratch.count
            repeat {
                i -= 1
                scratch[i] = UInt8(truncatingIfNeeded: v % 10) &+ UInt8(ascii: "0")
                v /= 10
            } while v != 0 && i > 0
            put(UnsafeBufferPointer(rebasing: scratch[i...]))
        }
    }

    /// `x` (0 <= x < 2^63) rounded half away from zero. Done by hand because
    /// `Double.rounded()` calls libm's `round`, which not every link pulls in.
    private func roundedHalfAway(_ x: Double) -> UInt64 {
        let whole = UInt64(x)                 // truncates
        return x - Double(whole) >= 0.5 ? whole + 1 : whole
    }

    /// ".ddd" for `fraction` (< 10^digits), trailing zeros dropped; nothing if zero.
    private mutating func appendFraction(_ fraction: UInt64, digits: Int) {
        guard fraction != 0 else { return }
        var f = fraction
        var width = digits
        while f % 10 == 0 { f /= 10; width -= 1 }
        put(UInt8(ascii: "."))
        // Leading zeros: width minus the number of digits in f.
        var digitCount = 1
        var probe = f
        while probe >= 10 { probe /= 10; digitCount += 1 }
        for _ in 0..<(width - digitCount) { put(UInt8(ascii: "0")) }
        appendDigits(f)
    }

    // MARK: String escaping

    private mutating func appendQuoted(_ value: String) {
        var value = value
        // Swift strings are valid UTF-8, so no validation is needed.
        value.withUTF8 { appendQuoted($0, validate: false) }
    }

    /// Quotes and escapes per RFC 8259, also escaping U+2028/U+2029 so the
    /// output is safe to embed in JavaScript. With `validate`, invalid UTF-8
    /// becomes U+FFFD; without it the bytes must already be valid UTF-8.
    private mutating func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, validate: Bool, comma: Bool = false) {
        if isPlainASCII(bytes) {
            // Fast path, the common case: nothing to escape or validate.
            put(bytes, comma: comma, quoted: true)
            return
        }
        if comma { put(UInt8(ascii: ",")) }
        let n = bytes.count
        var i = plainASCIIPrefixLength(bytes, from: 0)
        put(UInt8(ascii: "\""))
        var runStart = 0   // start of the pending run copied verbatim
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                // Printable ASCII other than `"` and `\` is skipped by the scan below.
                if b >= 0x20 && b != 0x22 && b != 0x5C { i += 1; continue }
                flush(bytes, from: runStart, to: i)
                appendEscape(b, kind: asciiEscapes[Int(b)])
                i += 1
                runStart = i
                i = plainASCIIPrefixLength(bytes, from: i)
                continue
            }
            let length = validate ? validSequenceLength(bytes, at: i) : utf8SequenceLength(b)
            if length == 0 {
                // Invalid: replace the maximal ill-formed subpart with U+FFFD.
                flush(bytes, from: runStart, to: i)
                appendLiteral("\u{FFFD}")
                i += maximalInvalidSubpartLength(bytes, at: i)
                runStart = i
                i = plainASCIIPrefixLength(bytes, from: min(i, n))
                continue
            }
            // U+2028 / U+2029 are E2 80 A8 / E2 80 A9.
            if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] & 0xFE == 0xA8 {
                flush(bytes, from: runStart, to: i)
                appendLiteral(bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                i += 3
                runStart = i
                i = plainASCIIPrefixLength(bytes, from: min(i, n))
                continue
            }
            i += length
            i = plainASCIIPrefixLength(bytes, from: min(i, n))
        }
        flush(bytes, from: runStart, to: min(i, n))
        put(UInt8(ascii: "\""))
    }

    private mutating func flush(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        if end > start { put(UnsafeBufferPointer(rebasing: bytes[start..<end])) }
    }

    private mutating func appendEscape(_ byte: UInt8, kind: UInt8) {
        put(UInt8(ascii: "\\"))
        if kind == UInt8(ascii: "u") {
            appendLiteral("u00")
            put(hexDigit(byte >> 4))
            put(hexDigit(byte & 0x0f))
        } else {
            put(kind)
        }
    }
}

// MARK: - Tables

/// Lower-case hex digit for a nibble (0...15). Arithmetic rather than a global
/// table: global arrays cost a lazy-initialisation check on every access.
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
}

/// Escape for each ASCII byte (consulted only off the fast path): 0 = copy verbatim, `u` = \u00XX, otherwise the
/// letter after the backslash. DEL (0x7F) is legal in JSON strings and copied.
private let asciiEscapes: [UInt8] = {
    var table = [UInt8](repeating: 0, count: 128)
    for c in 0..<0x20 { table[c] = UInt8(ascii: "u") }
    let short: [(Int, Character)] = [
        (0x08, "b"), (0x09, "t"), (0x0A, "n"), (0x0C, "f"), (0x0D, "r"),
        (0x22, "\""), (0x5C, "\\"),
    ]
    for (byte, letter) in short { table[byte] = letter.asciiValue ?? UInt8(ascii: "u") }
    return table
}()


// MARK: - Scanning for bytes that need attention

/// Whether no byte of `bytes` needs escaping or UTF-8 handling: words of
/// eight, the last one overlapping, so a 12-byte key is two loads.
@inline(__always)
func isPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = bytes.count
    guard let base = bytes.baseAddress else { return true }
    if n >= 8 {
        let raw = UnsafeRawPointer(base)
        var i = 0
        while n - i > 8 {
            if wordNeedsAttention(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return false }
            i += 8
        }
        return !wordNeedsAttention(raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
    }
    for i in 0..<n {
        let b = base[i]
        if b < 0x20 || b >= 0x80 || b == 0x22 || b == 0x5C { return false }
    }
    return true
}

/// Index of the first byte at or after `start` that is not printable ASCII, or is
/// `"` or `\` (i.e. needs escaping or UTF-8 handling); `bytes.count` if none.
/// Eight bytes at a time: strings in events are overwhelmingly plain ASCII.
@inline(__always)
func plainASCIIPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    let n = bytes.count
    var i = start
    if let base = bytes.baseAddress {
        let raw = UnsafeRawPointer(base)
        while n - i >= 8 {
            if wordNeedsAttention(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { break }
            i += 8
        }
    }
    while i < n {
        let b = bytes[i]
        if b < 0x20 || b >= 0x80 || b == 0x22 || b == 0x5C { return i }
        i += 1
    }
    return n
}

/// Whether any of the eight bytes is < 0x20, >= 0x80, `"` or `\`. Exact (no false
/// positives): the classic "has a byte less than n" / "has a zero byte" tests,
/// which may misplace the match but never invent one.
@inline(__always)
private func wordNeedsAttention(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let below20 = (word &- ones &* 0x20) & ~word & highs
    let quoteX = word ^ (ones &* 0x22)
    let quote = (quoteX &- ones) & ~quoteX & highs
    let slashX = word ^ (ones &* 0x5C)
    let slash = (slashX &- ones) & ~slashX & highs
    return (below20 | quote | slash | (word & highs)) != 0
}

// MARK: - UTF-8 validation (Unicode Table 3-7, well-formed byte sequences)

/// Sequence length implied by a lead byte of already-valid UTF-8.
private func utf8SequenceLength(_ lead: UInt8) -> Int {
    lead < 0xE0 ? 2 : (lead < 0xF0 ? 3 : 4)
}

/// Allowed range of the second byte for a lead byte, or nil if the lead byte
/// can never start a sequence (continuation bytes, C0, C1, F5...FF).
/// The narrowed ranges exclude overlong forms, surrogates and > U+10FFFF.
private func secondByteRange(_ lead: UInt8) -> ClosedRange<UInt8>? {
    switch lead {
    case 0xC2...0xDF, 0xE1...0xEC, 0xEE...0xEF, 0xF1...0xF3: return 0x80...0xBF
    case 0xE0: return 0xA0...0xBF
    case 0xED: return 0x80...0x9F
    case 0xF0: return 0x90...0xBF
    case 0xF4: return 0x80...0x8F
    default: return nil
    }
}

/// Length of the well-formed sequence starting at `i` (2...4), or 0 if ill-formed.
private func validSequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
    let lead = bytes[i]
    guard let second = secondByteRange(lead) else { return 0 }
    let length = utf8SequenceLength(lead)
    guard i + length <= bytes.count, second.contains(bytes[i + 1]) else { return 0 }
    for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return 0 }
    return length
}

/// Bytes covered by one U+FFFD: the lead byte plus the continuation bytes that
/// were still valid before the sequence broke (Unicode "maximal subpart"), so
/// the output matches `String(decoding:as: UTF8.self)`.
private func maximalInvalidSubpartLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
    guard let second = secondByteRange(bytes[i]) else { return 1 }
    let length = utf8SequenceLength(bytes[i])
    var consumed = 1
    var allowed = second
    while consumed < length, i + consumed < bytes.count, allowed.contains(bytes[i + consumed]) {
        consumed += 1
        allowed = 0x80...0xBF
    }
    return consumed
}
