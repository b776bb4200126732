@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// Issue 26 item 9: TLS carried in WebSocket frames through a tunnel. The
/// client's frames are masked (never TLS on the wire); the server's are not, so
/// the plaintext scan finds its ServerHello inside the frames. That is a server
/// hello inside non-TLS data, not a failed TLS handshake nor a malformed stream.
final class TLSInsideOtherDataTests: XCTestCase {
    private func frame(_ payload: [UInt8]) -> [UInt8] {
        // Server-to-client binary frame, unmasked, 16-bit length.
        [0x82, 0x7e, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)] + payload
    }
    private func maskedFrame(_ count: Int, seed: UInt8) -> [UInt8] {
        [0x82, 0x80 | 0x7e, UInt8(count >> 8), UInt8(count & 0xff), 0x37, 0xfa, 0x21, 0x3d]
            + (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7 &+ 0x55) }
    }
    private func record(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, 0x03, 0x03, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
    }
    private func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        record(ContentType.handshake, [type, 0, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body)
    }

    func testServerHelloInsideWebSocketFramesIsNotAFailedHandshake() throws {
        let wire = Wire()
        wire.send(.client, payload: Array("GET /tunnel HTTP/1.1\r\nHost: t.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8))
        wire.send(.server, payload: Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8))
        wire.send(.client, payload: maskedFrame(300, seed: 1))               // the masked ClientHello
        wire.send(.server, payload: frame(handshake(HandshakeType.serverHello, Wire.serverHello())))
        wire.send(.server, payload: frame(handshake(HandshakeType.certificate, [0, 0, 3, 0, 0, 0]) + handshake(HandshakeType.serverHelloDone, [])))
        wire.send(.client, payload: maskedFrame(120, seed: 2))
        wire.send(.server, payload: frame(record(ContentType.changeCipherSpec, [1]) + record(ContentType.handshake, [UInt8](repeating: 0xc3, count: 40))))
        for k in 0..<3 {
            wire.send(.client, payload: maskedFrame(200, seed: UInt8(3 + k)))
            wire.send(.server, payload: frame(record(ContentType.applicationData, [UInt8](repeating: UInt8(k), count: 500))))
        }
        wire.send(.server, flags: [.rst], payload: [])
        let c = try XCTUnwrap(wire.finish())
        let ids = Set(wire.sink.findings.map(\.id.rawValue))
        XCTAssertFalse(ids.contains("handshake.failed"), "\(wire.sink.findings.map(\.message))")
        XCTAssertFalse(ids.contains("tls.malformed"), "\(wire.sink.findings.map(\.message))")
        XCTAssertTrue(c.handshakes.first?.messages.contains { $0.type == "ServerHello" && $0.sender == .server } == true, "what was seen is told")
    }
}
