import TLSDumpTLS

/// A small deterministic generator (xorshift64*), so one seed in the input
/// stands for a whole chunking without spending fuzzer bytes on each cut.
public struct ScriptRandom {
    private var state: UInt64
    public init(seed: UInt32) { state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1 }
    public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Options of one record-layer run, decoded from the input's first bytes.
public struct RecordScript {
    public var midstream: Bool
    public var startInSSLv2: Bool
    /// Largest chunk handed over at once (1 ... 4096).
    public var maxChunk: Int
    /// One chunk in `gapOdds` is followed by a gap (0: never).
    public var gapOdds: Int
    /// Stop wanting handshake bodies after a ChangeCipherSpec (as a direction turning encrypted).
    public var encryptAfterCCS: Bool
    public var maxMessageLength: Int
    public var seed: UInt32

    public init(_ input: inout FuzzInput) {
        let options = input.u8()
        midstream = options & 1 != 0
        startInSSLv2 = options & 2 != 0
        encryptAfterCCS = options & 4 != 0
        gapOdds = options & 8 != 0 ? 2 + Int(options >> 5) : 0
        maxChunk = [1, 3, 7, 64, 512, 1500, 4096, 16384][Int(input.u8() & 7)]
        maxMessageLength = input.bool() ? 300 : HandshakeDefragmenter.defaultMaxMessageLength
        seed = input.u32()
    }
}

/// Feeds `stream` to a `RecordStream` in the chunks the script picks, hands
/// each complete clear record to the handshake defragmenter and every
/// message to its parser, and checks the record layer's contract: bodies
/// are exactly as long as their header says and each call makes progress.
public func exerciseRecordStream(_ stream: UnsafeRawBufferPointer, script: RecordScript) -> Int {
    var random = ScriptRandom(seed: script.seed)
    var records = RecordStream(midstream: script.midstream)
    if script.startInSSLv2 { records.useSSLv2Framing() }
    var defragmenter = HandshakeDefragmenter(maxMessageLength: script.maxMessageLength)
    var used = 0
    var offset = 0
    var startsSegment = true

    func handle(_ item: RecordStreamItem) {
        switch item {
        case .record(let header, let body):
            fuzzCheck(header.length <= RecordHeader.maxLength, "record of \(header.length) bytes delivered")
            guard let body else { return }
            fuzzCheck(body.count == header.length, "body \(body.count) for header length \(header.length)")
            for b in body { used &+= Int(b) }
            switch header.contentType {
            case ContentType.handshake:
                defragmenter.begin(body)
                while let message = defragmenter.next() {
                    if case .message(let m) = message {
                        used &+= exerciseHandshakeMessage(type: m.type, body: m.body, variant: UInt8(truncatingIfNeeded: used))
                    }
                }
                defragmenter.end()
            case ContentType.changeCipherSpec where script.encryptAfterCCS:
                records.wantedBodies = 1 << UInt32(ContentType.alert)
            case ContentType.alert:
                used &+= (try? Alert.parse(body))?.isFatal == true ? 1 : 0
            default:
                break
            }
        case .sslv2Record(let length, let body):
            guard let body else { return }
            fuzzCheck(body.count == length, "SSLv2 body \(body.count) for length \(length)")
            used &+= exerciseSSLv2Record(body)
        case .recordCut, .lostSync, .resynchronized, .notTLS, .startedAfterPlaintext, .plaintextOnly:
            defragmenter.reset()
        }
    }

    while offset < stream.count {
        let size = Swift.min(1 + random.below(script.maxChunk), stream.count - offset)
        // An exact-size copy: ASan catches reads past the chunk.
        let chunk = [UInt8](UnsafeRawBufferPointer(rebasing: stream[offset..<(offset + size)]))
        offset += size
        chunk.withUnsafeBytes { bytes in
            var input = StreamInput(bytes, startsSegment: startsSegment)
            var calls = 0
            while let item = records.next(&input) {
                calls += 1
                fuzzCheck(calls <= 2 * bytes.count + 4, "RecordStream.next made no progress")
                handle(item)
            }
            fuzzCheck(input.remaining == 0, "RecordStream left \(input.remaining) bytes of a chunk")
        }
        startsSegment = random.below(3) != 0
        if script.gapOdds > 0 && random.below(script.gapOdds) == 0 {
            defragmenter.reset()
            if let item = records.gap(1 + random.below(3000)) { handle(item) }
        }
        if random.below(16) == 0 { records.useTLSFraming() }
    }
    return used
}

/// SSLv2 record bodies: CLIENT-HELLO, SERVER-HELLO or CLIENT-MASTER-KEY by their first byte.
public func exerciseSSLv2Record(_ body: UnsafeRawBufferPointer) -> Int {
    var used = 0
    if let hello = try? ClientHello.parseSSLv2(body) {
        used &+= Fingerprints.ja3(hello).hash.utf8.count &+ Fingerprints.ja4(hello).utf8.count
        used &+= Int(hello.highestVersion)
    }
    if let hello = try? ServerHello.parseSSLv2(body) {
        used &+= (hello.sslv2Certificate.map(exerciseCertificate) ?? 0) &+ hello.sslv2CipherKinds.count
    }
    if let key = try? SSLv2ClientMasterKey.parse(body) { used &+= Int(key.cipherKind & 0xff) }
    return used
}
