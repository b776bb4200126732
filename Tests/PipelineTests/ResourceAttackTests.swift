import Foundation
import TLSDumpAnalysis
import TLSDumpFlow
import XCTest

/// Hostile input, part 2 (issue 8): captures built to exhaust tlsdump —
/// floods of connections, of segments, of records, of certificates, of
/// extensions. Each is generated here (pcap bytes built in Swift), run
/// through the real binary with `--format json`, and must finish in time,
/// peak under 512 MiB resident, account for what it dropped in `stats`, and
/// write valid JSON lines.
final class ResourceAttackTests: XCTestCase {
    static let peakLimitKiB = 512 * 1024
    static let timeLimit: Double = 120

    private var workDir: URL!

    override func setUpWithError() throws {
        workDir = try HostileInput.temporaryDirectory("attacks-\(name.filter { $0.isLetter })")
    }

    /// TLSDUMP_KEEP_ATTACKS=1 keeps the generated captures (their path is printed).
    override func tearDownWithError() throws {
        if ProcessInfo.processInfo.environment["TLSDUMP_KEEP_ATTACKS"] == "1" {
            print("attack captures kept in \(workDir.path)")
        } else {
            try? FileManager.default.removeItem(at: workDir)
        }
    }

    /// Writes the capture, runs it, checks the common contract; returns the
    /// run and its events (the last one is the final `stats`).
    private func attack(_ name: String, _ capture: AttackCapture, arguments: [String] = [],
                        file: StaticString = #filePath, line: UInt = #line) throws -> (HostileProcess.Result, [[String: Any]]) {
        let path = workDir.appendingPathComponent("\(name).pcap").path
        try Data(capture.bytes).write(to: URL(fileURLWithPath: path))
        let run = try HostileProcess.run(["-r", path, "--format", "json"] + arguments, timeLimit: Self.timeLimit)
        print("attack \(name): \(capture.packets) packets, \(capture.bytes.count) bytes, "
              + String(format: "%.2f s, peak %d KiB", run.seconds, run.peakResidentKiB))
        for problem in HostileInput.problems(with: run, expectingStatus: [0]) {
            XCTFail("\(name): \(problem)", file: file, line: line)
        }
        XCTAssertLessThan(run.peakResidentKiB, Self.peakLimitKiB, "\(name): peak resident set", file: file, line: line)
        let events = HostileInput.events(run)
        XCTAssertEqual(events.last?["type"] as? String, "stats", "\(name): the run ends with stats", file: file, line: line)
        return (run, events)
    }

    private func stats(_ events: [[String: Any]]) -> (reassembly: [String: Int], decode: [String: Int], top: [String: Any]) {
        let last = events.last ?? [:]
        return ((last["reassembly"] as? [String: Int]) ?? [:], (last["decode"] as? [String: Int]) ?? [:], last)
    }

    // MARK: - Floods

    /// 500,000 SYNs from distinct (address, port) pairs: more than the flow
    /// table holds (131,072 by default), so the oldest are evicted and counted.
    func testSYNFloodEvictsAndCounts() throws {
        let count = 500_000
        var capture = AttackCapture()
        capture.reserve(packets: count, payload: 0)
        for i in 0..<count {
            let client = Endpoint4(address: 0x0a00_0000 | UInt32(i / 50_000), port: UInt16(10_000 + i % 50_000))
            capture.tcp(from: client, to: .server, seq: UInt32(truncatingIfNeeded: i &* 7919), ack: 0, flags: .syn,
                        time: Int64(i) * 10)
        }
        let (_, events) = try attack("syn-flood", capture)
        let (reassembly, decode, top) = stats(events)
        XCTAssertEqual(decode["tcp"], count)
        XCTAssertEqual(top["tcp_connections"] as? Int, count, "every SYN opened a connection")
        XCTAssertEqual(reassembly["evicted"], count - FlowTableLimits.default.maxFlows, "connections beyond the table's capacity are evicted and counted")
        XCTAssertEqual(top["open_connections_peak"] as? Int, FlowTableLimits.default.maxFlows, "the peak is the table's capacity")
        XCTAssertEqual(top["open_connections"] as? Int, 0, "the end of input released every connection")
    }

