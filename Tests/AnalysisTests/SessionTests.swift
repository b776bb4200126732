@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// A session fed records by hand: messages out of place become findings
/// (no trap), renegotiations told from ciphertext end as the contract says,
/// and random record sequences leave every handshake in exactly one final phase.
final class SessionTests: XCTestCase {
    func testAClearHandshakeCompletes() throws {
        let wire = Wire()
        wire.completeHandshake()
        let c = try XCTUnwrap(wire.finish())
        XCTAssertTrue(c.established)
        XCTAssertEqual(c.handshakes.map(\.phase), [.completed])
        XCTAssertEqual(c.certificateRequest, "none", "a clear TLS 1.2 handshake hides nothing")
        XCTAssertEqual(c.clientAuthenticated, false)
        XCTAssertEqual(c.secureRenegotiation, true)
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .handshakeUnexpectedMessage })
    }

    func testASecondServerHelloIsAFindingAndTheHandshakeGoesOn() throws {
        let wire = Wire()
        wire.handshake(.client, HandshakeType.clientHello, Wire.clientHello())
        wire.handshake(.server, HandshakeType.serverHello, Wire.serverHello())
        wire.handshake(.server, HandshakeType.serverHello, Wire.serverHello())   // out of place
        wire.handshake(.client, HandshakeType.clientHello, Wire.clientHello())   // out of place too: same finding id, once
        wire.handshake(.server, HandshakeType.serverHelloDone, [])
        wire.handshake(.client, HandshakeType.clientKeyExchange, [0x20] + [UInt8](repeating: 7, count: 32))
        wire.record(.client, ContentType.changeCipherSpec, [1])
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 0xaa, count: 40))
        wire.record(.server, ContentType.changeCipherSpec, [1])
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 0xbb, count: 40))
        let c = try XCTUnwrap(wire.finish())
        let unexpected = wire.sink.findings.filter { $0.id == .handshakeUnexpectedMessage }
        XCTAssertEqual(unexpected.count, 1)
        XCTAssertEqual(unexpected.first?.evidence, .unexpectedMessage(sender: .server, message: "a ServerHello", phase: "server_flight"))
        XCTAssertEqual(unexpected.first?.severity, .low)
        XCTAssertEqual(c.handshakes.map(\.outcome), [.completed], "the handshake kept its place and completed")
        XCTAssertEqual(c.renegotiations, 0, "a ClientHello inside a handshake is not a renegotiation")
    }

    func testServerRenegotiationRefusedWithoutKeys() throws {
        let wire = Wire()
        wire.completeHandshake()
        wire.record(.client, ContentType.applicationData, [UInt8](repeating: 1, count: 100))
        // HelloRequest under AES-GCM: 4 bytes of plaintext + 8 nonce + 16 tag.
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 2, count: 28))
        wire.record(.client, ContentType.alert, [UInt8](repeating: 3, count: 26))   // an encrypted alert instead of a hello
        let c = try XCTUnwrap(wire.finish())
        XCTAssertEqual(c.handshakes.count, 2)
        let h = c.handshakes[1]
        XCTAssertEqual(h.phase, .refused(by: .client, alert: nil))
        XCTAssertTrue(h.inferred)
        XCTAssertEqual(h.messages.first?.type, "HelloRequest")
        XCTAssertEqual(wire.sink.renegotiations.map(\.outcome), [.unknown, .refused])
        XCTAssertTrue(wire.sink.renegotiations.allSatisfy(\.inferred))
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .renegotiationRefused && $0.evidence == .refusal(by: .client, inferred: true) })
        XCTAssertNil(c.certificateRequest, "the request could hide in ciphertext")
    }

    func testAnAlertAfterTheClientsHelloIsAFailureNotARefusal() throws {
        let wire = Wire()
        wire.completeHandshake()
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 2, count: 28))   // HelloRequest
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 4, count: 200))  // the client's ClientHello
        wire.record(.client, ContentType.alert, [UInt8](repeating: 3, count: 26))       // then an encrypted alert
        let c = try XCTUnwrap(wire.finish())
        guard case .failed(let by, let reason)? = c.handshakes.last?.phase else {
            return XCTFail("\(String(describing: c.handshakes.last?.phase))")
        }
        XCTAssertEqual(by, .client)
        XCTAssertEqual(reason, .alert(by: .client, level: nil, description: nil, encrypted: true))
        XCTAssertEqual(wire.sink.renegotiations.last?.outcome, .failed)
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .renegotiationFailed && $0.evidence == .failure(reason: "the client sent an encrypted alert", answered: true) })
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .renegotiationRefused })
    }

    func testARenegotiationTheClientIgnoredFailsAtTheEnd() throws {
        let wire = Wire()
        wire.completeHandshake()
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 2, count: 28))
        wire.record(.client, ContentType.applicationData, [UInt8](repeating: 1, count: 100))
        let c = try XCTUnwrap(wire.finish())
        XCTAssertEqual(c.handshakes.last?.phase, .failed(by: .client, reason: .ignored(by: .client)))
    }

    func testAnOpenHandshakeIsAbandonedAtTheEnd() throws {
        let wire = Wire()
        wire.handshake(.client, HandshakeType.clientHello, Wire.clientHello())
        wire.handshake(.server, HandshakeType.serverHello, Wire.serverHello())
        let c = try XCTUnwrap(wire.finish())
        XCTAssertEqual(c.handshakes.map(\.phase), [.abandoned])
        XCTAssertEqual(c.handshakes.first?.outcome, .unknown)
        XCTAssertFalse(c.established)
    }

    /// Random records after a real start: whatever comes, no trap, every
    /// handshake ends in one final phase, and a renegotiation's final event
    /// (at most one) says what its summary says.
    func testRandomRecordSequencesEndEveryHandshakeInOnePhase() throws {
        var rng = SplitMix(seed: 14)
        var phasesSeen: Set<String> = []
        for round in 0..<400 {
            let wire = Wire()
            if rng.below(3) > 0 { wire.completeHandshake() } else {
                wire.handshake(.client, HandshakeType.clientHello, Wire.clientHello())
            }
            for _ in 0..<rng.below(24) {
                let side: Side = rng.below(2) == 0 ? .client : .server
                switch rng.below(10) {
                case 0: wire.handshake(side, HandshakeType.clientHello, Wire.clientHello())
                case 1: wire.handshake(side, HandshakeType.serverHello, Wire.serverHello())
                case 2: wire.handshake(side, [0, 11, 13, 14, 15, 16, 20][rng.below(7)], [UInt8](repeating: UInt8(rng.below(256)), count: rng.below(40)))
                case 3: wire.record(side, ContentType.changeCipherSpec, [1])
                case 4: wire.record(side, ContentType.alert, [UInt8(1 + rng.below(2)), [0, 40, 80, 100][rng.below(4)]])
                case 5: wire.record(side, ContentType.alert, [UInt8](repeating: 9, count: 26))
                case 6, 7: wire.record(side, ContentType.handshake, (0..<(1 + rng.below(300))).map { _ in UInt8(rng.below(256)) })
                default: wire.record(side, ContentType.applicationData, [UInt8](repeating: 1, count: 1 + rng.below(200)))
                }
            }
            if rng.below(4) == 0 { wire.send(rng.below(2) == 0 ? .client : .server, flags: [.rst], payload: []) }
            let c = try XCTUnwrap(wire.finish(), "round \(round)")
            for h in c.handshakes {
                XCTAssertTrue(h.phase.isFinal, "round \(round): handshake \(h.index) left in \(h.phase)")
                phasesSeen.insert(h.phase.name)
                let finals = wire.sink.renegotiations.filter { $0.handshake == h.index && $0.outcome != .unknown }
                XCTAssertLessThanOrEqual(finals.count, 1, "round \(round): handshake \(h.index) reported twice")
                if h.index > 0 {
                    XCTAssertEqual(finals.first?.outcome ?? .unknown, h.outcome, "round \(round): event and summary disagree")
                }
            }
        }
        XCTAssertTrue(phasesSeen.isSuperset(of: ["completed", "refused", "failed", "abandoned"]), "\(phasesSeen)")
    }
}
