/// One run of out-of-order bytes, copied out of its packet.
struct QueuedSegment {
    var start: SequenceNumber
    var bytes: [UInt8]
    var end: SequenceNumber { start.advanced(by: bytes.count) }
}

/// What inserting a segment into the queue did.
struct QueueInsertion {
    var newBytes = 0
    var overlapBytes = 0
    var conflictBytes = 0
}

/// Out-of-order segments, sorted by sequence and never overlapping
/// (overlaps are trimmed on insert: first copy wins).
///
/// All positions are taken relative to a `base` (the reassembler's next
/// expected byte) that every queued segment starts at or after, so ordering
/// is plain integer ordering and survives the 2^32 wrap.
///
/// Storage is an ascending array with a moving head: delivery pops from the
/// front in O(1), the common out-of-order pattern (segments after one hole
/// arriving in order) appends at the back in O(1), and a binary search finds
/// the place for anything else.
struct SegmentQueue {
    private var storage: [QueuedSegment] = []
    private var head = 0
    private(set) var byteCount = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }
    var first: QueuedSegment? { isEmpty ? nil : storage[head] }

    mutating func popFirst() -> QueuedSegment? {
        guard !isEmpty else { return nil }
        let segment = storage[head]
        head += 1
        byteCount -= segment.bytes.count
        if head == storage.count {
            // Drained: give the storage back (an idle connection holds none).
            storage.removeAll(keepingCapacity: false)
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)   // amortised: only once half is dead
            head = 0
        }
        return segment
    }

    mutating func removeAll() {
        storage.removeAll(keepingCapacity: false)
        head = 0
        byteCount = 0
    }

    /// Drops every byte at or after `limit` (used when a FIN fixes the end).
    /// Returns how many bytes were dropped.
    mutating func truncate(at limit: SequenceNumber, base: SequenceNumber) -> Int {
        let limitOffset = Int(base.distance(to: limit))
        var dropped = 0
        while !isEmpty, let last = storage.last {
            let startOffset = Int(base.distance(to: last.start))
            let endOffset = startOffset + last.bytes.count
            if endOffset <= limitOffset { break }
            if startOffset >= limitOffset {
                storage.removeLast()
                dropped += last.bytes.count
            } else {
                let keep = limitOffset - startOffset
                storage[storage.count - 1].bytes.removeLast(last.bytes.count - keep)
                dropped += last.bytes.count - keep
            }
        }
        byteCount -= dropped
        if isEmpty { storage.removeAll(keepingCapacity: false); head = 0 }
        return dropped
    }

    /// Queues `bytes` starting `offset` (> 0) bytes after `base`, keeping only
    /// the parts not already queued.
    mutating func insert(_ bytes: UnsafeRawBufferPointer, at start: SequenceNumber,
                         base: SequenceNumber) -> QueueInsertion {
        let s = Int(base.distance(to: start))
        let e = s + bytes.count
        var result = QueueInsertion()
        guard bytes.count > 0 else { return result }

        let first = firstIndex(endingAfter: s, base: base)
        // Common case: lands in a hole without touching anything queued.
        if first == storage.count || Int(base.distance(to: storage[first].start)) >= e {
            storage.insert(QueuedSegment(start: start, bytes: Array(bytes)), at: first)
            byteCount += bytes.count
            result.newBytes = bytes.count
            return result
        }

        // Overlaps: interleave the existing segments (which win) with the new
        // bytes that fill the holes between them.
        var merged: [QueuedSegment] = []
        var cursor = s
        var index = first
        while index < storage.count {
            let queued = storage[index]
            let qs = Int(base.distance(to: queued.start))
            if qs >= e { break }
            let qe = qs + queued.bytes.count
            if qs > cursor {
                merged.append(piece(of: bytes, from: cursor - s, to: qs - s, at: start))
                result.newBytes += qs - cursor
            }
            let os = max(cursor, qs), oe = min(e, qe)
            if oe > os {
                result.overlapBytes += oe - os
                result.conflictBytes += differingBytes(bytes, from: os - s,
                                                       queued.bytes, from: os - qs, count: oe - os)
            }
            merged.append(queued)
            cursor = max(cursor, qe)
            index += 1
        }
        if cursor < e {
            merged.append(piece(of: bytes, from: cursor - s, to: e - s, at: start))
            result.newBytes += e - cursor
        }
        storage.replaceSubrange(first..<index, with: merged)
        byteCount += result.newBytes
        return result
    }

    /// Index (into storage) of the first live segment ending after `offset`.
    private func firstIndex(endingAfter offset: Int, base: SequenceNumber) -> Int {
        var low = head, high = storage.count
        while low < high {
            let mid = (low + high) / 2
            let end = Int(base.distance(to: storage[mid].start)) + storage[mid].bytes.count
            if end > offset { high = mid } else { low = mid + 1 }
        }
        return low
    }

    private func piece(of bytes: UnsafeRawBufferPointer, from: Int, to: Int,
                       at start: SequenceNumber) -> QueuedSegment {
        QueuedSegment(start: start.advanced(by: from),
                      bytes: Array(UnsafeRawBufferPointer(rebasing: bytes[from..<to])))
    }
}

/// How many of `count` bytes differ between the two runs.
func differingBytes(_ a: UnsafeRawBufferPointer, from aStart: Int,
                    _ b: [UInt8], from bStart: Int, count: Int) -> Int {
    var differing = 0
    for i in 0..<count where a[aStart + i] != b[bStart + i] { differing += 1 }
    return differing
}
