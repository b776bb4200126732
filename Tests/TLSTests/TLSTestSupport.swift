import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// Decodes hex, ignoring whitespace. Test data only: a bad digit is a bug in the test.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }.map { $0 }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var i = 0
    while i < digits.count {
        guard let byte = UInt8(String(digits[i...i + 1]), radix: 16) else { preconditionFailure("bad hex at \(i)") }
        bytes.append(byte)
        i += 2
    }
    return bytes
}

/// SplitMix64: a fixed seed gives the same "random" cases on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

// MARK: - building messages by hand

/// A TLS record: 5-byte header and body.
func tlsRecord(_ type: UInt8, version: UInt16 = 0x0303, _ body: [UInt8]) -> [UInt8] {
    [type, UInt8(version >> 8), UInt8(version & 0xff), UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
}

/// A handshake message: type, 3-byte length, body.
func handshakeMessage(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
    [type, UInt8(body.count >> 16 & 0xff), UInt8(body.count >> 8 & 0xff), UInt8(body.count & 0xff)] + body
}

/// A length-prefixed vector.
func vector(_ lengthBytes: Int, _ body: [UInt8]) -> [UInt8] {
    var prefix: [UInt8] = []
    for shift in stride(from: (lengthBytes - 1) * 8, through: 0, by: -8) { prefix.append(UInt8(body.count >> shift & 0xff)) }
    return prefix + body
}

/// Splits a buffer of TLS records (known to be well formed) into (header, body) pairs.
func splitRecords(_ bytes: [UInt8]) -> [(type: UInt8, version: UInt16, body: [UInt8])] {
    var out: [(UInt8, UInt16, [UInt8])] = []
    var i = 0
    while i + 5 <= bytes.count {
        let length = Int(bytes[i + 3]) << 8 | Int(bytes[i + 4])
        out.append((bytes[i], UInt16(bytes[i + 1]) << 8 | UInt16(bytes[i + 2]), Array(bytes[(i + 5)..<(i + 5 + length)])))
        i += 5 + length
    }
    precondition(i == bytes.count, "not a whole number of records")
    return out
}

/// Handshake messages (header stripped) of a buffer of clear handshake records; the real bytes
/// serve as fixtures for the parsers.
func handshakeBodies(ofRecords bytes: [UInt8]) -> [(type: UInt8, body: [UInt8])] {
    handshakeBodies(ofMessages: splitRecords(bytes).filter { $0.type == ContentType.handshake }.flatMap(\.body))
}

/// Handshake messages (header stripped) from concatenated whole messages.
func handshakeBodies(ofMessages bytes: [UInt8]) -> [(type: UInt8, body: [UInt8])] {
    var out: [(UInt8, [UInt8])] = []
    var i = 0
    while i + 4 <= bytes.count {
        let length = Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        guard i + 4 + length <= bytes.count else { break }
        out.append((bytes[i], Array(bytes[(i + 4)..<(i + 4 + length)])))
        i += 4 + length
    }
    return out
}

/// The body of the only (or first) handshake message of `type` in records or messages.
func messageBody(_ type: UInt8, inRecords bytes: [UInt8], index: Int = 0) -> [UInt8] {
    let found = handshakeBodies(ofRecords: bytes).filter { $0.type == type }
    precondition(found.count > index, "no handshake message of type \(type)")
    return found[index].body
}

func messageBody(_ type: UInt8, inMessages bytes: [UInt8], index: Int = 0) -> [UInt8] {
    let found = handshakeBodies(ofMessages: bytes).filter { $0.type == type }
    precondition(found.count > index, "no handshake message of type \(type)")
    return found[index].body
}

// MARK: - running parsers

/// The outcome of a parser, so that tests can compare errors as values.
func outcome<T>(_ bytes: [UInt8], _ parse: (UnsafeRawBufferPointer) throws(ParseError) -> T) -> Result<T, ParseError> {
    bytes.withUnsafeBytes { raw in
        do throws(ParseError) { return .success(try parse(raw)) } catch { return .failure(error) }
    }
}

/// Parses bytes that must be valid, failing the test otherwise.
func parseValid<T>(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line,
                   _ parse: (UnsafeRawBufferPointer) throws(ParseError) -> T) -> T? {
    switch outcome(bytes, parse) {
    case .success(let value): return value
    case .failure(let error):
        XCTFail("parse failed: \(error)", file: file, line: line)
        return nil
    }
}

// MARK: - running a RecordStream

/// A `RecordStreamItem` with its borrowed body copied out, so that items can be compared
/// after the stream has moved on.
enum StreamEvent: Equatable, CustomStringConvertible {
    case record(type: UInt8, version: UInt16, length: Int, body: [UInt8]?)
    case sslv2(length: Int, body: [UInt8]?)
    case notTLS
    case startedAfterPlaintext(skipped: Int)
    case plaintextOnly(skipped: Int)
    case lostSync(RecordHeader)
    case resynchronized(skipped: Int)
    case recordCut(RecordHeader)

    init(_ item: RecordStreamItem) {
        switch item {
        case .record(let h, let body): self = .record(type: h.contentType, version: h.version, length: h.length, body: body.map { Array($0) })
        case .sslv2Record(let length, let body): self = .sslv2(length: length, body: body.map { Array($0) })
        case .notTLS: self = .notTLS
        case .startedAfterPlaintext(let skipped, _): self = .startedAfterPlaintext(skipped: skipped)
        case .plaintextOnly(let skipped): self = .plaintextOnly(skipped: skipped)
        case .lostSync(let h): self = .lostSync(h)
        case .resynchronized(let skipped): self = .resynchronized(skipped: skipped)
        case .recordCut(let h): self = .recordCut(h)
        }
    }

    var description: String {
        switch self {
        case .record(let t, let v, let l, let b): return "record(\(t), 0x\(String(v, radix: 16)), \(l), body: \(b.map { "\($0.count) bytes" } ?? "nil"))"
        case .sslv2(let l, let b): return "sslv2(\(l), body: \(b.map { "\($0.count) bytes" } ?? "nil"))"
        case .notTLS: return "notTLS"
        case .startedAfterPlaintext(let s): return "startedAfterPlaintext(\(s))"
        case .plaintextOnly(let s): return "plaintextOnly(\(s))"
        case .lostSync(let h): return "lostSync(\(h))"
        case .resynchronized(let s): return "resynchronized(\(s))"
        case .recordCut(let h): return "recordCut(\(h))"
        }
    }
}

extension RecordStream {
    /// Feeds one chunk and collects every item. `onItem` runs after each item, before the
    /// next `next` call (where a real caller changes `wantedBodies`).
    mutating func feed(_ chunk: [UInt8], startsSegment: Bool = true,
                       onItem: (inout RecordStream, StreamEvent) -> Void = { _, _ in }) -> [StreamEvent] {
        var events: [StreamEvent] = []
        chunk.withUnsafeBytes { raw in
            var input = StreamInput(raw, startsSegment: startsSegment)
            while let item = next(&input) {
                let event = StreamEvent(item)
                events.append(event)
                onItem(&self, event)
            }
            XCTAssertEqual(input.offset, raw.count, "a chunk must be used up")
        }
        return events
    }

    /// Feeds `bytes` cut into chunks at `cuts` (ascending offsets strictly inside the bytes).
    mutating func feed(_ bytes: [UInt8], cutAt cuts: [Int],
                       onItem: (inout RecordStream, StreamEvent) -> Void = { _, _ in }) -> [StreamEvent] {
        var events: [StreamEvent] = []
        var start = 0
        for end in cuts + [bytes.count] where end > start {
            events += feed(Array(bytes[start..<end]), onItem: onItem)
            start = end
        }
        return events
    }
}

/// What the analyzer does: once a side's ChangeCipherSpec has passed, its bodies are ciphertext.
func stopWantingBodiesAfterCCS(_ stream: inout RecordStream, _ event: StreamEvent) {
    if case .record(let type, _, _, _) = event, type == ContentType.changeCipherSpec { stream.wantedBodies = 0 }
}
