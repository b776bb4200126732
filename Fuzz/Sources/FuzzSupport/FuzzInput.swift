/// Structure drawn from a fuzzer's bytes: small integers pick choices and
/// sizes, the remainder is payload. Running out of bytes yields zeros, so
/// every input is a valid script (libFuzzer then learns which bytes matter).
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public init(_ data: UnsafePointer<UInt8>?, _ count: Int) {
        self.bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count)
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() -> UInt16 { UInt16(u8()) << 8 | UInt16(u8()) }

    public mutating func u32() -> UInt32 { UInt32(u16()) << 16 | UInt32(u16()) }

    public mutating func bool() -> Bool { u8() & 1 == 1 }

    /// A value in 0..<count (count > 0).
    public mutating func pick(_ count: Int) -> Int { Int(u8()) % count }

    /// Up to `maxCount` bytes (fewer when the input runs out), borrowed.
    public mutating func take(_ maxCount: Int) -> UnsafeRawBufferPointer {
        let n = Swift.max(0, Swift.min(maxCount, remaining))
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }

    /// Everything left, borrowed.
    public mutating func rest() -> UnsafeRawBufferPointer { take(remaining) }
}

/// Stops the fuzzer with a message libFuzzer records as a crash: a broken
/// contract is as much a finding as a trap.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("fuzz invariant: \(message())", file: file, line: line) }
}
