import Foundation
import TLSDumpAnalysis
import TLSDumpTLS
import XCTest

/// Issue 26, the wrong answers found against Zeek's ssl.log baselines, on the
/// shared corpus's copies of Zeek's own test captures.
final class ZeekReferenceTests: XCTestCase {
    private func capture(_ name: String) throws -> URL {
        let url = Paths.sharedCaptures.appendingPathComponent("zeek/\(name)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), "shared corpus missing at \(url.path)")
        return url
    }

    /// Item 7: Chrome 63's TLS 1.3 experiment (ServerHello version 0x7e01) carries key_share in
    /// extension 40; Zeek (and the bytes) say x25519.
    func testGoogleExperimentGroupIsX25519() throws {
        let sink = try analyse(try capture("chrome-63.0.3211.0-canary-tls_experiment.pcap"))
        let c = try XCTUnwrap(sink.connections.first?.summary)
        XCTAssertEqual(c.version, 0x7e01)
        XCTAssertEqual(c.keyExchange?.group, 0x001d)
    }

    /// Item 8: a Certificate message of 339,629 bytes (10,000 names) is read whole, not called malformed.
    func testCertificateOf339629BytesIsReadWhole() throws {
        let sink = try analyse(try capture("tls-fragmented-handshake.pcap"))
        let c = try XCTUnwrap(sink.connections.first?.summary)
        XCTAssertEqual(c.handshakes.first?.messages.first { $0.type == "Certificate" }?.length, 339_629)
        XCTAssertNotNil(c.serverCertificate?.sha256)
        XCTAssertNotEqual(c.validation?.status, .notChecked)
        XCTAssertFalse(sink.findings.contains { $0.id.rawValue == "tls.malformed" })
    }
}
