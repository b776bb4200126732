#if canImport(Glibc)
import Glibc
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpTrust
import XCTest

/// Heap held per open connection, measured with glibc's allocator statistics
/// (`mallinfo2().uordblks`: bytes in use) around feeding many synthetic
/// connections to one `TLSAnalyzer`. The figure includes everything a
/// connection costs while it stays in the table: its `Connection` object, the
/// lazily allocated TLS state, and its share of the flow table.
final class ConnectionMemoryTests: XCTestCase {
    /// Per-connection bounds asserted below (bytes). The target for an
    /// idle established TLS connection is under 2 KiB.
    ///
    /// Measured (Swift 6.3, x86-64, debug build): SYN-only ~600 (was ~870, ~2240
    /// before that); idle TLS 1.3 ~1620 (was ~1940, ~2930); idle TLS 1.2 with a
    /// server certificate ~1680 (was ~2000, ~3240; the certificate summary is
    /// one shared box per distinct certificate, the reassembly limits one shared
    /// object, and in-order data no longer creates the unusual-counters box).
    /// Issue 17 added ~110 bytes to an idle TLS 1.2 connection (1796 -> 1908 measured):
    /// the key exchange kept on each handshake, the shared chain verdict and its
    /// time, and nil pointers for the rare boxes (ECH, stapled OCSP/SCTs, compressed
    /// certificates, each side's plaintext preamble). Still under the 2 KiB target.
    static let maxBytesPerHandshakelessFlow = 704
    static let testPKI = ChainValidator(anchors: TrustAnchors(caFiles: [Paths.packageRoot.appendingPathComponent("captures/pki/ca.pem").path]))
    static let maxBytesPerIdleTLS12Connection = 1952
    static let maxBytesPerIdleTLS13Connection = 1856

    /// Discards every event (the events' own allocations are transient).
    private final class DiscardingSink: EventSink {
        var connectionEvents = 0
        var establishedConnections = 0
        let wantsTrace = false
        func emit(_ event: Event) {
            if case .connection(let summary) = event.body {
                connectionEvents += 1
                if summary.established { establishedConnections += 1 }
            }
        }
    }

    /// One packet of a template connection, its payload copied out.
    private struct TemplatePacket {
        var segment: TCPSegment
        var payload: [UInt8]
        var fromClient: Bool
    }

