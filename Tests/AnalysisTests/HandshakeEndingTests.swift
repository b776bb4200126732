@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import XCTest

/// Who ended a handshake, and how (issue 28): a TCP close without an alert
/// abandons it (the other side's alert after the close answers it), and a
/// client that ends the connection right after a renegotiation's Finished
/// failed it although both Finished were seen.
final class HandshakeEndingTests: XCTestCase {
    /// The renegotiation up to the server's flight: HelloRequest, the client's ClientHello, the server's flight.
    private func renegotiationUpToServerFlight(_ wire: Wire) {
        wire.completeHandshake()
        wire.record(.client, ContentType.applicationData, [UInt8](repeating: 1, count: 100))   // the request
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 2, count: 28))          // HelloRequest
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 4, count: 200))         // ClientHello
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 5, count: 1500))        // ServerHello..ServerHelloDone
    }

    func testAClientThatClosesAtTheCertificateRequestAbandonsTheRenegotiation() throws {
        let wire = Wire()
        renegotiationUpToServerFlight(wire)
        wire.send(.client, flags: [.ack, .fin], payload: [])                                    // Chromium: FIN, no alert
        wire.record(.server, ContentType.alert, [UInt8](repeating: 3, count: 26))               // OpenSSL answers the close
        wire.send(.server, flags: [.ack, .fin], payload: [])
        let c = try XCTUnwrap(wire.finish())
        let h = try XCTUnwrap(c.handshakes.last)
        XCTAssertEqual(h.phase, .closed(by: .client))
        XCTAssertEqual(h.outcome, .abandoned)
        XCTAssertEqual(h.endedBy, .client, "the server's alert after the close does not make it the server's doing")
        XCTAssertEqual(h.endReason, "tcp_close")
        XCTAssertEqual(wire.sink.renegotiations.last?.outcome, .abandoned)
        XCTAssertEqual(wire.sink.renegotiations.last?.endedBy, .client, "the streaming event says who, too")
        XCTAssertEqual(wire.sink.renegotiations.last?.endReason, "tcp_close")
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .renegotiationAbandoned && $0.evidence == .abandonment(by: .client, answered: true) })
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .renegotiationFailed })
    }

    func testTheServersAlertWithoutACloseIsStillAServerFailure() throws {
        let wire = Wire()
        renegotiationUpToServerFlight(wire)
        wire.record(.server, ContentType.alert, [UInt8](repeating: 3, count: 26))
        wire.send(.server, flags: [.ack, .fin], payload: [])
        let c = try XCTUnwrap(wire.finish())
        let h = try XCTUnwrap(c.handshakes.last)
        XCTAssertEqual(h.outcome, .failed)
        XCTAssertEqual(h.endedBy, .server)
        XCTAssertEqual(h.endReason, "encrypted_alert")
    }

    /// Both Finished of the renegotiation, then the client's alert before any application data.
    private func completedRenegotiation(_ wire: Wire) {
        renegotiationUpToServerFlight(wire)
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 6, count: 1200))        // Certificate..CertificateVerify
        wire.record(.client, ContentType.changeCipherSpec, [UInt8](repeating: 7, count: 25))
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 8, count: 40))          // Finished
        wire.record(.server, ContentType.changeCipherSpec, [UInt8](repeating: 7, count: 25))
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 9, count: 40))          // Finished
    }

    func testAClientAlertRightAfterTheFinishedFailsTheRenegotiation() throws {
        let wire = Wire()
        completedRenegotiation(wire)
        wire.record(.client, ContentType.alert, [UInt8](repeating: 3, count: 26))               // GnuTLS: unexpected_message
        let c = try XCTUnwrap(wire.finish())
        let h = try XCTUnwrap(c.handshakes.last)
        XCTAssertEqual(h.phase, .completed, "both Finished were seen")
        XCTAssertEqual(h.outcome, .failed, "but it did not work for the client")
        XCTAssertEqual(h.endedBy, .client)
        XCTAssertEqual(h.endReason, "encrypted_alert")
        XCTAssertEqual(wire.sink.renegotiations.map(\.outcome), [.unknown, .completed, .failed])
        XCTAssertEqual(wire.sink.renegotiations.map(\.endedBy), [nil, nil, .client])
        XCTAssertEqual(wire.sink.renegotiations.last?.endReason, "encrypted_alert")
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .renegotiationFailedAfterFinished })
    }

    func testAClientAlertAfterTheServersAnswerIsAClose() throws {
        let wire = Wire()
        completedRenegotiation(wire)
        wire.record(.server, ContentType.applicationData, [UInt8](repeating: 1, count: 300))   // the response
        wire.record(.client, ContentType.alert, [UInt8](repeating: 3, count: 26))               // close_notify
        wire.send(.client, flags: [.ack, .rst], payload: [])
        let c = try XCTUnwrap(wire.finish())
        let h = try XCTUnwrap(c.handshakes.last)
        XCTAssertEqual(h.outcome, .completed)
        XCTAssertNil(h.endedBy)
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .renegotiationFailedAfterFinished })
    }

    func testAFirstHandshakeClosedByTheClientIsAbandoned() throws {
        let wire = Wire()
        wire.handshake(.client, HandshakeType.clientHello, Wire.clientHello())
        wire.handshake(.server, HandshakeType.serverHello, Wire.serverHello())
        wire.handshake(.server, HandshakeType.serverHelloDone, [])
        wire.send(.client, flags: [.ack, .fin], payload: [])
        wire.record(.server, ContentType.alert, [2, 50])                                        // decode_error, after the close
        let c = try XCTUnwrap(wire.finish())
        let h = try XCTUnwrap(c.handshakes.first)
        XCTAssertEqual(h.outcome, .abandoned)
        XCTAssertEqual(h.endedBy, .client)
        XCTAssertEqual(h.endReason, "tcp_close")
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .handshakeFailed && $0.message.contains("closed the connection") })
    }

    /// A connection picked up mid-stream: its handshake's start was not seen, so a close is no abandonment.
    func testAMidStreamCloseAbandonsNothing() throws {
        let wire = Wire()
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 9, count: 40))        // an encrypted handshake record, mid-stream
        wire.record(.client, ContentType.applicationData, [UInt8](repeating: 1, count: 100))
        wire.send(.client, flags: [.ack, .fin], payload: [])
        wire.send(.server, flags: [.ack, .fin], payload: [])
        let c = try XCTUnwrap(wire.finish())
        XCTAssertNotEqual(c.handshakes.first?.outcome, .abandoned)
        XCTAssertNil(c.handshakes.first?.endedBy)
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .handshakeFailed })
    }

    func testTheClosedPhaseIsFinalAndAcceptsNothing() {
        let role = HandshakeRole(initiator: .server, isRenegotiation: true)
        let closed = HandshakePhase.serverFlight.next(on: .closed(by: .client), in: role)
        XCTAssertEqual(closed, .closed(by: .client))
        XCTAssertEqual(closed?.isFinal, true)
        XCTAssertNil(closed?.next(on: .alert(from: .server, level: 2, description: 50, encrypted: false), in: role))
        XCTAssertEqual(HandshakePhase.closed(by: .server).outcome, .abandoned)
    }
}
