import TLSDumpBase

/// Reassembles handshake messages from the bodies of clear handshake records:
/// a record may carry several messages, and a message may span records.
///
/// Pull-style like `RecordStream`: `begin(record)`, then `next()` until nil,
/// then `end()`. Messages wholly inside one record are borrowed without a
/// copy; a message spanning records is assembled in a buffer capped at
/// `maxMessageLength` (a length above it is reported and the message skipped).
public struct HandshakeDefragmenter {
    public enum Item {
        case message(HandshakeMessage)
        /// A message announcing more than the cap: its bytes are skipped.
        case oversized(type: UInt8, length: Int)
    }

    public static let defaultMaxMessageLength = 256 * 1024
    /// Certificate and CompressedCertificate messages are read whole up to 1 MiB (a
    /// certificate with thousands of names), the part over `maxMessageLength` taken
    /// from `budget`.
    public static let defaultMaxCertificateMessageLength = 1024 * 1024

    public let maxMessageLength: Int
    /// The cap of Certificate (11) and CompressedCertificate (25) messages.
    public let maxCertificateMessageLength: Int
    private let budget: LargeMessageBudget?
    /// Bytes of `budget` held for the message in progress.
    private var reserved = 0
    private let buffer: GrowableBuffer
    private var record = UnsafeRawBufferPointer(start: nil, count: 0)
    private var offset = 0
    // A message in progress across records.
    private var pendingType: UInt8 = 0
    private var pendingLength = 0
    private var pendingHeader: [UInt8] = []     // up to 3 bytes of a split 4-byte header
    private var inProgress = false
    private var skipping = 0                   // bytes of an oversized message still to skip
    private var releaseOnNext = false

    /// `maxCertificateMessageLength`: nil, the same cap as every message.
    public init(maxMessageLength: Int = HandshakeDefragmenter.defaultMaxMessageLength, maxCertificateMessageLength: Int? = nil,
                budget: LargeMessageBudget? = nil) {
        self.maxMessageLength = maxMessageLength
        self.maxCertificateMessageLength = max(maxMessageLength, maxCertificateMessageLength ?? maxMessageLength)
        self.budget = budget
        self.buffer = GrowableBuffer(limit: self.maxCertificateMessageLength)
    }

    /// Gives back what the message in progress held of the shared budget.
    private mutating func releaseReservation() {
        if reserved > 0 { budget?.release(reserved) }
        reserved = 0
    }

    /// True when part of a message is waiting for the next record.
    public var hasPartialMessage: Bool { inProgress || !pendingHeader.isEmpty || skipping > 0 }

    /// Forget any partial message (after a gap).
    public mutating func reset() {
        buffer.release()
        releaseReservation()
        pendingHeader.removeAll()
        inProgress = false
        skipping = 0
    }

    public mutating func begin(_ recordBody: UnsafeRawBufferPointer) {
        record = recordBody
        offset = 0
    }

    public mutating func next() -> Item? {
        if releaseOnNext {
            buffer.release()
            releaseReservation()
            releaseOnNext = false
        }
        while offset < record.count {
            if skipping > 0 {
                let n = Swift.min(skipping, record.count - offset)
                skipping -= n
                offset += n
                continue
            }
            if inProgress {
                let need = pendingLength - buffer.count
                let n = Swift.min(need, record.count - offset)
                buffer.append(UnsafeRawBufferPointer(rebasing: record[offset..<(offset + n)]))
                offset += n
                if buffer.count == pendingLength {
                    inProgress = false
                    releaseOnNext = true
                    return .message(HandshakeMessage(type: pendingType, body: buffer.bytes))
                }
                continue
            }
            // Read the 4-byte message header (possibly split across records).
            if pendingHeader.isEmpty && record.count - offset >= 4 {
                let type = record[offset]
                let length = Int(record[offset + 1]) << 16 | Int(record[offset + 2]) << 8 | Int(record[offset + 3])
                offset += 4
                if let item = start(type: type, length: length) { return item }
                continue
            }
            pendingHeader.append(record[offset])
            offset += 1
            if pendingHeader.count == 4 {
                let h = pendingHeader
                pendingHeader.removeAll(keepingCapacity: true)
                if let item = start(type: h[0], length: Int(h[1]) << 16 | Int(h[2]) << 8 | Int(h[3])) { return item }
            }
        }
        return nil
    }

    private mutating func start(type: UInt8, length: Int) -> Item? {
        let isCertificate = type == 11 || type == 25
        if length > (isCertificate ? maxCertificateMessageLength : maxMessageLength) {
            skipping = length
            return .oversized(type: type, length: length)
        }
        if length > maxMessageLength {
            // A large certificate: its bytes come from the budget all connections share.
            if let budget {
                guard budget.reserve(length) else {
                    skipping = length
                    return .oversized(type: type, length: length)
                }
                releaseReservation()
                reserved = length
            }
        }
        let available = record.count - offset
        if available >= length {
            let body = UnsafeRawBufferPointer(rebasing: record[offset..<(offset + length)])
            offset += length
            return .message(HandshakeMessage(type: type, body: body))
        }
        pendingType = type
        pendingLength = length
        inProgress = true
        buffer.reserve(length)
        return nil
    }

    public mutating func end() {
        record = UnsafeRawBufferPointer(start: nil, count: 0)
        offset = 0
    }
}
