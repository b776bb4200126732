import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// `RecordStream` on real captured streams: however the bytes are chunked, the same
/// records come out; gaps, bad headers, plaintext before TLS and SSLv2 framing.
final class RecordStreamTests: XCTestCase {

    // Record offsets in the captured streams (from tshark): used to place cuts and gaps.
    // ecdhe-tls12 server: SH@0(61) Cert@66(914) SKE@985(300) SHD@1290(4) CCS@1299 Fin@1305(40) App@1350(94) Alert@1449(26)
    // ecdhe-tls12 client: CH@0(151, v0x0301) CKE@156(37) CCS@198 Fin@204(40) App@249(61) Alert@315(26)

    private let realStreams: [(String, [UInt8])] = [
        ("ecdhe-tls12 client", Captured.ecdheTLS12Client),
        ("ecdhe-tls12 server", Captured.ecdheTLS12Server),
        ("tls13 client", Captured.tls13Client),
        ("tls13 server", Captured.tls13Server),
        ("certreq-initial-tls12 server", Captured.certreqTLS12Server),
    ]

    private func wholeStreamEvents(_ bytes: [UInt8], midstream: Bool = false,
                                   onItem: (inout RecordStream, StreamEvent) -> Void = { _, _ in }) -> [StreamEvent] {
        var stream = RecordStream(midstream: midstream)
        return stream.feed(bytes, onItem: onItem)
    }

    private func expectedEvents(_ bytes: [UInt8], wanted: (UInt8) -> Bool) -> [StreamEvent] {
        splitRecords(bytes).map { .record(type: $0.type, version: $0.version, length: $0.body.count, body: wanted($0.type) ? $0.body : nil) }
    }

    private func clearTypesWanted(_ type: UInt8) -> Bool {
        RecordStream.clearHandshakeBodies & (1 << UInt32(type)) != 0
    }

    // MARK: - chunking

    func testOneChunkYieldsEveryRecordWithTheWantedBodies() {
        let events = wholeStreamEvents(Captured.ecdheTLS12Client)
        XCTAssertEqual(events, expectedEvents(Captured.ecdheTLS12Client, wanted: clearTypesWanted))
        XCTAssertEqual(events.count, 6)
        // The ClientHello travels in a TLS 1.0 record, the rest in TLS 1.2 records.
        XCTAssertEqual(events.first, .record(type: 22, version: 0x0301, length: 151, body: Array(Captured.ecdheTLS12Client[5..<156])))
        XCTAssertEqual(events[4], .record(type: 23, version: 0x0303, length: 61, body: nil))

        for (name, bytes) in realStreams {
            XCTAssertEqual(wholeStreamEvents(bytes), expectedEvents(bytes, wanted: clearTypesWanted), name)
        }
    }

    func testEveryTwoChunkSplitYieldsTheSameRecords() {
        for (name, bytes) in realStreams {
            let reference = wholeStreamEvents(bytes)
            let referenceAfterCCS = wholeStreamEvents(bytes, onItem: stopWantingBodiesAfterCCS)
            for cut in 1..<bytes.count {
                var stream = RecordStream()
                let events = stream.feed(bytes, cutAt: [cut])
                if events != reference { XCTFail("\(name): split at \(cut) gives \(events)"); break }
                var switching = RecordStream()
                let switched = switching.feed(bytes, cutAt: [cut], onItem: stopWantingBodiesAfterCCS)
                if switched != referenceAfterCCS { XCTFail("\(name): split at \(cut) with CCS gives \(switched)"); break }
            }
        }
    }

    func testOneByteChunksYieldTheSameRecords() {
        for (name, bytes) in realStreams {
            var stream = RecordStream()
            XCTAssertEqual(stream.feed(bytes, cutAt: Array(1..<bytes.count)), wholeStreamEvents(bytes), name)
        }
    }

    func testRandomChunkingsYieldTheSameRecords() {
        var rng = SeededGenerator(seed: 0x7e57_0001)
        for (name, bytes) in realStreams {
            let reference = wholeStreamEvents(bytes, onItem: stopWantingBodiesAfterCCS)
            for _ in 0..<100 {
                let cuts = Set((0..<Int.random(in: 1...20, using: &rng)).map { _ in Int.random(in: 1..<bytes.count, using: &rng) }).sorted()
                var stream = RecordStream()
                let events = stream.feed(bytes, cutAt: cuts, onItem: stopWantingBodiesAfterCCS)
                if events != reference { XCTFail("\(name): cuts \(cuts) give \(events)"); break }
            }
        }
    }

