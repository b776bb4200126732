import TLSDumpBase

/// Bytes handed to a `RecordStream`, consumed from `offset` onwards.
public struct StreamInput {
    public let bytes: UnsafeRawBufferPointer
    public var offset = 0
    /// True when `bytes` starts at a TCP segment boundary (STARTTLS detection looks there).
    public let startsSegment: Bool

    public init(_ bytes: UnsafeRawBufferPointer, startsSegment: Bool = true) {
        self.bytes = bytes
        self.startsSegment = startsSegment
    }

    public var remaining: Int { bytes.count - offset }
}

/// What a `RecordStream` found in the bytes, one item per `next` call.
public enum RecordStreamItem {
    /// A TLS record. `body` is nil when the body was not wanted (it is skipped
    /// without copying, and the item is delivered as soon as the header is read).
    case record(RecordHeader, body: UnsafeRawBufferPointer?)
    /// An SSLv2-format record (`body` nil when not wanted).
    case sslv2Record(length: Int, body: UnsafeRawBufferPointer?)
    /// The first bytes of this direction are not TLS. Emitted once; the
    /// stream then searches the plaintext for a TLS hello (STARTTLS, proxies):
    /// anywhere in its first `RecordStream.plaintextSearchLimit` bytes, then at segment starts.
    case notTLS
    /// A TLS hello appeared after `skipped` non-TLS bytes (STARTTLS, PostgreSQL,
    /// HTTP CONNECT, SOCKS); `preamble` samples them.
    case startedAfterPlaintext(skipped: Int, preamble: PlaintextPreamble)
    /// No TLS hello in the first `skipped` (= `RecordStream.plaintextSearchLimit`) bytes
    /// of plaintext: from here on only a hello at a segment start is looked for. Emitted once.
    case plaintextOnly(skipped: Int)
    /// An implausible record header inside a TLS stream: sync is lost.
    case lostSync(RecordHeader)
    /// Sync found again after `skipped` bytes (after a gap, a bad header, or a mid-stream pickup).
    case resynchronized(skipped: Int)
    /// A record whose wanted body was cut by a gap; its remainder is skipped and the
    /// record is not reported again.
    case recordCut(RecordHeader)
}

/// Splits one direction of a TCP stream into TLS records.
///
/// Pull-style: the caller feeds a chunk through repeated `next(&input)`
/// calls, and may change `wantedBodies` between calls (a direction turns
/// encrypted at ChangeCipherSpec). Bodies are borrowed straight from the
/// input when a record lies within one chunk; a record that straddles chunks
/// is assembled in a capped buffer. Unwanted bodies are skipped by count, so
/// application data is never copied.
public struct RecordStream {
    public enum Mode: Equatable {
        case detecting      // first bytes not classified yet
        case tls
        case sslv2
        case awaitingTLS    // not TLS so far: search the plaintext for a hello, byte by byte
        case plaintext      // no hello within the search limit: look only at segment starts
        case resync         // scanning for a plausible record header
    }

    // Stored properties are declared widest first, so the struct packs
    // without padding (80 bytes; a connection holds two).
    public private(set) var bytesSkippedWhileScanning = 0
    private var bodyRemaining = 0
    private var scanSkipped = 0
    /// Assembles a wanted body that straddles chunks. Created for such a record
    /// and dropped once it is delivered: most records arrive whole, and an idle
    /// stream then holds no buffer object at all.
    private var bodyBuffer: GrowableBuffer?
    /// The byte-wise search for a hello after plaintext (allocated once a stream turns out not to start with TLS).
    private var scan = OutOfLine<PlaintextScan>()
    // Current record body in progress.
    private var current: RecordHeader?
    /// Bit `1 << contentType` set: deliver that record type's body. Bit 0: SSLv2 record bodies.
    public var wantedBodies: UInt32 = RecordStream.clearHandshakeBodies
    /// The version of the latest record; resync requires it, to avoid locking onto ciphertext.
    public private(set) var recordVersion: UInt16?
    // Partial header accumulated across chunks.
    private var headerBytes: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
    private var headerCount: UInt8 = 0
    public private(set) var mode: Mode = .detecting
    private var currentIsSSLv2 = false
    private var bodyWanted = false
    private var bodyCut = false                 // a gap hit the wanted body: `.recordCut` was its report
    private var releaseBufferOnNext = false

