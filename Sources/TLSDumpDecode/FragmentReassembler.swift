import TLSDumpBase

/// Identifies one datagram being reassembled (RFC 791 / RFC 8200). IPv6 has
/// no protocol in its key, so `protocolNumber` is 0 there.
struct FragmentKey: Hashable {
    var source: IPAddress
    var destination: IPAddress
    var identification: UInt32
    var protocolNumber: UInt8
}

/// The bytes of one datagram received so far.
struct PendingDatagram {
    var data: [UInt8] = []
    /// Received byte ranges: sorted, disjoint, not touching.
    var received: [Range<Int>] = []
    /// Known once the last fragment (more-fragments clear) has arrived.
    var totalLength: Int?
    /// Upper-layer protocol; for IPv6 it comes from the offset-0 fragment.
    var protocolNumber: UInt8?
    var firstSeen: Timestamp
    var serial: UInt64
    var fragmentCount = 0

    init(firstSeen: Timestamp, serial: UInt64) {
        self.firstSeen = firstSeen
        self.serial = serial
    }

    var receivedEnd: Int { received.last?.upperBound ?? 0 }

    var isComplete: Bool {
        guard let totalLength, received.count == 1 else { return false }
        return received[0] == 0..<totalLength
    }

    /// Copies `bytes` to `offset` where nothing was received yet (first arrival
    /// wins on overlap) and records the range. Returns whether it overlapped.
    /// Caller guarantees `data.count >= offset + bytes.count`.
    mutating func fill(at offset: Int, with bytes: UnsafeRawBufferPointer) -> Bool {
        let end = offset + bytes.count
        guard end > offset else { return false }
        var overlapped = false
        var cursor = offset
        var merged = offset..<end
        var kept: [Range<Int>] = []
        kept.reserveCapacity(received.count + 1)
        for range in received {
            if range.upperBound < offset || range.lowerBound > end {
                kept.append(range)
                continue
            }
            // Touching or overlapping: merge; copy only the gap before it.
            if range.overlaps(offset..<end) {
                overlapped = true
                if range.lowerBound > cursor { copy(bytes, from: cursor, to: range.lowerBound, fragmentOffset: offset) }
                cursor = max(cursor, range.upperBound)
            }
            merged = min(merged.lowerBound, range.lowerBound)..<max(merged.upperBound, range.upperBound)
        }
        if cursor < end { copy(bytes, from: cursor, to: end, fragmentOffset: offset) }
        let insertAt = kept.firstIndex { $0.lowerBound > merged.lowerBound } ?? kept.endIndex
        kept.insert(merged, at: insertAt)
        received = kept
        return overlapped
    }

    private mutating func copy(_ bytes: UnsafeRawBufferPointer, from lower: Int, to upper: Int, fragmentOffset: Int) {
        guard let source = bytes.checkedSlice(from: lower - fragmentOffset, to: upper - fragmentOffset),
              upper <= data.count else { return }
        data.withUnsafeMutableBytes { destination in
            UnsafeMutableRawBufferPointer(rebasing: destination[lower..<upper]).copyMemory(from: source)
        }
    }
}

/// Decoder-owned buffers the reassembled datagrams are copied into, one per
/// tunnel depth so an inner reassembly never overwrites the outer datagram
/// still being read. Allocated on first use; a copied decoder shares them.
final class ReassemblyOutput {
    private var buffers: [UnsafeMutableRawBufferPointer?] = [nil, nil]
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    deinit { for buffer in buffers { buffer?.deallocate() } }

    /// Copies `bytes` into the buffer for `depth`; nil if it does not fit.
    func store(_ bytes: UnsafeRawBufferPointer, depth: Int) -> UnsafeRawBufferPointer? {
        guard depth >= 0, depth < buffers.count, bytes.count <= capacity else { return nil }
        let buffer: UnsafeMutableRawBufferPointer
        if let existing = buffers[depth] {
            buffer = existing
        } else {
            buffer = .allocate(byteCount: max(capacity, 1), alignment: 8)
            buffers[depth] = buffer
        }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count])
        target.copyMemory(from: bytes)
        return UnsafeRawBufferPointer(target)
    }
}

/// Bounded IPv4/IPv6 fragment reassembly. Overlaps keep the bytes that arrived
/// first; timed-out, over-cap and inconsistent datagrams are dropped and counted.
struct FragmentReassembler {
    enum Result {
        case held
        case completed(UnsafeRawBufferPointer, protocolNumber: UInt8)
        case dropped
    }

