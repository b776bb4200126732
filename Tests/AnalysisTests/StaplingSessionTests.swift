@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// A session fed stapled data that is broken or odd: each case is reported
/// honestly (a null status with its reason, `tls.malformed` for bytes that do
/// not parse) and the handshake goes on to complete.
final class StaplingSessionTests: XCTestCase {
    /// A TLS 1.2 handshake with a CertificateStatus `status` after the ServerHello (no Certificate).
    private func handshake(serverHello: [UInt8] = Wire.serverHello(), status: [UInt8]?) -> (Wire, ConnectionSummary?) {
        let wire = Wire()
        wire.handshake(.client, HandshakeType.clientHello, Wire.clientHello())
        wire.handshake(.server, HandshakeType.serverHello, serverHello)
        if let status { wire.handshake(.server, HandshakeType.certificateStatus, status) }
        wire.handshake(.server, HandshakeType.serverHelloDone, [])
        wire.handshake(.client, HandshakeType.clientKeyExchange, [0x20] + [UInt8](repeating: 7, count: 32))
        wire.record(.client, ContentType.changeCipherSpec, [1])
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 0xaa, count: 40))
        wire.record(.server, ContentType.changeCipherSpec, [1])
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 0xbb, count: 40))
        return (wire, wire.finish())
    }

    private func certificateStatus(_ der: [UInt8]) -> [UInt8] {
        [1, 0, UInt8(der.count >> 8), UInt8(truncatingIfNeeded: der.count)] + der
    }

    func testAResponseThatDoesNotParse() throws {
        let (wire, summary) = handshake(status: certificateStatus([0x30, 0x05, 0x0A, 0x01, 0x00, 0xFF, 0xFF]))
        let c = try XCTUnwrap(summary)
        XCTAssertTrue(c.established)
        let ocsp = try XCTUnwrap(c.ocsp, "a staple was sent: it is reported, unread")
        XCTAssertNil(ocsp.status)
        XCTAssertNil(ocsp.responseStatus)
        XCTAssertTrue(ocsp.problem?.hasPrefix("the OCSP response does not parse: ") == true, ocsp.problem ?? "nil")
        XCTAssertEqual(ocsp.match.verdict, .unchecked)
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .tlsMalformed })
        XCTAssertFalse(wire.sink.findings.contains { [.certRevoked, .ocspMismatch, .ocspStale].contains($0.id) })
    }

    func testAResponderThatDidNotAnswer() throws {
        let (wire, summary) = handshake(status: certificateStatus([0x30, 0x03, 0x0A, 0x01, 0x03]))
        let ocsp = try XCTUnwrap(summary?.ocsp)
        XCTAssertNil(ocsp.status)
        XCTAssertEqual(ocsp.responseStatus, .tryLater)
        XCTAssertEqual(ocsp.problem, "the responder did not answer (tryLater)")
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .tlsMalformed }, "well-formed, only not successful")
    }

    func testAMalformedCertificateStatus() throws {
        let (wire, summary) = handshake(status: [9, 0, 0, 1, 0])
        let c = try XCTUnwrap(summary)
        XCTAssertTrue(c.established)
        XCTAssertNil(c.ocsp, "not a CertificateStatus this parser knows: nothing is claimed")
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .tlsMalformed })
    }

    func testAnSCTExtensionThatDoesNotParse() throws {
        // signed_certificate_timestamp with a list length past its body.
        let sct: [UInt8] = [0x00, 0x12, 0x00, 0x04, 0x00, 0x10, 0x00, 0x01]
        var hello = Wire.serverHello()
        let extensionsLength = Int(hello[hello.count - Wire.renegotiationInfo.count - 2]) << 8 | Int(hello[hello.count - Wire.renegotiationInfo.count - 1])
        hello.replaceSubrange((hello.count - Wire.renegotiationInfo.count - 2)..<(hello.count - Wire.renegotiationInfo.count),
                              with: [UInt8((extensionsLength + sct.count) >> 8), UInt8(truncatingIfNeeded: extensionsLength + sct.count)])
        hello += sct
        let (wire, summary) = handshake(serverHello: hello, status: nil)
        let c = try XCTUnwrap(summary)
        XCTAssertTrue(c.established)
        XCTAssertNil(c.sct)
        let malformed = try XCTUnwrap(wire.sink.findings.first { $0.id == .tlsMalformed })
        XCTAssertEqual(malformed.evidence, .unreadableMessage(sender: .server, message: "ServerHello signed_certificate_timestamp"))
    }

    func testAnEmptySCTExtensionIsNoSCT() throws {
        var hello = Wire.serverHello()
        let sct: [UInt8] = [0x00, 0x12, 0x00, 0x00]
        hello.replaceSubrange((hello.count - Wire.renegotiationInfo.count - 2)..<(hello.count - Wire.renegotiationInfo.count),
                              with: [0, UInt8(Wire.renegotiationInfo.count + sct.count)])
        hello += sct
        let (wire, summary) = handshake(serverHello: hello, status: nil)
        XCTAssertNil(try XCTUnwrap(summary).sct, "an empty extension carries no SCT")
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .tlsMalformed })
    }
}
