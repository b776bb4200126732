/// A byte string kept inline up to 32 bytes (randoms, session ids: a heap
/// array each would cost more than the bytes), on the heap beyond that.
struct ShortBytes: Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var longBytes: [UInt8]?
    let count: Int

    static let inlineCapacity = 32

    init(_ bytes: [UInt8]) {
        count = bytes.count
        guard bytes.count <= ShortBytes.inlineCapacity else {
            longBytes = bytes
            return
        }
        var packed: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &packed) { destination in
            bytes.withUnsafeBytes { source in destination.copyMemory(from: source) }
        }
        words = packed
    }

    var isEmpty: Bool { count == 0 }

    var bytes: [UInt8] {
        if let longBytes { return longBytes }
        return withUnsafeBytes(of: words) { raw in Array(raw.prefix(count)) }
    }

    static func == (a: ShortBytes, b: ShortBytes) -> Bool { a.bytes == b.bytes }

    /// Equal to `other` without building an array for the inline case.
    func equals(_ other: [UInt8]) -> Bool {
        if let longBytes { return longBytes == other }
        guard other.count == count else { return false }
        return withUnsafeBytes(of: words) { raw in raw.prefix(count).elementsEqual(other) }
    }
}