    /// glibc's `mallinfo2()`: bytes in use in the heap arenas (`uordblks`) plus
    /// those in chunks mmapped on their own (`hblkhd`: large arrays).
    /// `<malloc.h>` is not in Swift's Glibc module, so the function is looked up
    /// by name. It returns a 10-word struct, which the x86-64 SysV ABI returns
    /// through a hidden pointer passed as if it were the first argument: the
    /// call below is that call spelled out.
    private static func bytesInUse() throws -> Int {
        #if arch(x86_64)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallinfo2") else {   // RTLD_DEFAULT
            throw XCTSkip("mallinfo2 not available (glibc < 2.33)")
        }
        typealias MallInfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
        let call = unsafeBitCast(symbol, to: MallInfo2.self)
        var fields = [Int](repeating: 0, count: 10)   // arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost
        fields.withUnsafeMutableBytes { raw in _ = call(raw.baseAddress!) }
        if fields[7] + fields[4] == 0 {
            // AddressSanitizer (make test-asan) replaces malloc; glibc's counters stay at zero.
            throw XCTSkip("glibc's malloc is not in use (a sanitizer replaced it): nothing to measure")
        }
        return fields[7] + fields[4]
        #else
        throw XCTSkip("the mallinfo2 call is spelled out for x86-64 only")
        #endif
    }

    /// The packets of a bundled capture's connection up to its first FIN or RST
    /// (the connection stays open: established, data exchanged, then idle).
    private func template(_ name: String) throws -> [TemplatePacket] {
        let url = Paths.bundledCaptures.appendingPathComponent(name)
        let reader = try PcapReader.open(path: url.path)
        defer { reader.close() }
        var decoder = try PacketDecoder(linkType: reader.linkType)
        var packets: [TemplatePacket] = []
        var client: Endpoint?
        _ = reader.forEachPacket { header, bytes in
            guard let segment = decoder.decode(bytes, timestamp: header.timestamp) else { return true }
            let source = Endpoint(ip: segment.source, port: segment.sourcePort)
            if client == nil, segment.flags.contains(.syn), !segment.flags.contains(.ack) { client = source }
            guard !segment.flags.contains(.fin), !segment.flags.contains(.rst) else { return false }
            packets.append(TemplatePacket(segment: segment, payload: Array(segment.payload), fromClient: source == client))
            return true
        }
        XCTAssertNotNil(client, "\(name): no SYN")
        return packets
    }

    /// Feeds `count` copies of `packets` (each with its own client address and
    /// port) and returns the heap bytes they hold per connection.
    private func bytesPerConnection(_ packets: [TemplatePacket], count: Int, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let sink = DiscardingSink()
        // The template's chain is the test PKI's: trusted, the connection carries no
        // finding (a finding's id list would be counted too), only its verdict's pointer.
        var config = AnalyzerConfig()
        config.validator = Self.testPKI
        let analyzer = TLSAnalyzer(config: config, sink: sink)
        func feed(_ index: Int) {
            let clientIP = IPAddress(ipv4: 0x0A00_0000 &+ UInt32(index))
            let clientPort = UInt16(truncatingIfNeeded: 1024 &+ index % 60000)
            for packet in packets {
                var segment = packet.segment
                if packet.fromClient {
                    segment.source = clientIP
                    segment.sourcePort = clientPort
                } else {
                    segment.destination = clientIP
                    segment.destinationPort = clientPort
                }
                packet.payload.withUnsafeBytes { raw in
                    segment.payload = raw
                    analyzer.process(segment)
                }
            }
        }
        // Warm up one-time state (tables, lazily built statics) before measuring.
        let warm = 256
        for i in 0..<warm { feed(i) }
        let before = try Self.bytesInUse()
        for i in warm..<(warm + count) { feed(i) }
        let after = try Self.bytesInUse()
        XCTAssertEqual(analyzer.openConnections, warm + count, "every connection stays open", file: file, line: line)
        analyzer.finish()
        XCTAssertEqual(analyzer.openConnections, 0, file: file, line: line)
        return (after - before) / count
    }

    func testHandshakelessFlowMemory() throws {
        let packets = try template("ecdhe-tls12.pcap")
        let syn = try XCTUnwrap(packets.first { $0.segment.flags.contains(.syn) && !$0.segment.flags.contains(.ack) })
        let perFlow = try bytesPerConnection([syn], count: 20_000)
        print("ConnectionMemory: SYN-only TCP flow: \(perFlow) bytes per connection")
        XCTAssertGreaterThan(perFlow, 0)
        XCTAssertLessThanOrEqual(perFlow, Self.maxBytesPerHandshakelessFlow)
    }

    func testIdleEstablishedTLS12ConnectionMemory() throws {
        let packets = try template("ecdhe-tls12.pcap")
        XCTAssertTrue(packets.contains { $0.payload.count > 0 })
        let perConnection = try bytesPerConnection(packets, count: 5_000)
        print("ConnectionMemory: idle established TLS 1.2 connection: \(perConnection) bytes per connection")
        XCTAssertGreaterThan(perConnection, 0)
        // What it holds (malloc chunk sizes): the Connection object with both
        // reassemblers (512), the TLS state with both record streams (336), the
        // handshake array (224) and its 8-byte message entries (112), the boxed
        // server certificate summary (256: the strings are shared through the
        // analyser's cache, the 232-byte struct is not), the flow identity with its
        // Community ID (192), the packed fingerprints (~176), one alert (48), and the
        // flow-table entry (~140).
        XCTAssertLessThanOrEqual(perConnection, Self.maxBytesPerIdleTLS12Connection)
    }

    func testIdleEstablishedTLS13ConnectionMemory() throws {
        let packets = try template("tls13.pcap")
        let perConnection = try bytesPerConnection(packets, count: 5_000)
        print("ConnectionMemory: idle established TLS 1.3 connection: \(perConnection) bytes per connection")
        XCTAssertGreaterThan(perConnection, 0)
        XCTAssertLessThanOrEqual(perConnection, Self.maxBytesPerIdleTLS13Connection)
    }

    /// The template really is an established connection that then idles.
    func testTemplateConnectionsAreEstablished() throws {
        for name in ["ecdhe-tls12.pcap", "tls13.pcap"] {
            let packets = try template(name)
            let sink = DiscardingSink()
            let analyzer = TLSAnalyzer(sink: sink)
            for packet in packets {
                var segment = packet.segment
                packet.payload.withUnsafeBytes { raw in
                    segment.payload = raw
                    analyzer.process(segment)
                }
            }
            XCTAssertEqual(analyzer.openConnections, 1, name)
            analyzer.finish()
            XCTAssertEqual(sink.connectionEvents, 1, name)
            XCTAssertEqual(sink.establishedConnections, 1, name)
        }
    }
}
#endif