    func testHeaderSplitAcrossChunksIsAssembled() {
        let bytes = Captured.ecdheTLS12Server
        var stream = RecordStream()
        // ServerHello whole plus 3 bytes of the Certificate header.
        XCTAssertEqual(stream.feed(Array(bytes[0..<69])).count, 1)
        XCTAssertFalse(stream.isInsideRecord)
        XCTAssertEqual(stream.feed(Array(bytes[69..<71])), [])       // header complete, body not yet
        XCTAssertTrue(stream.isInsideRecord)
        let rest = stream.feed(Array(bytes[71...]))
        XCTAssertEqual(rest.first, .record(type: 22, version: 0x0303, length: 914, body: Array(bytes[71..<985])))
        XCTAssertEqual(rest.count, 7)
    }

    func testBodyInsideOneChunkIsBorrowedAndStraddlingBodyIsCopied() {
        let bytes = Captured.ecdheTLS12Server
        var stream = RecordStream()
        bytes.withUnsafeBytes { raw in
            var input = StreamInput(UnsafeRawBufferPointer(rebasing: raw[0..<500]))
            guard case .record(let header, let body?)? = stream.next(&input) else { return XCTFail("ServerHello expected") }
            XCTAssertEqual(header, RecordHeader(contentType: 22, version: 0x0303, length: 61))
            XCTAssertEqual(body.baseAddress, raw.baseAddress.map { $0 + 5 }, "a body inside the chunk is not copied")
            XCTAssertNil(stream.next(&input))
            var second = StreamInput(UnsafeRawBufferPointer(rebasing: raw[500...]))
            guard case .record(let certHeader, let certBody?)? = stream.next(&second) else { return XCTFail("Certificate expected") }
            XCTAssertEqual(certHeader.length, 914)
            XCTAssertEqual(Array(certBody), Array(bytes[71..<985]))
            let inInput = certBody.baseAddress.map { $0 >= raw.baseAddress! && $0 < raw.baseAddress! + raw.count } ?? false
            XCTAssertFalse(inInput, "a body that straddled chunks was assembled in the stream's buffer")
        }
    }

    func testUnwantedBodyIsSkippedAndReportedOnceComplete() {
        let bytes = Captured.ecdheTLS12Server
        var stream = RecordStream()
        stream.wantedBodies = 0
        XCTAssertEqual(stream.feed(Array(bytes[0..<500])), [.record(type: 22, version: 0x0303, length: 61, body: nil)])
        XCTAssertTrue(stream.isInsideRecord)
        XCTAssertEqual(stream.feed(Array(bytes[500..<984])), [], "not reported before its last byte")
        XCTAssertEqual(stream.feed(Array(bytes[984..<986])), [.record(type: 22, version: 0x0303, length: 914, body: nil)])
        XCTAssertEqual(stream.feed(Array(bytes[986...])).count, 6)
    }

    func testWantedBodiesChangedAtChangeCipherSpec() {
        let events = wholeStreamEvents(Captured.ecdheTLS12Server, onItem: stopWantingBodiesAfterCCS)
        let expected = splitRecords(Captured.ecdheTLS12Server).enumerated().map { index, r in
            StreamEvent.record(type: r.type, version: r.version, length: r.body.count, body: index <= 4 ? r.body : nil)
        }
        XCTAssertEqual(events, expected)
        // The encrypted Finished is a handshake record delivered without a body.
        XCTAssertEqual(events[5], .record(type: 22, version: 0x0303, length: 40, body: nil))
    }

    func testRecordCutOffAtTheEndIsNotReported() {
        let bytes = Captured.ecdheTLS12Server
        for (dropped, insideRecord) in [(1, true), (26, true), (28, false), (31, false)] {
            var stream = RecordStream()
            let events = stream.feed(Array(bytes.dropLast(dropped)))
            XCTAssertEqual(events.count, 7, "dropping \(dropped)")
            XCTAssertEqual(stream.isInsideRecord, insideRecord, "dropping \(dropped)")
        }
        // A wanted body cut off at the end, fed byte by byte, is not reported either.
        var stream = RecordStream()
        XCTAssertEqual(stream.feed(Array(bytes[0..<900]), cutAt: Array(1..<900)).count, 1)
    }

