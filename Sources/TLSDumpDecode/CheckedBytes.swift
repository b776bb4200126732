import TLSDumpBase

/// Bounds-checked big-endian reads for the decode hot path. Each returns nil
/// instead of reading past the buffer: packet bytes are attacker-controlled and
/// `UnsafeRawBufferPointer`'s subscript is only checked in debug builds.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func checkedU8(at index: Int) -> UInt8? {
        guard index >= 0, index < count else { return nil }
        return self[index]
    }

    @inline(__always)
    func checkedU16(at index: Int) -> UInt16? {
        guard index >= 0, index < count &- 1 else { return nil }
        return UInt16(self[index]) << 8 | UInt16(self[index + 1])
    }

    @inline(__always)
    func checkedU32(at index: Int) -> UInt32? {
        guard index >= 0, index < count &- 3 else { return nil }
        return UInt32(self[index]) << 24 | UInt32(self[index + 1]) << 16
            | UInt32(self[index + 2]) << 8 | UInt32(self[index + 3])
    }

    @inline(__always)
    func checkedIPv4Address(at index: Int) -> IPAddress? {
        guard index >= 0, index < count &- 3 else { return nil }
        return IPAddress.ipv4(self, at: index)
    }

    @inline(__always)
    func checkedIPv6Address(at index: Int) -> IPAddress? {
        guard index >= 0, index < count &- 15 else { return nil }
        return IPAddress.ipv6(self, at: index)
    }

    /// Borrows `lower..<upper`, or nil when that is not inside the buffer.
    @inline(__always)
    func checkedSlice(from lower: Int, to upper: Int) -> UnsafeRawBufferPointer? {
        guard lower >= 0, lower <= upper, upper <= count else { return nil }
        return UnsafeRawBufferPointer(rebasing: self[lower..<upper])
    }
}
