import Foundation
import TLSDumpAnalysis
import TLSDumpTLS
import XCTest

/// Issue 26, real peers on loopback (Peers/scenario.sh): decryption that needs
/// more than one connection's own key exchange.
final class DecryptionPeerTests: XCTestCase {
    private func serverKey() throws -> KeyMaterial {
        let pem = try String(contentsOf: Paths.packageRoot.appendingPathComponent("captures/pki/server.key"), encoding: .utf8)
        return KeyMaterial(rsaPrivateKeysPEM: [pem])
    }

    private func keyLog(_ run: Scenario.Run) throws -> KeyMaterial {
        var log = KeyLog()
        log.parse(bytes: Array(try Data(contentsOf: run.pcap.deletingPathExtension().appendingPathExtension("keys"))))
        return KeyMaterial(keyLog: log)
    }

    /// Item 2: a full static-RSA handshake, then five connections resuming it
    /// (s_client -reconnect). With the server's RSA key only, the resumed
    /// connections take the first one's master secret, by session id or by
    /// ticket (a stateless server: no session id to find it by).
    private func checkResumption(_ name: String) throws {
        let run = try Scenario.run(name, test: self)
        defer { run.keepFilesIfFailed() }
        let keyless = run.sink.connections.map(\.summary)
        XCTAssertEqual(keyless.count, 6, name)
        XCTAssertEqual(keyless.map(\.resumed), [false, true, true, true, true, true], name)
        for keys in [try serverKey(), try keyLog(run)] {
            let keyed = try analyse(run.pcap) { $0.config.keys = keys }.connections.map(\.summary)
            XCTAssertEqual(keyed.count, 6, name)
            XCTAssertEqual(keyed.map(\.decrypted), Array(repeating: true, count: 6), "\(name): every connection decrypts")
            XCTAssertEqual(keyed.map(\.resumed), keyless.map(\.resumed), "\(name): keys add, never contradict")
            XCTAssertNil(keyed.compactMap(\.decryptionNote).first, name)
        }
    }

    func testResumptionBySessionIDWithTheServerKey() throws { try checkResumption("resumption-id-rsa-tls12") }
    func testResumptionByTicketWithTheServerKey() throws { try checkResumption("resumption-ticket-rsa-tls12") }
}