    /// 20,000 connections that open and close within 1.2 s of capture time:
    /// closed connections linger 2 s for late packets, but at most 4,096 of
    /// them (AnalyzerConfig.maxLingeringConnections); memory follows the open
    /// connections, not the closing rate, and every connection is still reported.
    func testFastClosingConnectionsLingerWithinTheCap() throws {
        let count = 20_000
        var capture = AttackCapture()
        capture.reserve(packets: count * 6, payload: 0)
        for i in 0..<count {
            let client = Endpoint4(address: 0x0a01_0000 | UInt32(i / 40_000), port: UInt16(20_000 + i % 40_000))
            let t = Int64(i) * 60
            let c: UInt32 = 1_000, s: UInt32 = 900_000
            capture.tcp(from: client, to: .server, seq: c - 1, ack: 0, flags: .syn, time: t)
            capture.tcp(from: .server, to: client, seq: s - 1, ack: c, flags: [.syn, .ack], time: t + 10)
            capture.tcp(from: client, to: .server, seq: c, ack: s, flags: .ack, time: t + 20)
            capture.tcp(from: client, to: .server, seq: c, ack: s, flags: [.fin, .ack], time: t + 30)
            capture.tcp(from: .server, to: client, seq: s, ack: c + 1, flags: [.fin, .ack], time: t + 40)
            capture.tcp(from: client, to: .server, seq: c + 1, ack: s + 1, flags: .ack, time: t + 50)
        }
        // Then data from the server of the first 100, long reported (still within their 2 s):
        // late packets, not new connections.
        let late = 100
        for i in 0..<late {
            let client = Endpoint4(address: 0x0a01_0000 | UInt32(i / 40_000), port: UInt16(20_000 + i % 40_000))
            capture.tcp(from: .server, to: client, seq: 900_001, ack: 1_001, flags: [.ack, .psh], payload: [0x17, 3, 3, 0, 1, 0],
                        time: Int64(count) * 60 + Int64(i))
        }
        let (_, events) = try attack("fast-closing", capture, arguments: ["--threads", "1"])
        let (reassembly, _, top) = stats(events)
        XCTAssertEqual(top["tcp_connections"] as? Int, count, "late packets of reported connections open none")
        XCTAssertEqual(reassembly["late_after_close"], late, "late packets are counted")
        XCTAssertEqual(reassembly["evicted"], 0, "closed connections are reported early, not evicted")
        let peak = try XCTUnwrap(top["open_connections_peak"] as? Int)
        XCTAssertLessThanOrEqual(peak, AnalyzerConfig().maxLingeringConnections + 2, "lingering is capped")
        XCTAssertGreaterThan(peak, 1_000, "they did linger (2 s of capture time covers the whole file)")
    }

    /// One connection, 100,000 segments all arriving out of order (last
    /// first, the worst case for a sorted queue): the queue is capped
    /// (1,024 segments / 256 KiB), the holes become gaps, the time stays linear.
    func testHundredThousandOutOfOrderSegments() throws {
        let segments = 100_000, size = 64
        var capture = AttackCapture()
        capture.reserve(packets: segments + 4, payload: size)
        var conversation = Conversation(client: Endpoint4(address: 0x0a00_0001, port: 40_000), capture: capture)
        conversation.open()
        let base = conversation.clientNext
        var payload = [UInt8](repeating: 0x17, count: size)
        for i in (0..<segments).reversed() {
            payload[0] = UInt8(truncatingIfNeeded: i)
            conversation.capture.tcp(from: conversation.client, to: .server, seq: base &+ UInt32(i * size),
                                     ack: conversation.serverNext, flags: .ack, payload: payload, time: conversation.tick())
        }
        let (_, events) = try attack("out-of-order", conversation.capture)
        let (reassembly, _, _) = stats(events)
        // Last-first order: the queue fills to its cap (1,024 segments), the cap releases the
        // earliest with a gap before it, and everything older is then behind the stream.
        XCTAssertGreaterThanOrEqual(reassembly["out_of_order"] ?? 0, 1_024, "segments were queued out of order")
        XCTAssertGreaterThan(reassembly["gaps"] ?? 0, 0, "the capped queue declared gaps")
        XCTAssertGreaterThan(reassembly["retransmitted"] ?? 0, segments / 2, "older segments count as retransmissions")
    }