    // MARK: - gaps

    func testGapInsideSkippedBodyKeepsSync() {
        let bytes = Captured.ecdheTLS12Client
        var stream = RecordStream()
        var events = stream.feed(Array(bytes[0..<270]))
        XCTAssertNil(stream.gap(20))
        events += stream.feed(Array(bytes[290...]))
        XCTAssertEqual(events, wholeStreamEvents(bytes), "the application data record is still reported, then the alert")
        XCTAssertEqual(stream.mode, .tls)
    }

    func testGapInsideWantedBodyCutsTheRecordAndKeepsSync() {
        let bytes = Captured.ecdheTLS12Server
        let reference = wholeStreamEvents(bytes)
        var stream = RecordStream()
        XCTAssertEqual(stream.feed(Array(bytes[0..<500])), Array(reference[0..<1]))
        XCTAssertEqual(stream.gap(100).map(StreamEvent.init), .recordCut(RecordHeader(contentType: 22, version: 0x0303, length: 914)))
        // The rest of the Certificate is skipped without a second report; the next records follow in sync.
        XCTAssertEqual(stream.feed(Array(bytes[600...])), Array(reference[2...]))
        XCTAssertEqual(stream.mode, .tls)
    }

    func testGapInsideWantedBodyFedInPieces() {
        let bytes = Captured.ecdheTLS12Server
        let reference = wholeStreamEvents(bytes)
        var stream = RecordStream()
        var events = stream.feed(Array(bytes[0..<500]), cutAt: Array(stride(from: 7, to: 500, by: 7)))
        events += stream.gap(1).map { [StreamEvent($0)] } ?? []
        events += stream.feed(Array(bytes[501...]), cutAt: Array(stride(from: 13, to: bytes.count - 501, by: 13)))
        XCTAssertEqual(events, [reference[0], .recordCut(RecordHeader(contentType: 22, version: 0x0303, length: 914))] + reference[2...])
    }

    func testGapEndingExactlyAtRecordBoundary() {
        let server = Captured.ecdheTLS12Server
        let serverReference = wholeStreamEvents(server)
        var stream = RecordStream()
        _ = stream.feed(Array(server[0..<500]))
        XCTAssertEqual(stream.gap(485).map(StreamEvent.init), .recordCut(RecordHeader(contentType: 22, version: 0x0303, length: 914)))
        XCTAssertFalse(stream.isInsideRecord)
        XCTAssertEqual(stream.feed(Array(server[985...])), Array(serverReference[2...]), "no resync needed")

        // An unwanted body whose end fell in the gap is reported like any skipped body.
        let client = Captured.ecdheTLS12Client
        var clientStream = RecordStream()
        _ = clientStream.feed(Array(client[0..<270]))
        XCTAssertEqual(clientStream.gap(45).map(StreamEvent.init), .record(type: 23, version: 0x0303, length: 61, body: nil))
        XCTAssertEqual(clientStream.feed(Array(client[315...])), [wholeStreamEvents(client).last!])
    }

    func testGapAcrossRecordsResynchronizesOnTheNextHeader() {
        let bytes = Captured.ecdheTLS12Server
        let reference = wholeStreamEvents(bytes)
        var stream = RecordStream()
        _ = stream.feed(Array(bytes[0..<500]))
        // 600 bytes missing: the rest of Certificate and the start of ServerKeyExchange.
        XCTAssertEqual(stream.gap(600).map(StreamEvent.init), .recordCut(RecordHeader(contentType: 22, version: 0x0303, length: 914)))
        XCTAssertEqual(stream.mode, .resync)
        let events = stream.feed(Array(bytes[1100...]))
        XCTAssertEqual(events, [.resynchronized(skipped: 1290 - 1100)] + reference[3...])
    }

    func testGapAtRecordBoundaryResynchronizes() {
        let bytes = Captured.ecdheTLS12Server
        var stream = RecordStream()
        _ = stream.feed(Array(bytes[0..<985]))
        XCTAssertNil(stream.gap(10), "nothing was in progress")
        XCTAssertEqual(stream.mode, .resync, "where the next record starts is unknown")
        XCTAssertEqual(stream.feed(Array(bytes[995...])).first, .resynchronized(skipped: 1290 - 995))
    }

