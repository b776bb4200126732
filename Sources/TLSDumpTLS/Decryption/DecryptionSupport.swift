// Small byte helpers shared by the decryption files.

enum ConstantTime {
    /// Equal length and equal bytes, in time that depends only on the lengths:
    /// the comparison of a MAC must not tell where the first difference is.
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

enum HexDecoding {
    /// The value of one ASCII hex digit (either case), or nil.
    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// Bytes of an even-length run of hex digits, or nil when any character is
    /// not a hex digit or the count is odd.
    static func bytes<C: Collection>(_ digits: C) -> [UInt8]? where C.Element == UInt8 {
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var high: UInt8? = nil
        for c in digits {
            guard let v = nibble(c) else { return nil }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }
}

extension UInt64 {
    /// Big-endian bytes, as TLS writes sequence numbers.
    @inline(__always)
    func bigEndianByte(_ index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: self >> (56 - 8 * UInt64(index)))
    }
}