    /// A ClientHello whose segments are each contradicted: pairs are sent
    /// second-first, the queued one is retransmitted with other bytes before
    /// the hole fills, and every delivered one is retransmitted half a segment
    /// back with other bytes. The first copy wins: the SNI read is the original.
    func testDisagreeingOverlappingRetransmissions() throws {
        var conversation = Conversation(client: Endpoint4(address: 0x0a00_0002, port: 40_001), capture: AttackCapture())
        conversation.open()
        // 400 bytes of padding (extension 21): a dozen segments to contradict.
        let padding = TLSBytes.u16(21) + TLSBytes.u16(400) + [UInt8](repeating: 0, count: 400)
        let hello = TLSBytes.record(.handshake, TLSBytes.clientHello(serverName: "first.example", extraExtensions: padding))
        let base = conversation.clientNext
        let size = 40
        let liar = [UInt8](repeating: 0x41, count: size)
        func send(_ offset: Int, _ bytes: [UInt8]) {
            conversation.capture.tcp(from: conversation.client, to: .server, seq: base &+ UInt32(offset),
                                     ack: conversation.serverNext, flags: .ack, payload: bytes, time: conversation.tick())
        }
        func piece(_ start: Int) -> [UInt8] { Array(hello[start..<min(hello.count, start + size)]) }
        for first in stride(from: 0, to: hello.count, by: 2 * size) {
            let second = first + size
            if second < hello.count {
                send(second, piece(second))                            // queued out of order
                send(second, Array(liar.prefix(piece(second).count)))  // disagrees with the queued copy
            }
            send(first, piece(first))                                  // fills the hole: both delivered
            if first >= size / 2 { send(first - size / 2, liar) }      // disagrees with delivered bytes
        }
        conversation.clientNext = base &+ UInt32(hello.count)
        conversation.close()
        let (_, events) = try attack("overlap-conflicts", conversation.capture)
        let hellos = events.filter { $0["type"] as? String == "client_hello" }
        XCTAssertEqual(hellos.count, 1)
        XCTAssertEqual(hellos.first?["sni"] as? String, "first.example", "first copy wins over the disagreeing retransmissions")
        let (reassembly, _, _) = stats(events)
        XCTAssertGreaterThan(reassembly["retransmitted"] ?? 0, 0)
        XCTAssertGreaterThan(reassembly["out_of_order"] ?? 0, 0)
    }

    // MARK: - Oversized lengths

    /// A record header claiming 65,535 bytes (the most 16 bits can say; a
    /// record may carry 18 KiB at most): sync is lost, the flood after it is
    /// scanned, not buffered, and the handshake before it still reported.
    func testImpossibleRecordLength() throws {
        var conversation = Conversation(client: Endpoint4(address: 0x0a00_0003, port: 40_002), capture: AttackCapture())
        conversation.open()
        conversation.clientSends(TLSBytes.record(.handshake, TLSBytes.clientHello(serverName: "huge-record.example")))
        var flood: [UInt8] = [22, 3, 3, 0xff, 0xff]
        flood += [UInt8](repeating: 0x5a, count: 2_000_000)
        conversation.clientSends(flood)
        conversation.close()
        let (_, events) = try attack("huge-record", conversation.capture)
        XCTAssertEqual(events.first { $0["type"] as? String == "client_hello" }?["sni"] as? String, "huge-record.example")
        let (_, decode, _) = stats(events)
        XCTAssertGreaterThan(decode["tls_malformed"] ?? 0, 0, "the impossible header is counted as malformed")
    }

    /// A handshake message claiming 16 MB (0xffffff), its bytes split over
    /// a thousand full records: skipped by count, never buffered.
    func testHandshakeMessageClaimingSixteenMegabytes() throws {
        var conversation = Conversation(client: Endpoint4(address: 0x0a00_0004, port: 40_003), capture: AttackCapture())
        conversation.open()
        var message: [UInt8] = [1, 0xff, 0xff, 0xff]
        message += [UInt8](repeating: 0x33, count: 16_380)
        conversation.clientSends(TLSBytes.record(.handshake, message))
        let filler = TLSBytes.record(.handshake, [UInt8](repeating: 0x44, count: 16_384))
        for _ in 0..<1_000 { conversation.clientSends(filler) }
        conversation.close()
        let (run, events) = try attack("huge-handshake", conversation.capture)
        XCTAssertFalse(events.contains { $0["type"] as? String == "client_hello" }, "no hello is made up from the skipped bytes")
        XCTAssertLessThan(run.peakResidentKiB, 128 * 1024, "16 MB announced is not 16 MB allocated")
    }

    // MARK: - Oversized lists

