import XCTest
import TLSDumpQUIC

final class TransportParameterTests: XCTestCase {
    func param(_ id: UInt64, _ value: [UInt8]) -> [UInt8] {
        (QUICVarint.encode(id) ?? []) + (QUICVarint.encode(UInt64(value.count)) ?? []) + value
    }

    func int(_ id: UInt64, _ value: UInt64) -> [UInt8] { param(id, QUICVarint.encode(value) ?? []) }

    /// RFC 9001 A.2's ClientHello carries this transport parameters extension body.
    func testRFCClientHelloParameters() throws {
        let body = hex("0408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e51570806048000ffff")
        let p = try QUICTransportParameters.parse(body).get()
        XCTAssertEqual(p.ids, [0x04, 0x05, 0x07, 0x08, 0x01, 0x09, 0x0f, 0x06])
        XCTAssertEqual(p.initialMaxData, QUICVarint.max)
        XCTAssertEqual(p.initialMaxStreamDataBidiLocal, 0xffff)
        XCTAssertEqual(p.initialMaxStreamsBidi, 16)
        XCTAssertEqual(p.maxIdleTimeoutMs, 30000)
        XCTAssertEqual(p.initialMaxStreamsUni, 16)
        XCTAssertEqual(p.initialSourceConnectionID, hex("8394c8f03e515708"))
        XCTAssertFalse(p.hasGrease)
        XCTAssertFalse(p.disableActiveMigration)
    }

    func testHandBuiltParameters() throws {
        let grease: UInt64 = 31 * 1000 + 27
        let body = int(0x03, 1472) + int(0x0e, 4) + param(0x0c, []) + param(grease, [1, 2, 3])
            + param(0x00, [9, 9]) + param(0x10, [7]) + int(0x08, 100) + param(0x2ab2, [])
        let p = try QUICTransportParameters.parse(body).get()
        XCTAssertEqual(p.maxUDPPayloadSize, 1472)
        XCTAssertEqual(p.activeConnectionIdLimit, 4)
        XCTAssertTrue(p.disableActiveMigration)
        XCTAssertTrue(p.hasGrease)
        XCTAssertTrue(p.greaseQUICBit)
        XCTAssertEqual(p.originalDestinationConnectionID, [9, 9])
        XCTAssertEqual(p.retrySourceConnectionID, [7])
        XCTAssertEqual(p.initialMaxStreamsBidi, 100)
        XCTAssertEqual(p.ids, [0x03, 0x0e, 0x0c, grease, 0x00, 0x10, 0x08, 0x2ab2])
        XCTAssertTrue(QUICTransportParameters.isGrease(27))
        XCTAssertFalse(QUICTransportParameters.isGrease(26))
        XCTAssertFalse(QUICTransportParameters.isGrease(28))
    }

    func testErrorsAreValues() {
        XCTAssertEqual(QUICTransportParameters.parse(int(0x01, 5) + [0x04]), .failure(.truncated(at: 3)))
        XCTAssertEqual(QUICTransportParameters.parse([0x04, 0x05, 0x01]), .failure(.truncated(at: 0)))
        XCTAssertEqual(QUICTransportParameters.parse(param(0x01, [0x40])), .failure(.badIntegerValue(id: 1, at: 0)))
        XCTAssertEqual(QUICTransportParameters.parse(param(0x01, [0x01, 0x02])), .failure(.badIntegerValue(id: 1, at: 0)))
        XCTAssertEqual(QUICTransportParameters.parse(param(0x0f, [UInt8](repeating: 1, count: 21))),
                       .failure(.connectionIDTooLong(id: 0x0f, length: 21)))
        // Truncation at every byte of a valid body: an error or a shorter valid prefix, never a crash.
        let body = int(0x03, 1472) + param(0x0f, [1, 2, 3, 4]) + int(0x04, 1 << 20)
        for cut in 0..<body.count {
            if case .success(let p) = QUICTransportParameters.parse(Array(body.prefix(cut))) {
                XCTAssertLessThan(p.count, 3)
            }
        }
    }

    func testIdsAreCapped() throws {
        var body: [UInt8] = []
        for i in 0..<200 { body += param(UInt64(0x1000 + i), []) }
        let p = try QUICTransportParameters.parse(body).get()
        XCTAssertEqual(p.ids.count, QUICTransportParameters.maxIds)
        XCTAssertEqual(p.count, 200)
    }
}