    /// How far into a direction's plaintext a hello is searched for at every byte
    /// (64 KiB: STARTTLS and proxy preambles are far shorter); past it, only at segment starts.
    public static let plaintextSearchLimit = 64 * 1024

    public static let clearHandshakeBodies: UInt32 =
        1 << 0 | 1 << UInt32(ContentType.changeCipherSpec) | 1 << UInt32(ContentType.alert) | 1 << UInt32(ContentType.handshake)

    public init(midstream: Bool = false) {
        if midstream { mode = .resync }
    }

    /// True while inside a record body (used to tell whether a gap is harmless).
    public var isInsideRecord: Bool { current != nil }

    public var isSSLv2Framing: Bool { mode == .sslv2 }

    /// An SSLv2-compatible ClientHello answered with a TLS ServerHello: the client continues in TLS framing.
    public mutating func useTLSFraming() {
        if mode == .sslv2 && current == nil { mode = .tls }
    }

    /// Lets the caller switch an SSLv2 connection's other direction to SSLv2 framing.
    public mutating func useSSLv2Framing() {
        if mode == .detecting || mode == .tls { mode = .sslv2 }
    }

    /// Returns the next item found in `input`, or nil when the chunk is used up.
    public mutating func next(_ input: inout StreamInput) -> RecordStreamItem? {
        if releaseBufferOnNext {
            bodyBuffer = nil
            releaseBufferOnNext = false
        }
        while input.remaining > 0 {
            switch mode {
            case .awaitingTLS:
                if let item = searchPlaintext(&input) { return item }
            case .plaintext:
                if let item = scanForHello(&input) { return item }
            case .resync:
                if let item = scanForHeader(&input) { return item }
            case .detecting, .tls, .sslv2:
                if current != nil {
                    if let item = continueBody(&input) { return item }
                    continue
                }
                if let item = readHeader(&input) { return item }
            }
        }
        return nil
    }

    /// Tells the stream that `count` bytes are missing at this point.
    /// Returns an item to report: `.recordCut` when the gap hit a wanted body, or the
    /// skipped record whose last bytes fell inside the gap.
    public mutating func gap(_ count: Int) -> RecordStreamItem? {
        switch mode {
        case .awaitingTLS:
            // The bytes carried over are no longer followed by their own stream.
            if scan.isAllocated { scan.value.carry.removeAll() }
            return nil
        case .plaintext, .resync:
            return nil
        case .detecting:
            mode = .resync
            headerCount = 0
            return nil
        case .tls, .sslv2:
            var report: RecordStreamItem?
            if let header = current, headerCount == 0 {
                // Each record is reported once: `.recordCut` when a hole hit the body we
                // wanted (no `.record` follows: a nil body would read as ciphertext),
                // else as a skipped record once its end has passed, in the gap or after it.
                report = bodyCut ? nil
                    : bodyWanted ? .recordCut(header)
                    : currentIsSSLv2 ? .sslv2Record(length: header.length, body: nil) : .record(header, body: nil)
                if count < bodyRemaining {
                    bodyRemaining -= count
                    guard bodyWanted else { return nil }
                    // The body we wanted has a hole: drop it, skip the rest.
                    bodyWanted = false
                    bodyCut = true
                    bodyBuffer = nil
                    return report
                }
                let endsAtBoundary = count == bodyRemaining
                current = nil
                bodyBuffer = nil
                bodyWanted = false
                bodyCut = false
                bodyRemaining = 0
                // The gap ends exactly at a record boundary: still in sync.
                if endsAtBoundary { return report }
            }
            headerCount = 0
            current = nil
            mode = .resync
            scanSkipped = 0
            return report
        }
    }

    // MARK: - record framing

