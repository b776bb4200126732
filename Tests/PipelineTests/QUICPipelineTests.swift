import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpOutput
import TLSDumpPipeline
import TLSDumpTLS
import XCTest

/// QUIC through the whole pipeline on the shared captures and on captures
/// derived from them: what each capture shows, the trace view, findings,
/// migration, version negotiation, `--no-quic`.
final class QUICPipelineTests: XCTestCase {
    static func capture(_ name: String) -> URL { Paths.sharedCaptures.appendingPathComponent("quic/\(name)") }

    private func onlyQUIC(_ sink: CollectingSink, file: StaticString = #filePath, line: UInt = #line) throws -> (FlowIdentity, ConnectionSummary, QUICSummary) {
        let quic = sink.connections.filter { $0.summary.quic != nil }
        XCTAssertEqual(quic.count, 1, "one QUIC connection", file: file, line: line)
        let first = try XCTUnwrap(quic.first, file: file, line: line)
        return (first.flow, first.summary, try XCTUnwrap(first.summary.quic, file: file, line: line))
    }

    /// The trace names the packet and frame instead of a record header; without keys the
    /// Handshake packets are shown encrypted, the client's ending both flights.
    func testTraceShowsPacketsAndFrames() throws {
        let run = try runTLSDump(["-r", Self.capture("quic-go-handshake.pcap").path, "--format", "trace"])
        XCTAssertEqual(run.status, 0)
        let sink = try analyse(Self.capture("quic-go-handshake.pcap"))
        let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let body = lines.filter { $0.contains("QUIC") }.map { $0.replacing(#/^\+[0-9.]+s /#, with: "") }
        XCTAssertEqual(body, [
            ">>> QUIC Initial[0] CRYPTO [length 010a], ClientHello",
            "<<< QUIC Initial[0] CRYPTO [length 005a], ServerHello",
            "<<< QUIC Handshake [length 0461], encrypted handshake",
            "<<< QUIC Handshake [length 00ee], encrypted handshake",
            ">>> QUIC Handshake [length 004b], encrypted handshake",
        ])
        let (_, summary, quic) = try onlyQUIC(sink)
        XCTAssertEqual(summary.handshakes.first?.outcome, .completed)
        XCTAssertEqual(quic.versionName, "QUICv1")
        XCTAssertEqual(quic.clientTransportParameters?.ids.isEmpty, false)
        XCTAssertNil(quic.serverTransportParameters, "the server's are encrypted")
        XCTAssertEqual(summary.unknownReasons.first { $0.0 == "alpn" }.map { _ in true }, true, "alpn unknown, with the reason")
    }

    /// A ClientHello across three Initials, zero padding after the packets, a post-quantum key share.
    func testClientHelloAcrossInitialsWithPadding() throws {
        let sink = try analyse(Self.capture("quic-39264-rand.pcap"))
        let (flow, summary, quic) = try onlyQUIC(sink)
        XCTAssertEqual(summary.sni, "tr6.snapchat.com")
        XCTAssertEqual(quic.paddingBytes.client, 697, "zero bytes after the last packet are padding")
        XCTAssertEqual(quic.undecryptable.client + quic.undecryptable.server, 0)
        let hello = try XCTUnwrap(sink.events.lazy.compactMap { e -> ClientHello? in
            if case .clientHello(let h) = e.body, e.flow?.flowID == flow.flowID { return h.hello }
            return nil
        }.first)
        XCTAssertEqual(hello.keyShareGroups.first, 0x11ec, "X25519MLKEM768 first")
        XCTAssertTrue(hello.extensionTypes.contains(0xfe0d), "encrypted_client_hello offered")
        XCTAssertEqual(summary.resumed, true)
    }

    /// 0-RTT packets before any Initial open the connection; the client's first
    /// Destination Connection ID keys every Initial even after it switches ids.
    func testZeroRTTFirstAndInitialKeysFromTheFirstDestinationID() throws {
        let (_, summary, quic) = try onlyQUIC(try analyse(Self.capture("quic-decrypt-fail-google-de-51833.pcap")))
        XCTAssertEqual(summary.sni, "www.google.de")
        XCTAssertEqual(quic.packets.client.zeroRTT, 3)
        XCTAssertEqual(quic.packets.client.initial, 10)
        XCTAssertEqual(quic.undecryptable.client + quic.undecryptable.server, 0, "every Initial opened")
        XCTAssertTrue(summary.established)
    }

    /// Mangled Initials: counted, reported once as quic.decryption_failed, no crash.
    /// A long header of an unknown version is not QUIC tlsdump can read: no connection.
    func testBrokenAndUnknownPackets() throws {
        let crash = try analyse(Self.capture("383379789-decrypt-crash.pcap"))
        let (_, summary, quic) = try onlyQUIC(crash)
        XCTAssertEqual(quic.packets.client.initial, 3)
        XCTAssertEqual(quic.undecryptable.client, 3)
        XCTAssertFalse(summary.established)
        XCTAssertEqual(crash.findings.filter { $0.id == .quicDecryptionFailed }.count, 1)
        XCTAssertEqual(summary.findingIDs, [.quicDecryptionFailed])

        let unknown = try analyse(Self.capture("vector-max-size-crash.pcap"))
        XCTAssertTrue(unknown.connections.isEmpty)
    }

    /// `--no-quic`: UDP is not even decoded.
    func testNoQUICLeavesUDPAlone() throws {
        let sink = try analyse(Self.capture("quic-go-handshake.pcap")) { $0.config.quic = false }
        XCTAssertTrue(sink.connections.isEmpty)
        let stats = try XCTUnwrap(sink.events.lazy.compactMap { e -> StatsEvent? in
            if case .stats(let s) = e.body { return s }
            return nil
        }.first)
        XCTAssertEqual(stats.quicConnections, 0)
        XCTAssertEqual(stats.decode.first { $0.0 == "udp" }?.1, 0)
    }

    /// The client moves to a new port after the handshake (NAT rebinding): its
    /// 1-RTT packets carry the server's connection id and stay in the connection.
    func testClientThatMovesStaysOneConnection() throws {
        var pcap = try ClassicPcap(Data(contentsOf: Self.capture("quic-go-handshake.pcap")))
        // PPP (2 bytes) + IPv4 (20): the UDP source port at 22, QUIC at 30. Client 1-RTT packets move to port 40085.
        var moved = 0
        for index in pcap.records.indices {
            let packet = pcap.records[index].data
            guard packet.count > 30, packet[1] == 0x21, packet[22] == 0x9c, packet[23] == 0x94, packet[30] & 0x80 == 0 else { continue }  // 40084, short header
            pcap.records[index].data[23] = 0x95
            moved += 1
        }
        XCTAssertGreaterThan(moved, 0)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quic-moved-\(getpid()).pcap")
        try pcap.bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (_, _, quic) = try onlyQUIC(try analyse(url))
        XCTAssertEqual(quic.paths, 2)
        XCTAssertEqual(quic.packets.client.short, 3, "the moved packets are counted in the connection")
    }

    /// A server that answers with Version Negotiation: the versions it offered are told.
    func testVersionNegotiationIsReported() throws {
        var pcap = try ClassicPcap(Data(contentsOf: Self.capture("quic-go-handshake.pcap")))
        // The client's first Initial (after four ICMPv6 packets); PPP + IPv4: UDP at 22, QUIC at 30.
        let first = try XCTUnwrap(pcap.records.first { $0.data.count > 1000 && $0.data[1] == 0x21 })
        let quic = 30
        let dcidLength = Int(first.data[quic + 5])
        let dcid = Array(first.data[(quic + 6)..<(quic + 6 + dcidLength)])
        let scidLength = Int(first.data[quic + 6 + dcidLength])
        let scid = Array(first.data[(quic + 7 + dcidLength)..<(quic + 7 + dcidLength + scidLength)])
        var vn: [UInt8] = [0xc5, 0, 0, 0, 0, UInt8(scid.count)] + scid + [UInt8(dcid.count)] + dcid
        vn += [0x6b, 0x33, 0x43, 0xcf, 0x1a, 0x2a, 0x3a, 0x4a]
        // Same link and IPv4 header as the client's packet, addresses and ports swapped.
        var packet = Array(first.data[0..<quic])
        let source = Array(packet[14..<18]), destination = Array(packet[18..<22])
        packet.replaceSubrange(14..<18, with: destination)
        packet.replaceSubrange(18..<22, with: source)
        packet.replaceSubrange(22..<26, with: [packet[24], packet[25], packet[22], packet[23]])
        let udpLength = 8 + vn.count, ipLength = 20 + udpLength
        packet[26] = UInt8(udpLength >> 8); packet[27] = UInt8(udpLength & 0xff)
        packet[4] = UInt8(ipLength >> 8); packet[5] = UInt8(ipLength & 0xff)
        packet += vn
        pcap.records = [first, ClassicPcap.Record(seconds: first.seconds, fraction: first.fraction + 1000, data: packet)]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quic-vn-\(getpid()).pcap")
        try pcap.bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (_, _, summary) = try onlyQUIC(try analyse(url))
        XCTAssertEqual(summary.packets.server.versionNegotiation, 1)
        XCTAssertEqual(summary.versionsOffered, [0x6b33_43cf, 0x1a2a_3a4a])
    }

    /// With the capture's own key log (a pcapng Decryption Secrets Block) and
    /// `-x`, 1-RTT packets open: STREAM data is dumped, the server's
    /// NewSessionTickets are read; without `-x` they are only counted.
    func testHexTraceOpensOneRTTPacketsWithTheEmbeddedKeys() throws {
        let path = Self.capture("chrome-cloudflare-quic-with-secrets.pcapng").path
        let run = try runTLSDump(["-r", path, "--format", "trace", "-x"])
        XCTAssertEqual(run.status, 0)
        let text = String(decoding: run.stdout, as: UTF8.self)
        let quic = text.split(separator: "\n").filter { $0.contains("QUIC") }
        XCTAssertTrue(quic.contains { $0.contains("<<< QUIC Handshake[1] CRYPTO") && $0.hasSuffix("decrypted, Finished") }, text)
        XCTAssertTrue(quic.contains { $0.contains(">>> QUIC 1-RTT[") && $0.contains("STREAM 0 FIN") }, "the request on stream 0")
        XCTAssertEqual(quic.filter { $0.contains("1-RTT[") && $0.hasSuffix("NewSessionTicket") }.count, 2)
        XCTAssertTrue(text.contains("0000  "), "a hex dump of STREAM data")
        let plain = String(decoding: try runTLSDump(["-r", path, "--format", "trace"]).stdout, as: UTF8.self)
        XCTAssertFalse(plain.contains("1-RTT["), "without -x 1-RTT packets are not opened")
        XCTAssertTrue(plain.contains("decrypted, EncryptedExtensions"))
    }

    /// A flood of client Initials from 3,000 ports with the table capped at
    /// 100: connections are evicted and counted, never more than the cap are
    /// held, and every one is still reported.
    func testInitialFloodIsBoundedByTheFlowTable() throws {
        var pcap = try ClassicPcap(Data(contentsOf: Self.capture("quic-go-handshake.pcap")))
        let initial = try XCTUnwrap(pcap.records.first { $0.data.count > 1000 && $0.data[1] == 0x21 })
        pcap.records = (0..<3000).map { n in
            var record = initial
            record.data[22] = UInt8(0x80 | (n >> 8)); record.data[23] = UInt8(n & 0xff)   // source port 32768 + n
            record.fraction = UInt32(n)
            return record
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quic-flood-\(getpid()).pcap")
        try pcap.bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let sink = try analyse(url) { $0.config.flowLimits.maxFlows = 100 }
        XCTAssertEqual(sink.connections.count, 3000, "each Initial is a connection, reported once")
        XCTAssertTrue(sink.connections.allSatisfy { $0.summary.sni == "server4:443" })
        let stats = try XCTUnwrap(sink.events.lazy.compactMap { e -> StatsEvent? in
            if case .stats(let s) = e.body { return s }
            return nil
        }.first)
        XCTAssertEqual(stats.quicConnections, 3000)
        XCTAssertLessThanOrEqual(stats.openConnectionsPeak ?? .max, 100)
        XCTAssertEqual(stats.reassembly.evicted, 2900)
        XCTAssertEqual(sink.connections.filter { $0.summary.evicted }.count, 2900)
    }
}

/// A classic little-endian pcap file, record by record (for deriving test captures).
struct ClassicPcap {
    struct Record {
        var seconds: UInt32
        var fraction: UInt32
        var data: [UInt8]
    }

    var header: [UInt8]
    var records: [Record] = []

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 24, bytes[0] == 0xd4, bytes[1] == 0xc3 else { throw CocoaError(.fileReadCorruptFile) }
        header = Array(bytes[0..<24])
        var offset = 24
        func u32(_ at: Int) -> UInt32 { UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24 }
        while offset + 16 <= bytes.count {
            let length = Int(u32(offset + 8))
            guard offset + 16 + length <= bytes.count else { break }
            records.append(Record(seconds: u32(offset), fraction: u32(offset + 4), data: Array(bytes[(offset + 16)..<(offset + 16 + length)])))
            offset += 16 + length
        }
    }

    var bytes: Data {
        var out = header
        func put(_ v: UInt32) { out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
        for r in records {
            put(r.seconds); put(r.fraction); put(UInt32(r.data.count)); put(UInt32(r.data.count))
            out += r.data
        }
        return Data(out)
    }
}
