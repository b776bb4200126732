@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpDecode
import TLSDumpTLS
import XCTest

/// Where a stream starts: TCP Fast Open data on the SYN, and a server that
/// answered one SYN with two SYN-ACKs of different ISNs.
final class SYNTests: XCTestCase {
    private func clientHelloRecord() -> [UInt8] {
        let body = Wire.clientHello()
        let message = [HandshakeType.clientHello, 0, UInt8(body.count >> 8), UInt8(truncatingIfNeeded: body.count)] + body
        return [ContentType.handshake, 3, 3, UInt8(message.count >> 8), UInt8(truncatingIfNeeded: message.count)] + message
    }

    /// The rest of a TLS 1.2 handshake after the ClientHello (the server's first record first).
    private func rest(_ wire: Wire) {
        wire.handshake(.server, HandshakeType.serverHello, Wire.serverHello())
        wire.handshake(.server, HandshakeType.serverHelloDone, [])
        wire.handshake(.client, HandshakeType.clientKeyExchange, [0x20] + [UInt8](repeating: 7, count: 32))
        wire.record(.client, ContentType.changeCipherSpec, [1])
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 0xaa, count: 40))
        wire.record(.server, ContentType.changeCipherSpec, [1])
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 0xbb, count: 40))
    }

    private func assertComplete(_ summary: ConnectionSummary?, file: StaticString = #filePath, line: UInt = #line) throws {
        let c = try XCTUnwrap(summary, "no connection event", file: file, line: line)
        XCTAssertEqual(c.version, ProtocolVersion.tls12, file: file, line: line)
        XCTAssertTrue(c.established, file: file, line: line)
        XCTAssertEqual(c.gaps, 0, file: file, line: line)
        let types = c.handshakes.first?.messages.filter { !$0.encrypted }.map(\.type) ?? []
        XCTAssertEqual(types, ["ClientHello", "ServerHello", "ServerHelloDone", "ClientKeyExchange"], file: file, line: line)
    }

    /// TFO: the ClientHello rides on the SYN and is delivered.
    func testClientHelloOnTheSYN() throws {
        let wire = Wire(open: false)
        wire.send(.client, flags: [.syn], payload: clientHelloRecord())
        wire.send(.server, flags: [.syn, .ack], payload: [])
        wire.send(.client, flags: [.ack], payload: [])
        rest(wire)
        try assertComplete(wire.finish())
    }

    /// Two SYN-ACKs 3 GB apart; the client acknowledged the second: the server's stream starts there.
    func testSecondSYNACKAcknowledged() throws {
        let wire = Wire(open: false)
        wire.send(.client, flags: [.syn], payload: clientHelloRecord())
        wire.send(.server, flags: [.syn, .ack], payload: [])
        wire.setSequence(.server, 3_000_000_000)
        wire.send(.server, flags: [.syn, .ack], payload: [])
        wire.send(.client, flags: [.ack], payload: [])
        rest(wire)
        try assertComplete(wire.finish())
    }

    /// The client acknowledged the first SYN-ACK; a stale second one (another ISN) came after.
    func testFirstSYNACKAcknowledgedAfterAStaleSecond() throws {
        let wire = Wire(open: false)
        wire.send(.client, flags: [.syn], payload: clientHelloRecord())
        wire.send(.server, flags: [.syn, .ack], payload: [])
        let live = 5001 as UInt32
        wire.setSequence(.server, 123_456)
        wire.send(.server, flags: [.syn, .ack], payload: [])
        wire.send(.client, flags: [.ack], payload: [], ack: live)
        wire.setSequence(.server, live)
        rest(wire)
        try assertComplete(wire.finish())
    }

    /// No ack came between: the server's data after the first SYN-ACK tells which one is live.
    func testDataTellsTheLiveSYNACK() throws {
        let wire = Wire(open: false)
        wire.send(.client, flags: [.syn], payload: clientHelloRecord())
        wire.send(.server, flags: [.syn, .ack], payload: [])
        wire.setSequence(.server, 2_000_000_000)
        wire.send(.server, flags: [.syn, .ack], payload: [])
        wire.setSequence(.server, 5001)
        rest(wire)
        try assertComplete(wire.finish())
    }
}