    private mutating func readHeader(_ input: inout StreamInput) -> RecordStreamItem? {
        // Fast path: a whole header inside the chunk.
        if headerCount == 0 && input.remaining >= RecordHeader.size {
            let b = input.bytes
            let o = input.offset
            return classify(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], consumed: &input.offset, available: input.remaining)
        }
        // Slow path: gather the header across chunks.
        while Int(headerCount) < headerSizeNeeded {
            guard input.remaining > 0 else { return nil }
            appendHeaderByte(input.bytes[input.offset])
            input.offset += 1
        }
        let h = headerBytes
        var consumed = 0
        let item = classify(h.0, h.1, h.2, h.3, h.4, consumed: &consumed, available: Int(headerCount), alreadyConsumed: true)
        headerCount = 0
        return item
    }

    /// Header bytes to gather: 5, or in SSLv2 framing 2, or 3 when the first byte has
    /// the top bit clear (a header with a padding count).
    private var headerSizeNeeded: Int {
        guard mode == .sslv2 else { return RecordHeader.size }
        return headerCount > 0 && headerBytes.0 & 0x80 == 0 ? 3 : 2
    }

    private mutating func appendHeaderByte(_ byte: UInt8) {
        switch headerCount {
        case 0: headerBytes.0 = byte
        case 1: headerBytes.1 = byte
        case 2: headerBytes.2 = byte
        case 3: headerBytes.3 = byte
        default: headerBytes.4 = byte
        }
        headerCount += 1
    }

    /// Decides what the header bytes are. `consumed` advances past the header
    /// when the bytes come straight from the input (`alreadyConsumed` false).
    private mutating func classify(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8,
                                   consumed: inout Int, available: Int, alreadyConsumed: Bool = false) -> RecordStreamItem? {
        if mode == .sslv2 {
            let twoByte = b0 & 0x80 != 0
            let length = twoByte ? (Int(b0 & 0x7f) << 8 | Int(b1)) : (Int(b0 & 0x3f) << 8 | Int(b1))
            let headerLength = twoByte ? 2 : 3
            if !alreadyConsumed { consumed += headerLength }
            else if available > headerLength {
                // Gathered more header bytes than this SSLv2 header has: impossible by construction.
            }
            return beginBody(RecordHeader(contentType: 0, version: 0x0002, length: length), sslv2: true)
        }
        let header = RecordHeader(contentType: b0, version: UInt16(b1) << 8 | UInt16(b2), length: Int(b3) << 8 | Int(b4))
        if header.isPlausible {
            if !alreadyConsumed { consumed += RecordHeader.size }
            mode = .tls
            // The latest version, not the first: a ClientHello record often says 0x0301
            // and every later record 0x0303.
            recordVersion = header.version
            return beginBody(header, sslv2: false)
        }
        if mode == .detecting {
            if RecordStream.looksLikeSSLv2Hello(b0, b1, b2, b3) {
                mode = .sslv2
                let length = Int(b0 & 0x7f) << 8 | Int(b1)
                if alreadyConsumed {
                    // We swallowed 5 header bytes but the SSLv2 header is 2: the
                    // other 3 belong to the body. Start the body with them.
                    let extraCount = Swift.max(0, Swift.min(3, available - 2, length))
                    let announced = beginBody(RecordHeader(contentType: 0, version: 0x0002, length: length), sslv2: true)
                    if !bodyWanted {
                        bodyRemaining -= extraCount
                        if bodyRemaining <= 0 && current != nil {
                            current = nil
                            bodyRemaining = 0
                            return .sslv2Record(length: length, body: nil)
                        }
                        return announced
                    }
                    let extra: [UInt8] = Array([b2, b3, b4].prefix(extraCount))
                    return extra.withUnsafeBytes { raw in feedBody(raw, mustCopy: true) }
                }
                consumed += 2
                return beginBody(RecordHeader(contentType: 0, version: 0x0002, length: length), sslv2: true)
            }
            mode = .awaitingTLS
            scanSkipped = 0
            if alreadyConsumed {
                // Gathered across chunks: these bytes are plaintext, but a hello may start
                // among them (PostgreSQL's one-byte 'S' before a ServerHello in the next segment).
                let gathered = Array([b0, b1, b2, b3, b4].prefix(Swift.max(0, Swift.min(available, RecordHeader.size))))
                gathered.withUnsafeBytes { scan.value.preamble.append($0) }
                scan.value.carry = gathered
                scanSkipped = gathered.count
                bytesSkippedWhileScanning += gathered.count
            }
            return .notTLS
        }
        // An implausible header in the middle of a TLS stream.
        mode = .resync
        scanSkipped = alreadyConsumed ? available : 0
        return .lostSync(header)
    }

    /// SSLv2 CLIENT-HELLO (type 1) with a version of 0x0002 or 3.x, or SERVER-HELLO (type 4).
    public static func looksLikeSSLv2Hello(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) -> Bool {
        guard b0 & 0x80 != 0 else { return false }
        let length = Int(b0 & 0x7f) << 8 | Int(b1)
        guard length >= 3 else { return false }
        if b2 == 1 { return b3 == 0 || b3 == 3 }
        if b2 == 4 { return length >= 11 }
        return false
    }

    private mutating func beginBody(_ header: RecordHeader, sslv2: Bool) -> RecordStreamItem? {
        let wanted = wantedBodies & (1 << UInt32(sslv2 ? 0 : header.contentType)) != 0
        if header.length == 0 {
            return sslv2 ? .sslv2Record(length: 0, body: wanted ? UnsafeRawBufferPointer(start: nil, count: 0) : nil)
                : .record(header, body: wanted ? UnsafeRawBufferPointer(start: nil, count: 0) : nil)
        }
        current = header
        currentIsSSLv2 = sslv2
        bodyRemaining = header.length
        bodyWanted = wanted
        bodyCut = false
        // An unwanted body is skipped by count; the record is reported once
        // its last byte has passed (a record cut off by the end of the capture
        // was never sent whole, and is not counted).
        return nil
    }

    private mutating func continueBody(_ input: inout StreamInput) -> RecordStreamItem? {
        let take = Swift.min(bodyRemaining, input.remaining)
        let piece = UnsafeRawBufferPointer(rebasing: input.bytes[input.offset..<(input.offset + take)])
        input.offset += take
        if !bodyWanted {
            bodyRemaining -= take
            guard bodyRemaining == 0, let header = current else { return nil }
            current = nil
            if bodyCut {
                bodyCut = false                        // already reported as `.recordCut`
                return nil
            }
            return currentIsSSLv2 ? .sslv2Record(length: header.length, body: nil) : .record(header, body: nil)
        }
        return feedBody(piece)
    }

    /// Adds body bytes of a wanted record; returns the record once complete.
    private mutating func feedBody(_ piece: UnsafeRawBufferPointer, mustCopy: Bool = false) -> RecordStreamItem? {
        guard let header = current else { return nil }
        bodyRemaining -= piece.count
        let body: UnsafeRawBufferPointer
        if bodyRemaining == 0 && bodyBuffer == nil && !mustCopy {
            body = piece                                   // zero copy: whole body in this chunk
        } else {
            let buffer: GrowableBuffer
            if let bodyBuffer {
                buffer = bodyBuffer
            } else {
                // SSLv2 records (2-byte header) may be up to 32767 bytes, more than a TLS record.
                buffer = GrowableBuffer(limit: Swift.max(RecordHeader.maxLength, 0x7fff))
                buffer.reserve(header.length)
                bodyBuffer = buffer
            }
            buffer.append(piece)
            guard bodyRemaining == 0 else { return nil }
            body = buffer.bytes   // `buffer` stays referenced by `bodyBuffer` until the next call
            releaseBufferOnNext = true
        }
        current = nil
        bodyWanted = false
        return currentIsSSLv2 ? .sslv2Record(length: header.length, body: body) : .record(header, body: body)
    }

    // MARK: - scanning

    /// Non-TLS so far: a hello record anywhere (`HelloStart`) switches to TLS, also one that
    /// starts in the last bytes of the previous chunk. Past `plaintextSearchLimit` bytes, gives up
    /// to the segment-start check.
    private mutating func searchPlaintext(_ input: inout StreamInput) -> RecordStreamItem? {
        let b = input.bytes
        let start = input.offset
        let end = b.count
        let window = HelloStart.windowSize
        if scan.isAllocated && !scan.value.carry.isEmpty {
            let carry = scan.value.carry
            let joined = carry + Array(b[start..<Swift.min(end, start + window - 1)])
            let match: Int? = joined.withUnsafeBytes { j in
                (0..<carry.count).first { $0 + window <= j.count && HelloStart.matches(j, at: $0) }
            }
            if let p = match {
                // The hello's first bytes were counted as plaintext: take them back.
                let back = carry.count - p
                scan.value.preamble.dropLast(back)
                scanSkipped -= back
                bytesSkippedWhileScanning -= back
                return startAfterPlaintext(replaying: Array(carry[p...]))
            }
        }
        let budget = Swift.max(0, RecordStream.plaintextSearchLimit - scanSkipped)
        let scanEnd = Swift.min(end, start + budget)
        var i = start
        while i < scanEnd && i + window <= end {
            if b[i] == ContentType.handshake && HelloStart.matches(b, at: i) {
                skipPlaintext(UnsafeRawBufferPointer(rebasing: b[start..<i]))
                input.offset = i
                return startAfterPlaintext(replaying: [])
            }
            i += 1
        }
        skipPlaintext(UnsafeRawBufferPointer(rebasing: b[start..<scanEnd]))
        input.offset = scanEnd
        if scanSkipped >= RecordStream.plaintextSearchLimit {
            mode = .plaintext
            scan.value.carry = []
            return .plaintextOnly(skipped: scanSkipped)
        }
        // Keep the tail: a hello may start in it and end in the next chunk.
        let carry = scan.value.carry
        let tail = scanEnd - start >= window - 1
            ? Array(b[(scanEnd - (window - 1))..<scanEnd])
            : Array((carry + Array(b[start..<scanEnd])).suffix(window - 1))
        scan.value.carry = tail
        return nil
    }

    private mutating func skipPlaintext(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        scan.value.preamble.append(bytes)
        scanSkipped += bytes.count
        bytesSkippedWhileScanning += bytes.count
    }

    /// TLS starts here: `replay` holds its first bytes, carried from the previous chunk.
    private mutating func startAfterPlaintext(replaying replay: [UInt8]) -> RecordStreamItem {
        let preamble = scan.value.preamble
        let skipped = scanSkipped
        scan = OutOfLine()
        scanSkipped = 0
        mode = .tls
        headerCount = 0
        replay.withUnsafeBytes { raw in
            var r = StreamInput(raw, startsSegment: false)
            // A hello record is at least 42 bytes and the replay at most 10: no item can complete here.
            while r.remaining > 0 {
                if current != nil { _ = continueBody(&r) } else { _ = readHeader(&r) }
            }
        }
        return .startedAfterPlaintext(skipped: skipped, preamble: preamble)
    }

    /// Past the search limit: a TLS ClientHello/ServerHello record at a segment start still switches to TLS.
    private mutating func scanForHello(_ input: inout StreamInput) -> RecordStreamItem? {
        let b = input.bytes
        let o = input.offset
        if input.startsSegment && o == 0 && input.remaining >= 6 {
            let header = RecordHeader.read(b, at: o)
            let messageType = b[o + 5]
            if header.contentType == ContentType.handshake && header.isPlausible && (messageType == 1 || messageType == 2) {
                mode = .tls
                let skipped = scanSkipped
                scanSkipped = 0
                let preamble = scan.value.preamble
                scan = OutOfLine()
                return .startedAfterPlaintext(skipped: skipped, preamble: preamble)
            }
        }
        scanSkipped += input.remaining
        bytesSkippedWhileScanning += input.remaining
        input.offset = b.count
        return nil
    }

    /// Record versions only rise after the first record (a ClientHello's record may be
    /// 0x0300/0x0301 while the rest of the stream is 0x0303), so resync accepts the
    /// latest version seen or a higher one up to 0x0303 (which TLS 1.3 records also carry).
    static func resyncAccepts(_ version: UInt16, after latest: UInt16?) -> Bool {
        guard let latest else { return true }
        return version == latest || (version > latest && version <= ProtocolVersion.tls12)
    }

    /// After lost sync: find a plausible header (a record version `resyncAccepts`)
    /// whose record is followed by another plausible header, or ends the chunk.
    private mutating func scanForHeader(_ input: inout StreamInput) -> RecordStreamItem? {
        let b = input.bytes
        var i = input.offset
        let end = b.count
        while i + RecordHeader.size <= end {
            let header = RecordHeader.read(b, at: i)
            if header.isPlausible && RecordStream.resyncAccepts(header.version, after: recordVersion) {
                let nextHeader = i + RecordHeader.size + header.length
                var confirmed = nextHeader + RecordHeader.size > end
                if !confirmed {
                    let follower = RecordHeader.read(b, at: nextHeader)
                    confirmed = follower.isPlausible && follower.version == header.version
                }
                if confirmed {
                    let skipped = scanSkipped + (i - input.offset)
                    bytesSkippedWhileScanning += i - input.offset
                    scanSkipped = 0
                    input.offset = i
                    mode = .tls
                    if recordVersion == nil { recordVersion = header.version }
                    return .resynchronized(skipped: skipped)
                }
            }
            i += 1
        }
        // Keep the tail: a header may start in the last 4 bytes, but we only
        // look inside chunks, so drop them (documented limitation).
        scanSkipped += end - input.offset
        bytesSkippedWhileScanning += end - input.offset
        input.offset = end
        return nil
    }
}
