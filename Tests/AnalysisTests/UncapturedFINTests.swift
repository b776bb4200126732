@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// Issue 26 item 10: the client acknowledges the server's FIN, which the capture
/// missed: one sequence number past the server's data, and not a lost byte.
final class UncapturedFINTests: XCTestCase {
    func testAckOfAMissingFINRaisesNoGap() throws {
        let wire = Wire()
        wire.completeHandshake()
        wire.record(.server, ContentType.applicationData, [UInt8](repeating: 0x42, count: 64))
        let serverEnd = wire.nextSequence(.server)
        // The server's FIN (serverEnd) is not captured; the client acks it and closes.
        wire.send(.client, flags: [.ack, .fin], payload: [], ack: serverEnd &+ 1)
        wire.setSequence(.server, serverEnd &+ 1)
        wire.send(.server, flags: [.ack], payload: [])
        _ = try XCTUnwrap(wire.finish())
        XCTAssertFalse(wire.sink.findings.contains { $0.id.rawValue == "stream.gap" }, "\(wire.sink.findings.map(\.message))")
    }

    /// A byte really missing before data that follows is still a gap.
    func testAMissingByteBeforeLaterDataIsStillAGap() throws {
        let wire = Wire()
        wire.completeHandshake()
        wire.setSequence(.server, wire.nextSequence(.server) &+ 5)   // five bytes never captured
        wire.record(.server, ContentType.applicationData, [UInt8](repeating: 0x42, count: 64))
        wire.send(.client, flags: [.ack], payload: [])
        _ = try XCTUnwrap(wire.finish())
        XCTAssertTrue(wire.sink.findings.contains { $0.id.rawValue == "stream.gap" })
    }
}
