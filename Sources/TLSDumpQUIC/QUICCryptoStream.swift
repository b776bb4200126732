/// Reassembles one CRYPTO stream (one side, one encryption level) from
/// CRYPTO frames that arrive out of order, overlapping or retransmitted, and
/// hands out each byte once, in order (RFC 9000 19.6).
///
/// Memory is bounded: at most `maxBufferedBytes` are held (in-order bytes not
/// yet taken plus out-of-order segments), in at most `maxSegments` pieces;
/// data beyond that, or ending past `maxOffset`, is dropped and counted.
/// Buffers are released when nothing is pending.
public struct QUICCryptoStream: Sendable {
    /// What `add` did with a frame.
    public enum Outcome: Sendable, Equatable {
        /// Some bytes were new (`newBytes` of them; the rest were duplicates).
        case accepted(newBytes: Int)
        /// Every byte had been seen before (or the frame was empty).
        case duplicate
        /// The frame (or its new part) was dropped: beyond `maxOffset`, or the buffer is full.
        case dropped(bytes: Int)
    }

    public let maxBufferedBytes: Int
    public let maxOffset: UInt64
    public let maxSegments: Int

    /// Bytes handed out by `takeContiguous` so far (the stream offset of `ready`).
    public private(set) var deliveredOffset: UInt64 = 0
    /// Frames that contributed at least one new byte.
    public private(set) var framesAccepted = 0
    /// Bytes received again (retransmissions, overlaps).
    public private(set) var duplicateBytes = 0
    /// Bytes dropped by the caps.
    public private(set) var droppedBytes = 0

    /// In-order bytes starting at `deliveredOffset`, not yet taken.
    private var ready: [UInt8] = []
    /// Out-of-order pieces, sorted, disjoint, each starting after `contiguousEnd`.
    private var segments: [Segment] = []
    private var segmentBytes = 0

    private struct Segment: Sendable {
        var start: UInt64
        var bytes: [UInt8]
        var end: UInt64 { start + UInt64(bytes.count) }
    }

    public init(maxBufferedBytes: Int = 64 * 1024, maxOffset: UInt64 = 1 << 20, maxSegments: Int = 1024) {
        self.maxBufferedBytes = max(0, maxBufferedBytes)
        self.maxOffset = min(maxOffset, QUICVarint.max)
        self.maxSegments = max(1, maxSegments)
    }

    /// Bytes held (in order or not) awaiting `takeContiguous`.
    public var bufferedBytes: Int { ready.count + segmentBytes }
    /// The end of the in-order data received so far.
    public var contiguousEnd: UInt64 { deliveredOffset + UInt64(ready.count) }
    /// Whether out-of-order data waits for a gap to fill.
    public var hasGap: Bool { !segments.isEmpty }

    /// Adds a CRYPTO frame's data at `offset`.
    public mutating func add(offset: UInt64, data: UnsafeRawBufferPointer) -> Outcome {
        let count = data.count
        guard count > 0 else { return .duplicate }
        // The frame must end within maxOffset (also rules out UInt64 overflow).
        guard offset <= maxOffset, UInt64(count) <= maxOffset - offset else {
            droppedBytes += count
            return .dropped(bytes: count)
        }
        let end = offset + UInt64(count)
        var newBytes = 0
        var dropped = 0
        var cursor = max(offset, contiguousEnd)
        if cursor > offset { duplicateBytes += Int(min(cursor, end) - offset) }
        // Walk the gaps between existing segments inside [cursor, end).
        var index = segments.firstIndex { $0.end > cursor } ?? segments.count
        while cursor < end {
            let gapEnd = index < segments.count ? min(end, segments[index].start) : end
            if cursor < gapEnd {
                let piece = Int(gapEnd - cursor)
                let from = Int(cursor - offset)
                let room = maxBufferedBytes - bufferedBytes
                if piece <= room && (cursor == contiguousEnd || segments.count < maxSegments) {
                    let bytes = Array(data[from..<(from + piece)])
                    if cursor == contiguousEnd {
                        ready += bytes
                    } else {
                        segments.insert(Segment(start: cursor, bytes: bytes), at: index)
                        segmentBytes += piece
                        index += 1
                    }
                    newBytes += piece
                } else {
                    dropped += piece
                }
                cursor = gapEnd
            }
            guard index < segments.count, cursor < end else { break }
            // Inside an existing segment: duplicates.
            let covered = min(end, segments[index].end) - cursor
            duplicateBytes += Int(covered)
            cursor += covered
            index += 1
        }
        absorbSegments()
        droppedBytes += dropped
        if newBytes > 0 {
            framesAccepted += 1
            return .accepted(newBytes: newBytes)
        }
        return dropped > 0 ? .dropped(bytes: dropped) : .duplicate
    }

    /// Adds data held in an array.
    public mutating func add(offset: UInt64, data: [UInt8]) -> Outcome {
        data.withUnsafeBytes { add(offset: offset, data: $0) }
    }

    /// The in-order bytes not handed out before; nil when there are none.
    public mutating func takeContiguous() -> [UInt8]? {
        guard !ready.isEmpty else { return nil }
        let out = ready
        deliveredOffset += UInt64(out.count)
        ready = []
        if segments.isEmpty { segments = [] }
        return out
    }

    /// Moves segments that now continue the in-order data into `ready`.
    private mutating func absorbSegments() {
        var absorbed = 0
        while absorbed < segments.count && segments[absorbed].start == contiguousEnd {
            ready += segments[absorbed].bytes
            segmentBytes -= segments[absorbed].bytes.count
            absorbed += 1
        }
        if absorbed > 0 {
            segments.removeFirst(absorbed)
            if segments.isEmpty { segments = [] }
        }
    }
}
