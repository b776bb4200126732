/// An IPv4 or IPv6 address as two 64-bit words: cheap to hash and compare.
/// IPv4 addresses live in the low 32 bits of `low` with `isIPv6 == false`.
public struct IPAddress: Sendable, Hashable, Comparable {
    public var high: UInt64
    public var low: UInt64
    public var isIPv6: Bool

    public init(ipv4 value: UInt32) {
        self.high = 0
        self.low = UInt64(value)
        self.isIPv6 = false
    }

    public init(ipv6High high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        self.isIPv6 = true
    }

    /// Reads 4 bytes (IPv4) from `bytes` at `offset`. Caller guarantees bounds.
    @inlinable
    public static func ipv4(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> IPAddress {
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        return IPAddress(ipv4: v)
    }

    /// Reads 16 bytes (IPv6) from `bytes` at `offset`. Caller guarantees bounds.
    @inlinable
    public static func ipv6(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> IPAddress {
        var h: UInt64 = 0
        var l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(bytes[offset + i]) }
        for i in 8..<16 { l = l << 8 | UInt64(bytes[offset + i]) }
        return IPAddress(ipv6High: h, low: l)
    }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6 (used by Community ID).
    public var bytes: [UInt8] {
        if !isIPv6 {
            let v = UInt32(truncatingIfNeeded: low)
            return [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
        }
        var out = [UInt8]()
        out.reserveCapacity(16)
        for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: high >> (UInt64(i) * 8))) }
        for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: low >> (UInt64(i) * 8))) }
        return out
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isIPv6 != b.isIPv6 { return !a.isIPv6 }
        if a.high != b.high { return a.high < b.high }
        return a.low < b.low
    }
}

extension IPAddress: CustomStringConvertible {
    /// Dotted quad for IPv4; RFC 5952 text (longest zero run compressed) for IPv6.
    public var description: String {
        if !isIPv6 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
        }
        var groups = [UInt16]()
        for i in (0..<4).reversed() { groups.append(UInt16(truncatingIfNeeded: high >> (UInt64(i) * 16))) }
        for i in (0..<4).reversed() { groups.append(UInt16(truncatingIfNeeded: low >> (UInt64(i) * 16))) }
        // IPv4-mapped ::ffff:a.b.c.d
        if high == 0 && (low >> 32) == 0xffff {
            let v = UInt32(truncatingIfNeeded: low)
            return "::ffff:\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
        }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ g: UInt16) -> String { String(g, radix: 16) }
        if bestStart < 0 { return groups.map(hex).joined(separator: ":") }
        let head = groups[0..<bestStart].map(hex).joined(separator: ":")
        let tail = groups[(bestStart + bestLen)...].map(hex).joined(separator: ":")
        return head + "::" + tail
    }
}
