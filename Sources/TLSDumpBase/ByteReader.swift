/// Why a parser stopped. Kept apart on purpose: `needMoreBytes` means the
/// input is a prefix of something valid (buffer and retry), `malformed`
/// means no amount of further input makes it valid.
public enum ParseError: Error, Sendable, Equatable {
    case needMoreBytes(Int)
    case malformed(String)
}

/// A bounds-checked cursor over bytes. Every read checks the remaining length
/// and throws `ParseError` instead of trapping: input bytes are attacker-controlled.
///
/// It borrows the bytes (no copy); the caller keeps them alive while reading.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    public var offset: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.offset = 0
    }

    @inlinable public var remaining: Int { bytes.count - offset }
    @inlinable public var isAtEnd: Bool { offset >= bytes.count }

    @inlinable
    public mutating func u8() throws(ParseError) -> UInt8 {
        guard remaining >= 1 else { throw .needMoreBytes(1) }
        let v = bytes[offset]
        offset += 1
        return v
    }

    @inlinable
    public mutating func u16() throws(ParseError) -> UInt16 {
        guard remaining >= 2 else { throw .needMoreBytes(2 - remaining) }
        let v = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        offset += 2
        return v
    }

    @inlinable
    public mutating func u24() throws(ParseError) -> Int {
        guard remaining >= 3 else { throw .needMoreBytes(3 - remaining) }
        let v = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
        offset += 3
        return v
    }

    @inlinable
    public mutating func u32() throws(ParseError) -> UInt32 {
        guard remaining >= 4 else { throw .needMoreBytes(4 - remaining) }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    /// Borrows the next `count` bytes without copying.
    @inlinable
    public mutating func slice(_ count: Int) throws(ParseError) -> UnsafeRawBufferPointer {
        guard count >= 0 else { throw .malformed("negative length") }
        guard remaining >= count else { throw .needMoreBytes(count - remaining) }
        let s = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return s
    }

    /// Copies the next `count` bytes.
    @inlinable
    public mutating func array(_ count: Int) throws(ParseError) -> [UInt8] {
        Array(try slice(count))
    }

    @inlinable
    public mutating func skip(_ count: Int) throws(ParseError) {
        _ = try slice(count)
    }

    /// A sub-reader over a length-prefixed vector (1, 2 or 3 byte length).
    /// A length running past the end of the enclosing structure is `malformed`
    /// when `strict`, because the enclosing length is already known to be complete.
    @inlinable
    public mutating func vector(lengthBytes: Int) throws(ParseError) -> ByteReader {
        let n: Int
        switch lengthBytes {
        case 1: n = Int(try u8())
        case 2: n = Int(try u16())
        default: n = try u24()
        }
        guard remaining >= n else { throw .malformed("vector length \(n) exceeds remaining \(remaining)") }
        return ByteReader(try slice(n))
    }
}

extension UnsafeRawBufferPointer {
    /// Lower-case hex of the bytes (for ids, serials, digests).
    public var hexString: String { hexEncode(self) }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

public func hexEncode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// A number as lower-case hex, zero-padded to `digits` ("0x0004" with the prefix):
/// the one spelling of cipher suite codes, versions and the like in every output.
public func hexNumber<T: BinaryInteger>(_ value: T, digits: Int, prefix: Bool = true) -> String {
    let s = String(value, radix: 16)
    return (prefix ? "0x" : "") + String(repeating: "0", count: max(0, digits - s.count)) + s
}
