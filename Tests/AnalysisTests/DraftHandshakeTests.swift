@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// A TLS 1.3 draft handshake before draft 16 through the analyser: the ServerHello
/// without session id and compression is read, named and not flagged malformed.
final class DraftHandshakeTests: XCTestCase {
    private func serverHello(version: UInt16) -> [UInt8] {
        let keyShare: [UInt8] = [0x00, 0x28, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20] + [UInt8](repeating: 0x11, count: 32)
        return [UInt8(version >> 8), UInt8(version & 0xff)] + Wire.random + [0x13, 0x01]
            + [0x00, UInt8(keyShare.count)] + keyShare
    }

    private func run(serverVersion: UInt16) throws -> (ConnectionSummary, [String]) {
        let wire = Wire()
        // Drafts before 16 offered 0x0304 as the ClientHello's version (no supported_versions yet).
        var hello = Wire.clientHello(suite: 0x1301)
        hello[0] = 0x03
        hello[1] = 0x04
        wire.handshake(.client, HandshakeType.clientHello, hello)
        wire.handshake(.server, HandshakeType.serverHello, serverHello(version: serverVersion))
        wire.record(.server, ContentType.applicationData, [UInt8](repeating: 0x77, count: 900))   // encrypted flight
        wire.record(.client, ContentType.applicationData, [UInt8](repeating: 0x66, count: 53))    // encrypted Finished
        wire.record(.client, ContentType.applicationData, [UInt8](repeating: 0x55, count: 100))
        wire.record(.server, ContentType.applicationData, [UInt8](repeating: 0x44, count: 100))
        let summary = try XCTUnwrap(wire.finish())
        return (summary, wire.sink.findings.map(\.id.rawValue))
    }

    func testDraft14() throws {
        let (c, findings) = try run(serverVersion: 0x7f0e)
        XCTAssertEqual(c.version, 0x7f0e)
        XCTAssertEqual(TLSRegistry.versionName(c.version ?? 0), "TLSv1.3-draft14")
        XCTAssertEqual(c.cipherSuite, 0x1301)
        XCTAssertFalse(findings.contains("tls.malformed"), "\(findings)")
        XCTAssertEqual(c.handshakes.first?.messages.filter { !$0.encrypted }.map(\.type), ["ClientHello", "ServerHello"])
    }

    func testDraftBefore16With0304() throws {
        let (c, findings) = try run(serverVersion: 0x0304)
        XCTAssertEqual(c.version, 0x0304)
        XCTAssertEqual(c.cipherSuite, 0x1301)
        XCTAssertFalse(findings.contains("tls.malformed"), "\(findings)")
    }
}