    /// A Certificate message listing 1,000 certificates: the chain reported is capped.
    func testThousandCertificateChain() throws {
        var conversation = Conversation(client: Endpoint4(address: 0x0a00_0005, port: 40_004), capture: AttackCapture())
        conversation.open()
        conversation.clientSends(TLSBytes.record(.handshake, TLSBytes.clientHello(serverName: "chain.example")))
        var flight = TLSBytes.serverHello()
        flight += TLSBytes.certificateMessage((0..<1_000).map { TLSBytes.tinyCertificate($0) })
        flight += TLSBytes.handshake(14, [])  // ServerHelloDone
        conversation.serverSends(TLSBytes.records(.handshake, flight))
        conversation.close()
        let (_, events) = try attack("thousand-certificates", conversation.capture)
        let certificate = try XCTUnwrap(events.first { $0["type"] as? String == "certificate" }, "the certificate event is written")
        let chain = try XCTUnwrap(certificate["chain"] as? [[String: Any]])
        XCTAssertGreaterThan(chain.count, 0)
        XCTAssertLessThanOrEqual(chain.count, 64, "the chain is capped")
    }

    /// A ClientHello with 64 KB of extensions (16,000 empty ones), spread over four records.
    func testSixtyFourKilobytesOfExtensions() throws {
        var conversation = Conversation(client: Endpoint4(address: 0x0a00_0006, port: 40_005), capture: AttackCapture())
        conversation.open()
        var extra: [UInt8] = []
        for i in 0..<16_000 { extra += TLSBytes.u16(0x1000 + i) + [0, 0] }
        let hello = TLSBytes.clientHello(serverName: "many-extensions.example", extraExtensions: extra)
        XCTAssertGreaterThan(hello.count, 64_000)
        conversation.clientSends(TLSBytes.records(.handshake, hello))
        conversation.close()
        let (_, events) = try attack("many-extensions", conversation.capture)
        let event = try XCTUnwrap(events.first { $0["type"] as? String == "client_hello" }, "the hello is reported")
        XCTAssertEqual(event["sni"] as? String, "many-extensions.example")
        XCTAssertEqual((event["extensions"] as? [Any])?.count, 16_001)
    }
}

// MARK: - Building captures

struct Endpoint4 {
    var address: UInt32
    var port: UInt16
    static let server = Endpoint4(address: 0xc0a8_0001, port: 443)
}

struct TCPFlagBits: OptionSet {
    let rawValue: UInt8
    static let fin = TCPFlagBits(rawValue: 0x01)
    static let syn = TCPFlagBits(rawValue: 0x02)
    static let rst = TCPFlagBits(rawValue: 0x04)
    static let psh = TCPFlagBits(rawValue: 0x08)
    static let ack = TCPFlagBits(rawValue: 0x10)
}

/// A little-endian, microsecond pcap file of Ethernet/IPv4/TCP packets.
struct AttackCapture {
    private(set) var bytes: [UInt8] = []
    private(set) var packets = 0

    init() {
        for word: UInt32 in [0xa1b2_c3d4, 2 | 4 << 16, 0, 0, 262_144, 1] { appendLE(word) }
    }

    mutating func reserve(packets: Int, payload: Int) {
        bytes.reserveCapacity(bytes.count + packets * (16 + 54 + payload))
    }

    /// One TCP segment at `time` microseconds into the capture.
    mutating func tcp(from source: Endpoint4, to destination: Endpoint4, seq: UInt32, ack: UInt32,
                      flags: TCPFlagBits, payload: [UInt8] = [], time: Int64) {
        let length = 14 + 20 + 20 + payload.count
        let seconds = 1_700_000_000 + time / 1_000_000
        appendLE(UInt32(truncatingIfNeeded: seconds))
        appendLE(UInt32(truncatingIfNeeded: time % 1_000_000))
        appendLE(UInt32(length))
        appendLE(UInt32(length))
        // Ethernet
        bytes += [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00]
        // IPv4 (checksums are not checked by the decoder)
        let ipLength = UInt16(20 + 20 + payload.count)
        bytes += [0x45, 0, UInt8(ipLength >> 8), UInt8(ipLength & 0xff), 0, 0, 0x40, 0, 64, 6, 0, 0]
        appendBE(source.address)
        appendBE(destination.address)
        // TCP
        appendBE16(source.port)
        appendBE16(destination.port)
        appendBE(seq)
        appendBE(ack)
        bytes += [0x50, flags.rawValue, 0xff, 0xff, 0, 0, 0, 0]
        bytes += payload
        packets += 1
    }

    private mutating func appendLE(_ value: UInt32) {
        bytes += [UInt8(value & 0xff), UInt8(value >> 8 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 24)]
    }