    let limits: FragmentLimits
    private let output: ReassemblyOutput
    private var pending: [FragmentKey: PendingDatagram] = [:]
    private var nextSerial: UInt64 = 0
    /// Earliest capture time at which some pending datagram expires.
    private var nextExpiry = Int64.max
    private(set) var bytesHeld = 0
    private(set) var droppedFragments = 0
    private(set) var overlappingFragments = 0
    private(set) var completedDatagrams = 0

    init(limits: FragmentLimits) {
        self.limits = limits
        self.output = ReassemblyOutput(capacity: limits.maxBytesPerDatagram)
    }

    var datagramsInFlight: Int { pending.count }

    /// Adds one fragment. `protocolNumber` is the upper-layer protocol if this
    /// fragment knows it (every IPv4 fragment; the offset-0 IPv6 fragment).
    mutating func add(_ key: FragmentKey, offset: Int, isLast: Bool, protocolNumber: UInt8?,
                      bytes: UnsafeRawBufferPointer, now: Timestamp, depth: Int) -> Result {
        expire(now: now)
        let end = offset + bytes.count
        var datagram = pending.removeValue(forKey: key) ?? newDatagram(now: now)

        // Checks that make the whole datagram unusable.
        var consistent = end <= limits.maxBytesPerDatagram
            && datagram.fragmentCount < limits.maxFragmentsPerDatagram
        if isLast {
            if let total = datagram.totalLength, total != end { consistent = false }
            if datagram.receivedEnd > end { consistent = false }
        } else if let total = datagram.totalLength, end > total {
            consistent = false
        }
        guard consistent else { return drop(datagram, plusCurrent: true) }

        let growth = max(0, end - datagram.data.count)
        while bytesHeld + growth > limits.maxTotalBytes, evictOldest() {}
        guard bytesHeld + growth <= limits.maxTotalBytes else { return drop(datagram, plusCurrent: true) }
        if growth > 0 {
            datagram.data.append(contentsOf: repeatElement(0, count: growth))
            bytesHeld += growth
        }

        if datagram.fill(at: offset, with: bytes) { overlappingFragments += 1 }
        datagram.fragmentCount += 1
        if isLast { datagram.totalLength = end }
        if let protocolNumber, offset == 0 || datagram.protocolNumber == nil {
            datagram.protocolNumber = protocolNumber
        }

        guard datagram.isComplete, let total = datagram.totalLength else {
            pending[key] = datagram
            return .held
        }
        bytesHeld -= datagram.data.count
        let stored = datagram.data.withUnsafeBytes { all in
            all.checkedSlice(from: 0, to: total).flatMap { output.store($0, depth: depth) }
        }
        guard let stored, let protocolNumber = datagram.protocolNumber else {
            droppedFragments += datagram.fragmentCount
            return .dropped
        }
        completedDatagrams += 1
        return .completed(stored, protocolNumber: protocolNumber)
    }

    private mutating func newDatagram(now: Timestamp) -> PendingDatagram {
        if pending.count >= limits.maxDatagrams { _ = evictOldest() }
        nextSerial &+= 1
        let deadline = now.nanoseconds.addingReportingOverflow(limits.timeoutNanoseconds)
        nextExpiry = min(nextExpiry, deadline.overflow ? Int64.max : deadline.partialValue)
        return PendingDatagram(firstSeen: now, serial: nextSerial)
    }

    /// Forgets a datagram already removed from `pending`.
    private mutating func drop(_ datagram: PendingDatagram, plusCurrent: Bool) -> Result {
        bytesHeld -= datagram.data.count
        droppedFragments += datagram.fragmentCount + (plusCurrent ? 1 : 0)
        return .dropped
    }

    /// Drops the datagram that started first. Returns false when none is pending.
    private mutating func evictOldest() -> Bool {
        guard let oldest = pending.min(by: { $0.value.serial < $1.value.serial }) else { return false }
        pending.removeValue(forKey: oldest.key)
        _ = drop(oldest.value, plusCurrent: false)
        return true
    }

    /// Drops datagrams older than the timeout; scans only once something can have expired.
    private mutating func expire(now: Timestamp) {
        guard now.nanoseconds > nextExpiry else { return }
        let timeout = limits.timeoutNanoseconds
        var earliest = Int64.max
        for (key, datagram) in pending {
            let deadline = datagram.firstSeen.nanoseconds.addingReportingOverflow(timeout)
            let expiresAt = deadline.overflow ? Int64.max : deadline.partialValue
            if now.nanoseconds > expiresAt {
                pending.removeValue(forKey: key)
                _ = drop(datagram, plusCurrent: false)
            } else {
                earliest = min(earliest, expiresAt)
            }
        }
        nextExpiry = earliest
    }
}
