/// The plaintext a direction sent before its TLS started: its size, and a
/// sample (its first and last bytes) from which the upgrading protocol is
/// recognised. Capped, whatever the preamble's length.
public struct PlaintextPreamble: Sendable, Equatable {
    /// Bytes kept from the start and from the end of the preamble.
    public static let headLimit = 64
    public static let tailLimit = 128

    public private(set) var head: [UInt8] = []
    /// The last bytes (up to `tailLimit`); overlaps `head` when the preamble is short.
    public private(set) var tail: [UInt8] = []
    /// Bytes in the preamble (the sample may hold fewer).
    public var count = 0

    public init() {}

    public init(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if head.count < PlaintextPreamble.headLimit {
            head.append(contentsOf: bytes.prefix(PlaintextPreamble.headLimit - head.count))
        }
        if bytes.count >= PlaintextPreamble.tailLimit {
            tail = Array(bytes.suffix(PlaintextPreamble.tailLimit))
        } else {
            let overflow = tail.count + bytes.count - PlaintextPreamble.tailLimit
            if overflow > 0 { tail.removeFirst(overflow) }
            tail.append(contentsOf: bytes)
        }
    }

    /// Takes back the last `n` bytes: they turned out to be the start of TLS.
    /// (`n` is at most the scanner's carry, far below `tailLimit`.)
    public mutating func dropLast(_ n: Int) {
        let n = Swift.min(Swift.max(0, n), count)
        guard n > 0 else { return }
        count -= n
        tail.removeLast(Swift.min(n, tail.count))
        if head.count > count { head.removeLast(head.count - count) }
    }
}