    private mutating func appendBE(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    private mutating func appendBE16(_ value: UInt16) {
        bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
    }
}

/// One client talking to `Endpoint4.server`: handshake, data in MSS-sized
/// segments with the right sequence numbers, FIN.
struct Conversation {
    var client: Endpoint4
    var capture: AttackCapture
    var clientNext: UInt32 = 1_000
    var serverNext: UInt32 = 900_000_000
    private var clock: Int64 = 0
    static let mss = 1_460

    init(client: Endpoint4, capture: AttackCapture) {
        self.client = client
        self.capture = capture
    }

    mutating func tick() -> Int64 {
        clock += 50
        return clock
    }

    mutating func open() {
        capture.tcp(from: client, to: .server, seq: clientNext &- 1, ack: 0, flags: .syn, time: tick())
        capture.tcp(from: .server, to: client, seq: serverNext &- 1, ack: clientNext, flags: [.syn, .ack], time: tick())
        capture.tcp(from: client, to: .server, seq: clientNext, ack: serverNext, flags: .ack, time: tick())
    }

    mutating func clientSends(_ data: [UInt8]) {
        for start in stride(from: 0, to: data.count, by: Self.mss) {
            let piece = Array(data[start..<min(data.count, start + Self.mss)])
            capture.tcp(from: client, to: .server, seq: clientNext, ack: serverNext, flags: [.ack, .psh], payload: piece, time: tick())
            clientNext &+= UInt32(piece.count)
        }
    }

    mutating func serverSends(_ data: [UInt8]) {
        for start in stride(from: 0, to: data.count, by: Self.mss) {
            let piece = Array(data[start..<min(data.count, start + Self.mss)])
            capture.tcp(from: .server, to: client, seq: serverNext, ack: clientNext, flags: [.ack, .psh], payload: piece, time: tick())
            serverNext &+= UInt32(piece.count)
        }
    }

    mutating func close() {
        capture.tcp(from: client, to: .server, seq: clientNext, ack: serverNext, flags: [.fin, .ack], time: tick())
        capture.tcp(from: .server, to: client, seq: serverNext, ack: clientNext &+ 1, flags: [.fin, .ack], time: tick())
        capture.tcp(from: client, to: .server, seq: clientNext &+ 1, ack: serverNext &+ 1, flags: .ack, time: tick())
    }
}

/// TLS structures as bytes, just enough for the attacks.
enum TLSBytes {
    enum ContentType: UInt8 { case handshake = 22 }

    static func record(_ type: ContentType, _ body: [UInt8], version: UInt16 = 0x0303) -> [UInt8] {
        [type.rawValue, UInt8(version >> 8), UInt8(version & 0xff), UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
    }

    /// `data` split into full-size records (16 KiB bodies).
    static func records(_ type: ContentType, _ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: data.count, by: 16_384) {
            out += record(type, Array(data[start..<min(data.count, start + 16_384)]))
        }
        return out
    }

    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type] + u24(body.count) + body
    }

    static func u16(_ n: Int) -> [UInt8] { [UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] }
    static func u24(_ n: Int) -> [UInt8] { [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] }

    static func clientHello(serverName: String, extraExtensions: [UInt8] = []) -> [UInt8] {
        let name = Array(serverName.utf8)
        let sniBody = u16(name.count + 3) + [0] + u16(name.count) + name
        let extensions = [0, 0] + u16(sniBody.count) + sniBody + extraExtensions
        var body: [UInt8] = [3, 3] + [UInt8](repeating: 0x11, count: 32) + [0]
        body += u16(4) + [0xc0, 0x2f, 0x00, 0x9c]
        body += [1, 0]
        body += u16(extensions.count) + extensions
        return handshake(1, body)
    }

    static func serverHello() -> [UInt8] {
        var body: [UInt8] = [3, 3] + [UInt8](repeating: 0x22, count: 32) + [0]
        body += [0xc0, 0x2f, 0]
        body += u16(0)
        return handshake(2, body)
    }

    static func certificateMessage(_ certificates: [[UInt8]]) -> [UInt8] {
        let list = certificates.flatMap { u24($0.count) + $0 }
        return handshake(11, u24(list.count) + list)
    }

    /// A small DER SEQUENCE: not a valid certificate, but shaped like one's start.
    static func tinyCertificate(_ i: Int) -> [UInt8] {
        [0x30, 0x06, 0x02, 0x04] + [UInt8(i >> 24 & 0xff), UInt8(i >> 16 & 0xff), UInt8(i >> 8 & 0xff), UInt8(i & 0xff)]
    }
}
