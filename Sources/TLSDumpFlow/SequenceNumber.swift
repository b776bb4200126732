/// A TCP sequence number: arithmetic modulo 2^32 (RFC 793, RFC 1982 style).
///
/// Deliberately *not* `Comparable`: serial-number order is not a total order
/// (two numbers exactly 2^31 apart are neither less nor greater than each
/// other), so it must never feed a generic `sort()`. Compare two numbers only
/// when they are known to lie within 2^31 of each other, which the reassembler
/// guarantees by bounding how far ahead of the stream it looks.
public struct SequenceNumber: Hashable, Sendable {
    public var rawValue: UInt32

    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Signed number of bytes from `self` to `other`, wrap-safe:
    /// positive when `other` is ahead. Exactly 2^31 apart reads as `Int32.min`.
    @inlinable
    public func distance(to other: SequenceNumber) -> Int32 {
        Int32(bitPattern: other.rawValue &- rawValue)
    }

    /// The number `n` bytes later (or earlier when negative), modulo 2^32.
    @inlinable
    public func advanced(by n: Int) -> SequenceNumber {
        SequenceNumber(rawValue &+ UInt32(truncatingIfNeeded: n))
    }

    /// RFC 1982 "less than": `b` is ahead of `a` by less than 2^31.
    @inlinable
    public static func < (a: SequenceNumber, b: SequenceNumber) -> Bool { a.distance(to: b) > 0 }
    @inlinable
    public static func > (a: SequenceNumber, b: SequenceNumber) -> Bool { b.distance(to: a) > 0 }
    @inlinable
    public static func <= (a: SequenceNumber, b: SequenceNumber) -> Bool { a == b || a < b }
    @inlinable
    public static func >= (a: SequenceNumber, b: SequenceNumber) -> Bool { a == b || a > b }
}

extension SequenceNumber: CustomStringConvertible {
    public var description: String { String(rawValue) }
}
