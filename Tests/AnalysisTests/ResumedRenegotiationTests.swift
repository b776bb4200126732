import Crypto
@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// Issue 26 item 2: a renegotiation that resumes the connection's first session
/// (abbreviated handshake, by session id) takes that session's master secret,
/// found from the key log for the first handshake only; and a renegotiation
/// whose new keys are not known never says `decrypted: true`. Records are
/// sealed here with TLS_RSA_WITH_AES_128_GCM_SHA256 (RFC 5288).
final class ResumedRenegotiationTests: XCTestCase {
    private static let suite: UInt16 = 0x009c
    private let master1 = [UInt8](repeating: 0x4d, count: 48)
    private let clientRandom1 = [UInt8](repeating: 0x11, count: 32), serverRandom1 = [UInt8](repeating: 0x22, count: 32)
    private let clientRandom2 = [UInt8](repeating: 0x33, count: 32), serverRandom2 = [UInt8](repeating: 0x44, count: 32)
    private let sessionID = [UInt8](repeating: 0x5e, count: 32)

    /// One direction's sealing state.
    private final class Sealer {
        let key: SymmetricKey, salt: [UInt8]
        var sequence: UInt64 = 0
        init(_ keys: DirectionKeys) { key = SymmetricKey(data: keys.key); salt = keys.iv }
        func seal(_ type: UInt8, _ plaintext: [UInt8]) throws -> [UInt8] {
            let explicit = (0..<8).map { UInt8(truncatingIfNeeded: sequence >> (56 - 8 * UInt64($0))) }
            let aad = explicit + [type, 0x03, 0x03, UInt8(plaintext.count >> 8), UInt8(plaintext.count & 0xff)]
            let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: salt + explicit), authenticating: aad)
            sequence += 1
            return explicit + Array(box.ciphertext) + Array(box.tag)
        }
    }

    private func message(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, 0, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
    }
    private func clientHello(_ random: [UInt8], sessionID: [UInt8]) -> [UInt8] {
        [0x03, 0x03] + random + [UInt8(sessionID.count)] + sessionID + [0x00, 0x02, 0x00, 0x9c, 0x01, 0x00]
    }
    private func serverHello(_ random: [UInt8], sessionID: [UInt8]) -> [UInt8] {
        [0x03, 0x03] + random + [UInt8(sessionID.count)] + sessionID + [0x00, 0x9c, 0x00]
    }
    private func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// `resumedID`: the session id the renegotiation resumes (the first one's, or one never seen).
    private func run(resumedID: [UInt8]) throws -> (ConnectionSummary, Collector) {
        var log = KeyLog()
        log.parse("CLIENT_RANDOM \(hex(clientRandom1)) \(hex(master1))")
        var config = AnalyzerConfig()
        config.keys = KeyMaterial(keyLog: log)
        let wire = Wire(config: config)
        let keys1 = try KeyDerivation.tls12(masterSecret: master1, clientRandom: clientRandom1, serverRandom: serverRandom1,
                                             suite: Self.suite, version: 0x0303)
        // The renegotiation resumes: same master secret, the new randoms.
        let keys2 = try KeyDerivation.tls12(masterSecret: master1, clientRandom: clientRandom2, serverRandom: serverRandom2,
                                             suite: Self.suite, version: 0x0303)
        let client1 = Sealer(keys1.client), server1 = Sealer(keys1.server)
        let client2 = Sealer(keys2.client), server2 = Sealer(keys2.server)
        let finished = [UInt8](repeating: 0xf1, count: 12)

        // Handshake 0: full, in clear up to the ChangeCipherSpecs.
        wire.handshake(.client, HandshakeType.clientHello, clientHello(clientRandom1, sessionID: []))
        wire.handshake(.server, HandshakeType.serverHello, serverHello(serverRandom1, sessionID: sessionID))
        wire.handshake(.server, HandshakeType.serverHelloDone, [])
        wire.handshake(.client, HandshakeType.clientKeyExchange, [0x00, 0x40] + [UInt8](repeating: 7, count: 64))
        wire.record(.client, ContentType.changeCipherSpec, [1])
        wire.record(.client, ContentType.handshake, try client1.seal(ContentType.handshake, message(HandshakeType.finished, finished)))
        wire.record(.server, ContentType.changeCipherSpec, [1])
        wire.record(.server, ContentType.handshake, try server1.seal(ContentType.handshake, message(HandshakeType.finished, finished)))
        wire.record(.client, ContentType.applicationData, try client1.seal(ContentType.applicationData, Array("GET / HTTP/1.1\r\n\r\n".utf8)))
        // Handshake 1: the client renegotiates, resuming by session id (abbreviated: the server finishes first).
        wire.record(.client, ContentType.handshake,
                    try client1.seal(ContentType.handshake, message(HandshakeType.clientHello, clientHello(clientRandom2, sessionID: resumedID))))
        wire.record(.server, ContentType.handshake,
                    try server1.seal(ContentType.handshake, message(HandshakeType.serverHello, serverHello(serverRandom2, sessionID: resumedID))))
        wire.record(.server, ContentType.changeCipherSpec, try server1.seal(ContentType.changeCipherSpec, [1]))
        wire.record(.server, ContentType.handshake, try server2.seal(ContentType.handshake, message(HandshakeType.finished, finished)))
        wire.record(.client, ContentType.changeCipherSpec, try client1.seal(ContentType.changeCipherSpec, [1]))
        wire.record(.client, ContentType.handshake, try client2.seal(ContentType.handshake, message(HandshakeType.finished, finished)))
        wire.record(.server, ContentType.applicationData, try server2.seal(ContentType.applicationData, Array("HTTP/1.1 200 OK\r\n\r\n".utf8)))
        return (try XCTUnwrap(wire.finish()), wire.sink)
    }

    func testRenegotiationResumingTheFirstSessionDecrypts() throws {
        let (c, sink) = try run(resumedID: sessionID)
        XCTAssertEqual(c.handshakes.count, 2)
        let renegotiation = try XCTUnwrap(c.handshakes.last)
        XCTAssertTrue(renegotiation.decrypted)
        XCTAssertEqual(renegotiation.outcome, .completed)
        XCTAssertEqual(renegotiation.messages.map { $0.type ?? "?" }, ["ClientHello", "ServerHello", "Finished", "Finished"])
        XCTAssertTrue(renegotiation.messages.allSatisfy { $0.decrypted })
        XCTAssertFalse(sink.findings.contains { $0.id.rawValue.hasPrefix("decryption") }, "\(sink.findings.map(\.message))")
    }

    /// The renegotiation resumes a session never seen: its hellos were read (under the first keys),
    /// its Finished stayed ciphertext, so it is not `decrypted`.
    func testRenegotiationWithUnknownKeysIsNotDecrypted() throws {
        let (c, _) = try run(resumedID: [UInt8](repeating: 0x77, count: 32))
        let renegotiation = try XCTUnwrap(c.handshakes.last)
        XCTAssertTrue(renegotiation.encrypted)
        XCTAssertFalse(renegotiation.decrypted)
        XCTAssertTrue(c.handshakes.first?.decrypted == false || c.handshakes.first?.encrypted == false)
    }

    func testResumableSessionsAreBounded() {
        let sessions = ResumableSessions()
        let master = [UInt8](repeating: 1, count: 48)
        for k in 0..<(ResumableSessions.capacity + 10) {
            let id = withUnsafeBytes(of: UInt32(k).bigEndian) { Array($0) }
            sessions.remember(sessionID: id, master: master)
        }
        XCTAssertNil(sessions.master(sessionID: withUnsafeBytes(of: UInt32(0).bigEndian) { Array($0) }), "the oldest was forgotten")
        XCTAssertNotNil(sessions.master(sessionID: withUnsafeBytes(of: UInt32(ResumableSessions.capacity + 9).bigEndian) { Array($0) }))
        sessions.remember(sessionID: [], master: master)               // no id: ignored
        sessions.remember(sessionID: [1], master: [1, 2])              // not a master secret: ignored
        XCTAssertNil(sessions.master(sessionID: [1]))
    }
}
