/// A heap byte buffer with a hard capacity cap, owned by one stream direction.
///
/// Exists so that a record or handshake message that straddles TCP segments
/// can be assembled, and then handed out as a borrowed pointer without Swift
/// array copy-on-write or exclusivity hazards. Storage is released when the
/// buffer empties, so a connection past its handshake holds none.
public final class GrowableBuffer {
    public private(set) var count = 0
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    deinit { storage?.deallocate() }

    /// Appends bytes; returns false (and appends nothing) when the cap would be exceeded.
    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 0 else { return true }
        let needed = count + bytes.count
        guard needed <= limit else { return false }
        if needed > capacity { grow(to: needed) }
        guard let storage, let base = bytes.baseAddress else { return false }
        (storage + count).copyMemory(from: base, byteCount: bytes.count)
        count = needed
        return true
    }

    /// Ensures room for `total` bytes without changing `count` (when the final size is known).
    public func reserve(_ total: Int) {
        if total > capacity && total <= limit { grow(to: total) }
    }

    private func grow(to needed: Int) {
        var newCapacity = Swift.max(capacity * 2, 256)
        while newCapacity < needed { newCapacity *= 2 }
        newCapacity = Swift.min(newCapacity, limit)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        if let storage {
            fresh.copyMemory(from: storage, byteCount: count)
            storage.deallocate()
        }
        storage = fresh
        capacity = newCapacity
    }

    /// The buffered bytes, valid until the next mutation.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage, count: count)
    }

    /// Drops the first `n` bytes (shifting the rest down).
    public func removeFirst(_ n: Int) {
        let n = Swift.min(n, count)
        guard n > 0, let storage else { return }
        let rest = count - n
        if rest > 0 { storage.copyMemory(from: storage + n, byteCount: rest) }
        count = rest
        if count == 0 { release() }
    }

    /// Empties the buffer and gives its memory back.
    public func release() {
        storage?.deallocate()
        storage = nil
        capacity = 0
        count = 0
    }
}
