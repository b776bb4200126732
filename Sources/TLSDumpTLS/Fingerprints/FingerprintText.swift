import Crypto

/// ASCII text built byte by byte: fingerprints are hashed as bytes, so they are
/// assembled as bytes (no Foundation formatting, one buffer per fingerprint).
struct FingerprintText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    var isEmpty: Bool { bytes.isEmpty }
    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }
    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func append(_ other: FingerprintText) { bytes.append(contentsOf: other.bytes) }

    /// Unsigned decimal without leading zeros (JA3 writes every value this way).
    mutating func appendDecimal(_ value: UInt32) {
        // Digits straight into the buffer: no String per value.
        var divisor: UInt32 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Two decimal digits, capped at 99 (JA4 counts).
    mutating func appendTwoDigitCount(_ count: Int) {
        let capped = Swift.min(Swift.max(count, 0), 99)
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: capped / 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: capped % 10))
    }

    /// Four lowercase hex digits (JA4 writes ciphers, extensions, algorithms this way).
    mutating func appendHex4(_ value: UInt16) {
        bytes.append(FingerprintHex.digit(UInt8(truncatingIfNeeded: value >> 12)))
        bytes.append(FingerprintHex.digit(UInt8(truncatingIfNeeded: value >> 8)))
        bytes.append(FingerprintHex.digit(UInt8(truncatingIfNeeded: value >> 4)))
        bytes.append(FingerprintHex.digit(UInt8(truncatingIfNeeded: value)))
    }

    /// `values` joined by `separator`, each written by `write`.
    mutating func appendJoined<Values: Sequence>(_ values: Values, separator: UInt8,
                                                 _ write: (inout FingerprintText, Values.Element) -> Void) {
        var first = true
        for value in values {
            if !first { bytes.append(separator) }
            first = false
            write(&self, value)
        }
    }
}

enum FingerprintHex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The lowercase hex digit of the low nibble of `nibble`.
    static func digit(_ nibble: UInt8) -> UInt8 { digits[Int(nibble & 0x0f)] }

    static func lowercase<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum FingerprintHash {
    /// MD5 in lowercase hex (JA3, JA3S).
    static func md5(_ text: FingerprintText) -> String {
        FingerprintHex.lowercase(Insecure.MD5.hash(data: text.bytes))
    }

    /// The first 12 hex digits of SHA-256; an empty input gives twelve zeros,
    /// as the JA4 reference prints for an empty list.
    static func sha256Prefix12(_ text: FingerprintText) -> String {
        guard !text.isEmpty else { return "000000000000" }
        return FingerprintHex.lowercase(SHA256.hash(data: text.bytes).prefix(6))
    }
}