    /// The client's first record is a TLS 1.0 record (ClientHello), the later ones TLS 1.2:
    /// resync must look for the version the stream uses now.
    func testResyncAfterTheClientHelloFindsTLS12Records() {
        let bytes = Captured.ecdheTLS12Client
        let reference = wholeStreamEvents(bytes)
        var stream = RecordStream()
        _ = stream.feed(Array(bytes[0..<160]))           // ClientHello and 4 bytes of the next header
        XCTAssertNil(stream.gap(30))
        XCTAssertEqual(stream.feed(Array(bytes[190...])), [.resynchronized(skipped: 198 - 190)] + reference[2...])
        XCTAssertEqual(stream.recordVersion, 0x0303)
    }

    func testResyncRefusesAHeaderFollowedByGarbage() {
        let bytes = Captured.ecdheTLS12Server
        let reference = wholeStreamEvents(bytes)
        var stream = RecordStream()
        _ = stream.feed(Array(bytes[0..<66]))
        _ = stream.gap(5000)
        // Ciphertext that happens to contain a plausible header, then bytes that are no header.
        let fake: [UInt8] = [0xff, 0xff, 0x17, 0x03, 0x03, 0x00, 0x04, 0xaa, 0xbb, 0xcc, 0xdd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        // And one of another record version than the stream's.
        let otherVersion: [UInt8] = [0x17, 0x03, 0x01, 0x00, 0x01, 0x00]
        let events = stream.feed(fake + otherVersion + Array(bytes[1290...]))
        XCTAssertEqual(events, [.resynchronized(skipped: fake.count + otherVersion.count)] + reference[3...])
    }

    func testResyncAcceptsAHeaderWhoseRecordRunsPastTheChunk() {
        let bytes = Captured.ecdheTLS12Server
        var stream = RecordStream()
        _ = stream.feed(Array(bytes[0..<66]))
        _ = stream.gap(100)
        XCTAssertEqual(stream.feed([0xff, 0xff, 0xff] + Array(bytes[985..<1000])), [.resynchronized(skipped: 3)])
        XCTAssertTrue(stream.isInsideRecord)
        XCTAssertEqual(stream.feed(Array(bytes[1000..<1290])), [.record(type: 22, version: 0x0303, length: 300, body: Array(bytes[990..<1290]))])
    }

    // MARK: - sync lost

    func testImplausibleHeaderMidStreamLosesSync() {
        let bytes = Captured.ecdheTLS12Server
        let reference = wholeStreamEvents(bytes)
        let bad: [UInt8] = [0x99, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5]
        let spliced = Array(bytes[0..<66]) + bad + Array(bytes[66...])
        let expected = [reference[0], .lostSync(RecordHeader(contentType: 0x99, version: 0x0303, length: 5)), .resynchronized(skipped: bad.count)] + reference[1...]
        var stream = RecordStream()
        XCTAssertEqual(stream.feed(spliced), expected)
        // The bad header split across chunks (slow path).
        var split = RecordStream()
        XCTAssertEqual(split.feed(spliced, cutAt: [68, 200]), expected)
    }

    func testOversizedLengthOrUnknownVersionIsImplausible() {
        XCTAssertTrue(RecordHeader(contentType: 22, version: 0x0301, length: 1).isPlausible)
        XCTAssertTrue(RecordHeader(contentType: 24, version: 0x0304, length: RecordHeader.maxLength).isPlausible)
        XCTAssertTrue(RecordHeader(contentType: 20, version: 0x0300, length: 1).isPlausible)
        XCTAssertFalse(RecordHeader(contentType: 22, version: 0x0303, length: RecordHeader.maxLength + 1).isPlausible)
        XCTAssertFalse(RecordHeader(contentType: 22, version: 0x0303, length: 0).isPlausible)
        XCTAssertFalse(RecordHeader(contentType: 19, version: 0x0303, length: 5).isPlausible)
        XCTAssertFalse(RecordHeader(contentType: 25, version: 0x0303, length: 5).isPlausible)
        XCTAssertFalse(RecordHeader(contentType: 22, version: 0x0305, length: 5).isPlausible)
        XCTAssertFalse(RecordHeader(contentType: 22, version: 0x0203, length: 5).isPlausible)

        var stream = RecordStream()
        let bytes = Captured.ecdheTLS12Server
        let events = stream.feed(Array(bytes[0..<66]) + [0x16, 0x03, 0x03, 0x7f, 0xff] + Array(repeating: 0xee, count: 20))
        XCTAssertEqual(events.last, .lostSync(RecordHeader(contentType: 22, version: 0x0303, length: 0x7fff)))
    }

    // MARK: - plaintext before TLS

    func testSTARTTLSClient() {
        let segments = Captured.zeekSMTPStartTLSClientSegments
        var stream = RecordStream()
        XCTAssertEqual(stream.feed(segments[0]), [.notTLS])
        XCTAssertEqual(stream.mode, .awaitingTLS)
        XCTAssertEqual(stream.feed(segments[1]), [])
        let events = stream.feed(segments[2])
        XCTAssertEqual(events, [.startedAfterPlaintext(skipped: 35), .record(type: 22, version: 0x0301, length: 512, body: Array(segments[2][5...]))])
        XCTAssertEqual(stream.bytesSkippedWhileScanning, 35)
    }

    func testSTARTTLSServer() {
        let segments = Captured.zeekSMTPStartTLSServerSegments
        var stream = RecordStream()
        var events: [StreamEvent] = []
        for segment in segments { events += stream.feed(segment) }
        XCTAssertEqual(Array(events.prefix(3)), [
            .notTLS, .startedAfterPlaintext(skipped: 54 + 140 + 30),
            .record(type: 22, version: 0x0303, length: 61, body: Array(segments[3][5..<66])),
        ])
        XCTAssertEqual(stream.mode, .tls)
    }

    func testHelloInsideAChunkAfterPlaintextIsFound() {
        let segments = Captured.zeekSMTPStartTLSClientSegments
        let hello = StreamEvent.record(type: 22, version: 0x0301, length: 512, body: Array(segments[2][5...]))
        // Plaintext and the hello coalesced in one chunk.
        var stream = RecordStream()
        XCTAssertEqual(stream.feed(segments[0] + segments[2]), [.notTLS, .startedAfterPlaintext(skipped: 25), hello])
        // A chunk that continues a segment.
        var other = RecordStream()
        XCTAssertEqual(other.feed(segments[0]), [.notTLS])
        XCTAssertEqual(other.feed(segments[2], startsSegment: false), [.startedAfterPlaintext(skipped: 25), hello])
        // First bytes split: the classification waits for 5 bytes.
        var slow = RecordStream()
        XCTAssertEqual(slow.feed(Array(segments[0][0..<3])), [])
        XCTAssertEqual(slow.feed(Array(segments[0][3...])), [.notTLS])
        XCTAssertEqual(slow.feed(segments[2]).first, .startedAfterPlaintext(skipped: 25))
    }

    /// PostgreSQL answers an SSLRequest with one byte, 'S', then starts TLS: in its own
    /// segment, coalesced with the ServerHello, and with the stream cut at every byte.
    func testOneBytePreambleBeforeTheServerHello() {
        let serverHello = Captured.zeekSMTPStartTLSServerSegments[3]
        let first = StreamEvent.record(type: 22, version: 0x0303, length: 61, body: Array(serverHello[5..<66]))
        var split = RecordStream()
        XCTAssertEqual(split.feed([0x53]), [])
        XCTAssertEqual(Array(split.feed(serverHello).prefix(3)), [.notTLS, .startedAfterPlaintext(skipped: 1), first])
        var coalesced = RecordStream()
        XCTAssertEqual(Array(coalesced.feed([0x53] + serverHello).prefix(3)), [.notTLS, .startedAfterPlaintext(skipped: 1), first])
        let stream = Array("220 ready\r\n".utf8) + [0x53] + serverHello
        let reference = { () -> [StreamEvent] in var s = RecordStream(); return s.feed(stream) }()
        XCTAssertEqual(Array(reference.prefix(3)), [.notTLS, .startedAfterPlaintext(skipped: 12), first])
        for cut in 1..<80 {
            var s = RecordStream()
            XCTAssertEqual(s.feed(stream, cutAt: [cut]), reference, "cut at \(cut)")
        }
        for (a, b) in [(1, 2), (3, 12), (11, 13), (12, 14), (13, 20), (5, 17)] {
            var s = RecordStream()
            XCTAssertEqual(s.feed(stream, cutAt: [a, b]), reference, "cuts at \(a), \(b)")
        }
        var bytewise = RecordStream()
        XCTAssertEqual(bytewise.feed(Array(stream.prefix(200)), cutAt: Array(1..<200)), Array(reference.prefix(3)))
    }

    /// What was skipped is counted and sampled, also when the hello began in the previous chunk.
    func testPreambleIsSampledAndCounted() {
        let serverHello = Captured.zeekSMTPStartTLSServerSegments[3]
        let text = Array(String(repeating: "250-EXTENSION\r\n", count: 20).utf8) + Array("220 go ahead\r\n".utf8)
        var stream = RecordStream()
        var preamble: PlaintextPreamble?
        let bytes = text + serverHello
        bytes.withUnsafeBytes { raw in
            // Cut 4 bytes into the hello: its first bytes come from the carry.
            let cut = text.count + 4
            for range in [0..<cut, cut..<raw.count] {
                var input = StreamInput(UnsafeRawBufferPointer(rebasing: raw[range]))
                while let item = stream.next(&input) {
                    if case .startedAfterPlaintext(let skipped, let p) = item {
                        XCTAssertEqual(skipped, text.count)
                        preamble = p
                    }
                }
            }
        }
        let p = try? XCTUnwrap(preamble)
        XCTAssertEqual(p?.count, text.count)
        XCTAssertEqual(p?.head, Array(text.prefix(PlaintextPreamble.headLimit)))
        // The hello's 4 bytes were taken back from the tail.
        XCTAssertEqual(p?.tail, Array(text.suffix(PlaintextPreamble.tailLimit - 4)))
        XCTAssertEqual(stream.bytesSkippedWhileScanning, text.count)
        XCTAssertEqual(stream.mode, .tls)
    }

    /// Plaintext that only resembles a hello stays plaintext; past the search limit only
    /// a hello at a segment start counts.
    func testSearchIsStrictAndCapped() {
        let hello = Captured.zeekSMTPStartTLSClientSegments[2]
        var near = RecordStream()
        // Handshake records that are no hello, or too short, or of another version.
        let lookalikes: [[UInt8]] = [
            [0x16, 0x03, 0x01, 0x02, 0x00, 0x0b, 0x00, 0x01, 0xfc, 0x03, 0x03],   // Certificate
            [0x16, 0x03, 0x01, 0x00, 0x10, 0x01, 0x00, 0x00, 0x0c, 0x03, 0x03],   // too short
            [0x16, 0x03, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03],   // record version 3.5
            [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x01, 0x01, 0xfc, 0x03, 0x03],   // hello of 64 KiB
            [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x41, 0x41],   // version "AA"
        ]
        var plaintext = Array("GET / HTTP/1.1\r\n".utf8)
        for l in lookalikes { plaintext += l + Array(repeating: 0x41, count: 40) }
        XCTAssertEqual(near.feed(plaintext), [.notTLS])
        XCTAssertEqual(near.mode, .awaitingTLS)
        // Random bytes (a seeded generator): no hello is found in 64 KiB, then the search stops.
        var rng = SeededGenerator(seed: 17)
        let noise = (0..<(RecordStream.plaintextSearchLimit + 100)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var capped = RecordStream()
        let events = capped.feed(Array("x\r\n\r\n".utf8)) + capped.feed(noise)
        XCTAssertEqual(events, [.notTLS, .plaintextOnly(skipped: RecordStream.plaintextSearchLimit)])
        XCTAssertEqual(capped.mode, .plaintext)
        // Past the limit, a hello inside a chunk is not looked for; one at a segment start is.
        XCTAssertEqual(capped.feed(Array("abc".utf8) + hello), [])
        XCTAssertEqual(capped.feed(hello).first, .startedAfterPlaintext(skipped: 5 + noise.count + 3 + hello.count))
    }

    // MARK: - SSLv2

    private let sslv2ClientExpected: [(Int, Int)] = [(2, 46), (2, 274), (3, 40), (3, 24), (3, 24), (3, 24)]   // (header size, length)
    private let sslv2ServerExpected: [(Int, Int)] = [(2, 948), (3, 40), (3, 40), (2, 328)]

    private func sslv2Events(_ bytes: [UInt8], _ layout: [(Int, Int)], wanted: Bool) -> [StreamEvent] {
        var offset = 0
        return layout.map { headerSize, length in
            defer { offset += headerSize + length }
            let start = offset + headerSize
            return .sslv2(length: length, body: wanted ? Array(bytes[start..<(start + length)]) : nil)
        }
    }

    func testSSLv2StreamsInOneChunk() {
        var client = RecordStream()
        XCTAssertEqual(client.feed(Captured.zeekSSLv2Client), sslv2Events(Captured.zeekSSLv2Client, sslv2ClientExpected, wanted: true))
        XCTAssertTrue(client.isSSLv2Framing)
        var server = RecordStream()
        XCTAssertEqual(server.feed(Captured.zeekSSLv2Server), sslv2Events(Captured.zeekSSLv2Server, sslv2ServerExpected, wanted: true))
    }

    /// Includes 3-byte SSLv2 headers (records with padding) split across chunks.
    func testSSLv2StreamsSplitAnywhere() {
        for (bytes, layout) in [(Captured.zeekSSLv2Client, sslv2ClientExpected), (Captured.zeekSSLv2Server, sslv2ServerExpected)] {
            for wanted in [true, false] {
                let expected = sslv2Events(bytes, layout, wanted: wanted)
                for cut in 1..<bytes.count {
                    var stream = RecordStream()
                    if !wanted { stream.wantedBodies = 0 }
                    let events = stream.feed(bytes, cutAt: [cut])
                    if events != expected { XCTFail("split at \(cut), wanted \(wanted): \(events)"); break }
                }
                var stream = RecordStream()
                if !wanted { stream.wantedBodies = 0 }
                XCTAssertEqual(stream.feed(bytes, cutAt: Array(1..<bytes.count)), expected, "1-byte chunks, wanted \(wanted)")
            }
        }
    }

    func testSSLv2HelloDetectedFromFirstBytesArrivingInPieces() {
        let bytes = Captured.zeekSSLv2Client
        let expected = sslv2Events(bytes, sslv2ClientExpected, wanted: true)
        for cuts in [[1, 3], [2], [4], [1, 2, 3, 4], [3, 5]] {
            var stream = RecordStream()
            XCTAssertEqual(stream.feed(bytes, cutAt: cuts), expected, "cuts \(cuts)")
        }
        // The same with a body shorter than the swallowed header bytes' remainder: a 3-byte CLIENT-HELLO.
        let tiny: [UInt8] = [0x80, 0x03, 0x01, 0x00, 0x02]
        var stream = RecordStream()
        XCTAssertEqual(stream.feed(tiny, cutAt: [1, 2, 3, 4]), [.sslv2(length: 3, body: [0x01, 0x00, 0x02])])
        var unwanted = RecordStream()
        unwanted.wantedBodies = 0
        XCTAssertEqual(unwanted.feed(tiny, cutAt: [2]), [.sslv2(length: 3, body: nil)])
    }

    func testSSLv2CompatibleHelloThenTLSFraming() {
        let bytes = Captured.zeekSSLv3Client
        let useTLS: (inout RecordStream, StreamEvent) -> Void = { stream, event in
            if case .sslv2 = event {
                XCTAssertTrue(stream.isSSLv2Framing)
                stream.useTLSFraming()
                XCTAssertFalse(stream.isSSLv2Framing)
            }
        }
        let expected: [StreamEvent] = [
            .sslv2(length: 85, body: Array(bytes[2..<87])),
            .record(type: 22, version: 0x0301, length: 134, body: Array(bytes[92..<226])),
            .record(type: 20, version: 0x0301, length: 1, body: [1]),
            .record(type: 22, version: 0x0301, length: 32, body: Array(bytes[237..<269])),
        ]
        var stream = RecordStream()
        XCTAssertEqual(stream.feed(bytes, onItem: useTLS), expected)
        for cut in 1..<bytes.count {
            var split = RecordStream()
            let events = split.feed(bytes, cutAt: [cut], onItem: useTLS)
            if events != expected { XCTFail("split at \(cut): \(events)"); break }
        }
        // useTLSFraming does nothing while inside an SSLv2 record.
        var early = RecordStream()
        XCTAssertEqual(early.feed(Array(bytes[0..<40])), [])
        early.useTLSFraming()
        XCTAssertTrue(early.isSSLv2Framing)
    }

    func testSSLv2FramingCanBeImposedOnTheOtherDirection() {
        var stream = RecordStream()
        stream.useSSLv2Framing()
        XCTAssertTrue(stream.isSSLv2Framing)
        let events = stream.feed(Captured.zeekSSLv2Server)
        XCTAssertEqual(events, sslv2Events(Captured.zeekSSLv2Server, sslv2ServerExpected, wanted: true))
    }

    // MARK: - mid-stream pickup

    func testMidStreamPickupFindsTheNextRecord() {
        let bytes = Captured.ecdheTLS12Server
        let reference = wholeStreamEvents(bytes)
        XCTAssertEqual(wholeStreamEvents(Array(bytes[500...]), midstream: true), [.resynchronized(skipped: 485)] + reference[2...])
        XCTAssertEqual(wholeStreamEvents(Array(bytes[985...]), midstream: true), [.resynchronized(skipped: 0)] + reference[2...])
        var stream = RecordStream(midstream: true)
        XCTAssertNil(stream.recordVersion)
        XCTAssertNil(stream.gap(10), "a gap while scanning changes nothing")
        XCTAssertEqual(stream.mode, .resync)
        XCTAssertEqual(stream.feed(Array(bytes[1200...])).count, 1 + 5)
        XCTAssertEqual(stream.recordVersion, 0x0303)
        XCTAssertEqual(stream.mode, .tls)
    }

    // MARK: - robustness

    func testRandomBytesChunksAndGapsNeverTrap() {
        var rng = SeededGenerator(seed: 0xbad_5eed)
        let real = Captured.ecdheTLS12Server + Captured.zeekSSLv2Client
        for round in 0..<2000 {
            var stream = RecordStream(midstream: round % 5 == 0)
            stream.wantedBodies = UInt32.random(in: 0...UInt32.max, using: &rng)
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                if Int.random(in: 0..<6, using: &rng) == 0 {
                    if let item = stream.gap(Int.random(in: 1...20_000, using: &rng)) { check(StreamEvent(item)) }
                    continue
                }
                var chunk: [UInt8]
                if Bool.random(using: &rng) {
                    chunk = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                } else {
                    // Real bytes with a few flipped: plausible headers with broken contents.
                    let start = Int.random(in: 0..<real.count, using: &rng)
                    chunk = Array(real[start..<Swift.min(real.count, start + Int.random(in: 1...700, using: &rng))])
                    for _ in 0..<Int.random(in: 0...3, using: &rng) { chunk[Int.random(in: 0..<chunk.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                }
                for event in stream.feed(chunk, startsSegment: Bool.random(using: &rng)) { check(event) }
            }
        }
    }

    private func check(_ event: StreamEvent) {
        switch event {
        case .record(_, _, let length, let body?), .sslv2(let length, let body?):
            XCTAssertEqual(body.count, length)
        case .startedAfterPlaintext(let skipped), .resynchronized(let skipped), .plaintextOnly(let skipped):
            XCTAssertGreaterThanOrEqual(skipped, 0)
        default:
            break
        }
    }

    func testGrowableBufferCapAndRelease() {
        let buffer = GrowableBuffer(limit: 10)
        let eight: [UInt8] = Array(1...8)
        XCTAssertTrue(eight.withUnsafeBytes { buffer.append($0) })
        XCTAssertFalse(eight.withUnsafeBytes { buffer.append($0) }, "over the cap")
        XCTAssertEqual(buffer.count, 8)
        buffer.removeFirst(3)
        XCTAssertEqual(Array(buffer.bytes), [4, 5, 6, 7, 8])
        XCTAssertTrue(([9, 10, 11] as [UInt8]).withUnsafeBytes { buffer.append($0) })
        XCTAssertEqual(Array(buffer.bytes), [4, 5, 6, 7, 8, 9, 10, 11])
        buffer.removeFirst(100)
        XCTAssertEqual(buffer.count, 0)
        XCTAssertNil(buffer.bytes.baseAddress, "an empty buffer holds no memory")
    }
}
