import TLSDumpBase

/// QUIC variable-length integers (RFC 9000 16): the two high bits of the first
/// byte give the length (1, 2, 4 or 8 bytes), the rest is the value, big-endian.
public enum QUICVarint {
    /// The largest encodable value, 2^62 - 1.
    public static let max: UInt64 = (1 << 62) - 1

    /// The encoded length announced by a first byte.
    @inlinable
    public static func length(firstByte: UInt8) -> Int {
        1 << Int(firstByte >> 6)
    }

    /// Reads the varint at `offset`; nil when the bytes end before it does.
    @inlinable
    public static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (value: UInt64, length: Int)? {
        guard offset >= 0, offset < bytes.count else { return nil }
        let first = bytes[offset]
        let n = length(firstByte: first)
        guard bytes.count - offset >= n else { return nil }
        var value = UInt64(first & 0x3f)
        var i = 1
        while i < n {
            value = value << 8 | UInt64(bytes[offset + i])
            i += 1
        }
        return (value, n)
    }

    /// The shortest encoding of `value`; nil above `max`.
    public static func encode(_ value: UInt64) -> [UInt8]? {
        let n: Int
        let prefix: UInt8
        switch value {
        case 0..<(1 << 6): n = 1; prefix = 0x00
        case (1 << 6)..<(1 << 14): n = 2; prefix = 0x40
        case (1 << 14)..<(1 << 30): n = 4; prefix = 0x80
        case (1 << 30)...max: n = 8; prefix = 0xc0
        default: return nil
        }
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n { out[i] = UInt8(truncatingIfNeeded: value >> (8 * (n - 1 - i))) }
        out[0] |= prefix
        return out
    }
}

extension ByteReader {
    /// Reads a QUIC varint; `needMoreBytes` when the bytes end inside it.
    @inlinable
    public mutating func quicVarint() throws(ParseError) -> UInt64 {
        guard let (value, n) = QUICVarint.read(bytes, at: offset) else {
            guard remaining > 0 else { throw .needMoreBytes(1) }
            throw .needMoreBytes(QUICVarint.length(firstByte: bytes[offset]) - remaining)
        }
        offset += n
        return value
    }

    /// A QUIC varint used as a length: must fit in what remains.
    @inlinable
    public mutating func quicLength() throws(ParseError) -> Int {
        let value = try quicVarint()
        guard value <= UInt64(remaining) else { throw .malformed("length \(value) exceeds remaining \(remaining)") }
        return Int(value)
    }
}
