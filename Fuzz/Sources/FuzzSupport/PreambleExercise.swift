import TLSDumpTLS

/// One record-stream item, comparable across runs (bodies by length and a checksum).
public enum PreambleRunItem: Equatable {
    case record(contentType: UInt8, version: UInt16, length: Int, sum: Int?)
    case sslv2(length: Int)
    case notTLS
    case started(skipped: Int)
    case plaintextOnly(skipped: Int)
    case lostSync
    case other
}

/// What one run of a stream through `RecordStream` produced.
public struct PreambleRun {
    public var items: [PreambleRunItem] = []
    public var preamble: PlaintextPreamble?
}

/// Feeds `stream` whole (`maxChunk` nil) or in chunks of 1...maxChunk picked by `random`.
public func runPreambleStream(_ stream: UnsafeRawBufferPointer, maxChunk: Int?, random: inout ScriptRandom) -> PreambleRun {
    var records = RecordStream()
    var run = PreambleRun()
    var offset = 0
    while offset < stream.count {
        let size = maxChunk.map { Swift.min(1 + random.below($0), stream.count - offset) } ?? stream.count
        let chunk = [UInt8](UnsafeRawBufferPointer(rebasing: stream[offset..<(offset + size)]))
        offset += size
        chunk.withUnsafeBytes { bytes in
            var input = StreamInput(bytes, startsSegment: true)
            var calls = 0
            while let item = records.next(&input) {
                calls += 1
                fuzzCheck(calls <= 2 * bytes.count + 4, "RecordStream.next made no progress")
                switch item {
                case .record(let header, let body):
                    fuzzCheck(body.map { $0.count == header.length } ?? true, "body length differs from its header")
                    run.items.append(.record(contentType: header.contentType, version: header.version, length: header.length,
                                             sum: body.map { $0.reduce(0) { $0 &* 31 &+ Int($1) } }))
                case .sslv2Record(let length, _): run.items.append(.sslv2(length: length))
                case .notTLS: run.items.append(.notTLS)
                case .startedAfterPlaintext(let skipped, let preamble):
                    fuzzCheck(skipped == preamble.count, "skipped \(skipped) but the preamble counts \(preamble.count)")
                    fuzzCheck(preamble.head.count <= PlaintextPreamble.headLimit && preamble.tail.count <= PlaintextPreamble.tailLimit,
                              "preamble sample over its caps")
                    run.items.append(.started(skipped: skipped))
                    run.preamble = preamble
                case .plaintextOnly(let skipped): run.items.append(.plaintextOnly(skipped: skipped))
                case .lostSync: run.items.append(.lostSync)
                case .resynchronized, .recordCut: run.items.append(.other)
                }
            }
            fuzzCheck(input.remaining == 0, "RecordStream left \(input.remaining) bytes of a chunk")
        }
    }
    return run
}

/// The search for TLS after plaintext must not depend on how the stream is cut:
/// whole and chunked runs agree on every item up to the first lost sync (resync
/// only looks inside chunks, by design), and on the preamble's count and head.
public func exercisePreamble(_ stream: UnsafeRawBufferPointer, maxChunk: Int, seed: UInt32) -> Int {
    var random = ScriptRandom(seed: seed)
    let whole = runPreambleStream(stream, maxChunk: nil, random: &random)
    let chunked = runPreambleStream(stream, maxChunk: maxChunk, random: &random)
    func upToLostSync(_ items: [PreambleRunItem]) -> [PreambleRunItem] {
        guard let i = items.firstIndex(of: .lostSync) else { return items }
        return Array(items[...i])
    }
    let a = upToLostSync(whole.items), b = upToLostSync(chunked.items)
    // A stream cut at its end can hold a record the whole run completes: compare the shorter.
    let n = Swift.min(a.count, b.count)
    fuzzCheck(Array(a.prefix(n)) == Array(b.prefix(n)), "chunking changed the items: \(a.prefix(n)) vs \(b.prefix(n))")
    fuzzCheck(a.count == b.count, "chunking changed the item count: \(a.count) vs \(b.count)")
    if let p = whole.preamble, let q = chunked.preamble {
        fuzzCheck(p.count == q.count && p.head == q.head, "preamble sample differs with chunking")
        // A hello that began in the carried bytes shortens the tail by up to 10 bytes.
        let (long, short) = p.tail.count >= q.tail.count ? (p.tail, q.tail) : (q.tail, p.tail)
        fuzzCheck(long.count - short.count < HelloStart.windowSize && Array(long.suffix(short.count)) == short, "preamble tails differ")
    }
    let name = StartTLSProtocol.recognise(client: whole.preamble, server: chunked.preamble)
    return whole.items.count &+ (name?.rawValue.utf8.count ?? 0)
}
