import Foundation
import TLSDumpAnalysis
import TLSDumpCapture
import TLSDumpTLS
import XCTest

/// A pcapng's own key log (Decryption Secrets Block) decrypts like `-k`:
/// the JA4 project's Chrome capture, whose TCP connection (TLS 1.3, h2 to
/// cloudflare-quic.com) tshark decrypts with the block it carries
/// (NAME.oracle-tcp.json: server 2,8,25,15,20,4,4; client 1,20).
final class EmbeddedKeysTests: XCTestCase {
    static let name = "chrome-cloudflare-quic-with-secrets.pcapng"

    private func capture() throws -> URL {
        let url = Paths.sharedCaptures.appendingPathComponent("quic/" + Self.name)
        try XCTSkipUnless(FileManager.default.fileExists(atPath: url.path), "shared corpus missing: \(url.path)")
        return url
    }

    /// tshark's TCP connection: endpoints and handshake message names per side.
    private func oracle() throws -> (client: String, server: String, messages: [String: [String]]) {
        let url = Paths.sharedCaptures.appendingPathComponent("quic/" + Self.name + ".oracle-tcp.json")
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        XCTAssertEqual(list.count, 1, "one TCP connection")
        let connection = try XCTUnwrap(list.first)
        let handshake = try XCTUnwrap(connection["handshake"] as? [String: [Int]])
        var messages: [String: [String]] = [:]
        for (side, codes) in handshake {
            messages[side] = codes.map { TLSRegistry.handshakeTypeName(UInt8(truncatingIfNeeded: $0)) ?? "\($0)" }
        }
        return (try XCTUnwrap(connection["client"] as? String), try XCTUnwrap(connection["server"] as? String), messages)
    }

    /// The tlsdump built with these tests (beside the test bundle, whatever the
    /// scratch path), else the default debug build.
    private static let binary: URL = {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let beside = runner.deletingLastPathComponent().appendingPathComponent("tlsdump")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : Paths.tlsdump
    }()

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, outData, String(decoding: errData, as: UTF8.self))
    }

    func testEmbeddedKeyLogDecryptsTheTCPHandshakeInProcess() throws {
        let url = try capture()
        let oracle = try oracle()
        let found = try PcapngSecrets.keyLogs(atPath: url.path)
        var log = KeyLog()
        log.parse(bytes: found.keyLog)
        // Two TLS 1.3 connections (TCP and QUIC), four usable secrets each; EXPORTER_SECRET is ignored.
        XCTAssertEqual(log.count, 8)
        XCTAssertEqual(log.skippedLines, 0)

        let sink = try analyse(url) { $0.config.keys = KeyMaterial(keyLog: log) }
        let tcp = sink.connections.filter { oracleEndpoint($0.flow.client) == oracle.client && oracleEndpoint($0.flow.server) == oracle.server }
        let summary = try XCTUnwrap(tcp.first?.summary, "the TCP connection \(oracle.client) -> \(oracle.server)")
        XCTAssertEqual(tcp.count, 1)
        let messages = summary.handshakes.flatMap(\.messages)
        XCTAssertEqual(messages.filter { $0.sender == .client }.map { $0.type ?? "?" }, oracle.messages["client"])
        XCTAssertEqual(messages.filter { $0.sender == .server }.map { $0.type ?? "?" }, oracle.messages["server"])
        XCTAssertTrue(messages.filter(\.encrypted).allSatisfy(\.decrypted), "every encrypted message decrypted")
        XCTAssertEqual(summary.certificateRequest, "none", "seen, not inferred: the handshake was read")
        XCTAssertEqual(summary.alpn.map { String(decoding: $0, as: UTF8.self) }, "h2", "from the decrypted EncryptedExtensions")

        // Without keys the same connection shows only the clear hellos.
        let plain = try analyse(url)
        let plainTCP = try XCTUnwrap(plain.connections.first { oracleEndpoint($0.flow.client) == oracle.client }?.summary)
        XCTAssertEqual(plainTCP.handshakes.flatMap(\.messages).filter(\.decrypted).count, 0)
        XCTAssertNil(plainTCP.alpn)
    }

    /// The CLI reads the block by itself, with no -k; --no-embedded-keys turns that off.
    func testCLIUsesTheEmbeddedKeysUnlessTold() throws {
        let path = try capture().path
        let oracle = try oracle()
        for ignore in [false, true] {
            let r = try run(["-r", path, "--format", "json", "--type", "connection"] + (ignore ? ["--no-embedded-keys"] : []))
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stderr, "", "quiet either way")
            let events = try jsonLines(r.stdout)
            let tcp = try XCTUnwrap(events.first { event in
                let client = event["client"] as? [String: Any]
                return client?["port"] as? Int == 57098
            }, "the TCP connection in \(events.count) events")
            XCTAssertEqual(tcp["decrypted"] as? Bool, !ignore, "--no-embedded-keys: \(ignore)")
            let handshakes = try XCTUnwrap(tcp["handshakes"] as? [[String: Any]])
            let server = handshakes.flatMap { ($0["messages"] as? [[String: Any]]) ?? [] }
                .filter { $0["sender"] as? String == "server" }.map { $0["type"] as? String ?? "?" }
            if ignore {
                XCTAssertEqual(server.first, "ServerHello")
                XCTAssertFalse(server.contains("EncryptedExtensions"), "\(server)")
            } else {
                XCTAssertEqual(server, oracle.messages["server"])
            }
        }
    }

    /// With -k as well, both key logs count (a -k file of other keys does not hide the embedded ones).
    func testEmbeddedKeysAddToAKeyLogFile() throws {
        let path = try capture().path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = directory.appendingPathComponent("other.keys")
        let line = "CLIENT_RANDOM " + String(repeating: "11", count: 32) + " " + String(repeating: "22", count: 48) + "\n"
        try Data(line.utf8).write(to: other)
        let r = try run(["-r", path, "-k", other.path, "--format", "json", "--type", "connection"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let tcp = try XCTUnwrap(try jsonLines(r.stdout).first { ($0["client"] as? [String: Any])?["port"] as? Int == 57098 })
        XCTAssertEqual(tcp["decrypted"] as? Bool, true)
    }

    func testNoEmbeddedKeysIsAFileOption() throws {
        let r = try run(["-i", "lo", "--no-embedded-keys"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--no-embedded-keys only applies to reading a file"), r.stderr)
    }
}
