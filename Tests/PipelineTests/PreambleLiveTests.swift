import Foundation
import TLSDumpAnalysis
import TLSDumpTLS
import XCTest

/// TLS after plaintext, and TLS on a SYN, between real peers on loopback,
/// captured by tcpdump (Peers/preamble_peers.py) and analysed in-process:
/// `openssl s_client -starttls PROTO` against a scripted server, a real
/// PostgreSQL server and psql, and a TCP Fast Open client. A missing tool
/// fails the test with the script's message: nothing is skipped.
final class PreambleLiveTests: XCTestCase {
    static let script = Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Peers/preamble_peers.py")

    struct Run {
        let directory: URL
        let sink: CollectingSink
        let pcap: URL
    }

    /// Runs one mode of the script and analyses its capture.
    private func run(_ mode: String, _ extra: [String] = []) throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-preamble-\(mode)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [PreambleLiveTests.script.path, mode, directory.path] + extra
        let out = Pipe(), err = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The script limits itself (60 s at most); its output is small.
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            XCTFail("preamble_peers.py \(mode) failed (\(process.terminationStatus)): \(stderr); files in \(directory.path)")
            throw CocoaError(.fileReadUnknown)
        }
        let pcap = URL(fileURLWithPath: stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        return Run(directory: directory, sink: try analyse(pcap), pcap: pcap)
    }

    private func finish(_ run: Run) {
        if (testRun?.totalFailureCount ?? 0) > 0 {
            print("PreambleLiveTests: capture kept in \(run.pcap.path)")
        } else {
            try? FileManager.default.removeItem(at: run.directory)
        }
    }

    /// The one connection: TLS found after the plaintext, the hellos and the certificate read, no false finding.
    private func assertUpgraded(_ run: Run, starttls: String, client: Int? = nil, server: Int? = nil,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(run.sink.connections.count, 1, "\(run.pcap.path)", file: file, line: line)
        let c = try XCTUnwrap(run.sink.connections.first?.summary, file: file, line: line)
        XCTAssertEqual(c.starttls, starttls, file: file, line: line)
        XCTAssertEqual(c.version, ProtocolVersion.tls13, file: file, line: line)
        XCTAssertTrue(c.established, file: file, line: line)
        XCTAssertEqual(c.sni, "localhost", file: file, line: line)
        if let client { XCTAssertEqual(c.plaintextBytes?.client, client, file: file, line: line) }
        if let server { XCTAssertEqual(c.plaintextBytes?.server, server, file: file, line: line) }
        let types = c.handshakes.first?.messages.filter { !$0.encrypted }.map(\.type) ?? []
        XCTAssertEqual(types, ["ClientHello", "ServerHello"], file: file, line: line)
        XCTAssertEqual(run.sink.findings.map(\.id.rawValue).filter { $0 == "not_tls" || $0 == "tls.malformed" }, [], file: file, line: line)
        XCTAssertTrue(run.sink.events.contains { if case .serverHello = $0.body { return true } else { return false } }, file: file, line: line)
    }

    // MARK: - s_client -starttls against a scripted server

    func testSMTP() throws {
        let r = try run("starttls-smtp")
        // "EHLO mail.example.com\r\n" (23, s_client's default name) and "STARTTLS\r\n" (10); the greeting (30), the EHLO answer (49) and "220 2.0.0 Ready to start TLS\r\n" (29).
        try assertUpgraded(r, starttls: "smtp", client: 33, server: 30 + 49 + 29)
        finish(r)
    }

    func testIMAP() throws {
        let r = try run("starttls-imap")
        try assertUpgraded(r, starttls: "imap", client: 26)
        finish(r)
    }

    func testPOP3() throws {
        let r = try run("starttls-pop3")
        try assertUpgraded(r, starttls: "pop3", client: 6, server: 16 + 27)
        finish(r)
    }

    func testFTP() throws {
        let r = try run("starttls-ftp")
        try assertUpgraded(r, starttls: "ftp", client: 10, server: 13 + 14 + 19)
        finish(r)
    }

    func testXMPP() throws {
        let r = try run("starttls-xmpp")
        try assertUpgraded(r, starttls: "xmpp")
        finish(r)
    }

    func testLDAP() throws {
        let r = try run("starttls-ldap")
        try assertUpgraded(r, starttls: "ldap", client: 31, server: 14)
        finish(r)
    }

    func testIRC() throws {
        let r = try run("starttls-irc")
        try assertUpgraded(r, starttls: "irc", client: 10)
        finish(r)
    }

    // MARK: - PostgreSQL: the one-byte 'S'

    /// s_client sends the SSLRequest and waits for 'S': the 'S' is a segment of its own,
    /// and the ServerHello starts the next one.
    func testPostgresSInItsOwnSegment() throws {
        let r = try run("starttls-postgres")
        try assertUpgraded(r, starttls: "postgresql", client: 8, server: 1)
        let sizes = try serverPayloadSizes(r.pcap)
        XCTAssertEqual(sizes.first, 1, "the 'S' alone: \(sizes)")
        finish(r)
    }

    /// A pipelining client: SSLRequest and ClientHello in one segment, 'S' and the ServerHello flight in one.
    func testPostgresSCoalescedWithTheServerHello() throws {
        let r = try run("starttls-postgres", ["--coalesce"])
        XCTAssertEqual(r.sink.connections.count, 1)
        let c = try XCTUnwrap(r.sink.connections.first?.summary)
        XCTAssertEqual(c.starttls, "postgresql")
        XCTAssertEqual(c.plaintextBytes, SidePair(client: 8, server: 1))
        XCTAssertEqual(c.version, ProtocolVersion.tls13)
        XCTAssertTrue(c.established)
        XCTAssertEqual(c.sni, "peer.example")
        let sizes = try serverPayloadSizes(r.pcap)
        XCTAssertGreaterThan(sizes.first ?? 0, 100, "'S' and the ServerHello in one segment: \(sizes)")
        finish(r)
    }

    /// The real thing: a PostgreSQL server with ssl=on and psql with sslmode=require.
    func testRealPostgreSQL() throws {
        let r = try run("postgresql")
        XCTAssertEqual(r.sink.connections.count, 1)
        let c = try XCTUnwrap(r.sink.connections.first?.summary)
        XCTAssertEqual(c.starttls, "postgresql")
        XCTAssertEqual(c.plaintextBytes, SidePair(client: 8, server: 1))
        XCTAssertEqual(c.version, ProtocolVersion.tls13)
        XCTAssertTrue(c.established)
        XCTAssertFalse(r.sink.findings.contains { $0.id.rawValue == "not_tls" || $0.id.rawValue == "tls.malformed" },
                       "\(r.sink.findings.map(\.id.rawValue))")
        finish(r)
    }

    // MARK: - TCP Fast Open

    /// The ClientHello rides on the SYN (with the cookie of an earlier connection): it is dissected.
    func testTCPFastOpenClientHelloOnTheSYN() throws {
        let r = try run("tfo")
        let synPayload = try firstPayload(r.pcap, syn: true)
        XCTAssertGreaterThan(synPayload, 200, "the capture's SYN carries the ClientHello")
        XCTAssertEqual(r.sink.connections.count, 1)
        let c = try XCTUnwrap(r.sink.connections.first?.summary)
        XCTAssertEqual(c.sni, "peer.example")
        XCTAssertEqual(c.version, ProtocolVersion.tls13)
        XCTAssertTrue(c.established)
        XCTAssertNil(c.starttls)
        XCTAssertEqual(c.gaps, 0)
        finish(r)
    }

    // MARK: - reading the capture back

    /// TCP payload sizes of the server's (source port = the lower listening side's) data segments, in order.
    private func serverPayloadSizes(_ pcap: URL) throws -> [Int] {
        try segments(pcap).filter { $0.fromServer && $0.payload > 0 }.map(\.payload)
    }

    private func firstPayload(_ pcap: URL, syn: Bool) throws -> Int {
        try XCTUnwrap(segments(pcap).first { $0.syn == syn && !$0.fromServer }).payload
    }

    /// Reads an Ethernet/IPv4/TCP pcap (what tcpdump writes on lo) without tlsdump.
    private func segments(_ pcap: URL) throws -> [(fromServer: Bool, syn: Bool, payload: Int)] {
        let data = [UInt8](try Data(contentsOf: pcap))
        var out: [(Bool, Bool, Int)] = []
        var offset = 24
        var serverPort: Int?
        while offset + 16 <= data.count {
            let caplen = Int(data[offset + 8]) | Int(data[offset + 9]) << 8 | Int(data[offset + 10]) << 16 | Int(data[offset + 11]) << 24
            let p = offset + 16
            offset = p + caplen
            guard offset <= data.count, caplen >= 14 + 20 + 20, data[p + 12] == 0x08, data[p + 13] == 0x00 else { continue }
            let ip = p + 14
            let ihl = Int(data[ip] & 0x0f) * 4
            let total = Int(data[ip + 2]) << 8 | Int(data[ip + 3])
            let tcp = ip + ihl
            let source = Int(data[tcp]) << 8 | Int(data[tcp + 1])
            let flags = data[tcp + 13]
            let tcpHeader = Int(data[tcp + 12] >> 4) * 4
            if flags & 0x12 == 0x02 { serverPort = Int(data[tcp + 2]) << 8 | Int(data[tcp + 3]) }
            out.append((source == serverPort, flags & 0x02 != 0, total - ihl - tcpHeader))
        }
        return out
    }
}
