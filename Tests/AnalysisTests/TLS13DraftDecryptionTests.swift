import Crypto
@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// Issue 26 items 3 and 7: TLS 1.3 drafts. Records sealed here with the draft's
/// own rules (no additional data before draft 25, "TLS 1.3, " labels before
/// draft 20) open with a key log; key_share in extension 40 is read for drafts
/// before 23 and Google's 0x7eNN experiments.
final class TLS13DraftDecryptionTests: XCTestCase {
    private static let secrets: [TLS13SecretLabel: [UInt8]] = [
        .clientHandshake: [UInt8](repeating: 0x01, count: 32), .serverHandshake: [UInt8](repeating: 0x02, count: 32),
        .clientTraffic0: [UInt8](repeating: 0x03, count: 32), .serverTraffic0: [UInt8](repeating: 0x04, count: 32),
    ]

    private func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// Seals one TLS 1.3 record (outer type application_data) the way `rules` says.
    private func seal(_ content: [UInt8], type: UInt8, secret: [UInt8], sequence: UInt64, rules: TLS13DraftRules) throws -> [UInt8] {
        let keys = try KeyDerivation.tls13(trafficSecret: secret, suite: 0x1303, rules: rules)
        var nonce = keys.iv
        for k in 0..<8 { nonce[4 + k] ^= UInt8(truncatingIfNeeded: sequence >> (56 - 8 * UInt64(k))) }
        let inner = content + [type]
        let length = inner.count + 16
        let aad: [UInt8] = rules.additionalData == .empty ? [] : [0x17, 0x03, 0x03, UInt8(length >> 8), UInt8(length & 0xff)]
        let box = try ChaChaPoly.seal(inner, using: SymmetricKey(data: keys.key), nonce: ChaChaPoly.Nonce(data: nonce), authenticating: aad)
        return Array(box.ciphertext) + Array(box.tag)
    }

    func testRulesPerDraft() {
        XCTAssertEqual(TLS13DraftRules(version: 0x7f14).additionalData, .empty)          // draft 20
        XCTAssertEqual(TLS13DraftRules(version: 0x7f18).additionalData, .empty)          // draft 24
        XCTAssertEqual(TLS13DraftRules(version: 0x7f19).additionalData, .recordHeader)   // draft 25
        XCTAssertEqual(TLS13DraftRules(version: 0x0304).additionalData, .recordHeader)
        XCTAssertEqual(TLS13DraftRules(version: 0xfb17).additionalData, .empty)          // Facebook, draft 23
        XCTAssertEqual(TLS13DraftRules(version: 0xfb1a).additionalData, .recordHeader)   // Facebook, draft 26
        XCTAssertEqual(TLS13DraftRules(version: 0x7f12).labelPrefix, "TLS 1.3, ")
        XCTAssertEqual(TLS13DraftRules(version: 0x7f14).labelPrefix, "tls13 ")
        XCTAssertEqual(TLS13DraftRules(version: 0x7f16).keyShareExtension, 40)
        XCTAssertEqual(TLS13DraftRules(version: 0x7f17).keyShareExtension, 51)
        XCTAssertEqual(TLS13DraftRules(version: 0x7e01).keyShareExtension, 40)
        XCTAssertEqual(TLS13DraftRules(version: 0x0303).draft, nil)
    }

    /// The decryptor follows the rule it is given: a draft-20 record opens only under the empty-AAD rule.
    func testRecordDecryptorAdditionalDataRule() throws {
        let secret = [UInt8](repeating: 0x42, count: 32)
        let draft20 = TLS13DraftRules(version: 0x7f14)
        let body = try seal(Array("hello".utf8), type: 0x17, secret: secret, sequence: 0, rules: draft20)
        let keys = try KeyDerivation.tls13(trafficSecret: secret, suite: 0x1303, rules: draft20)
        let right = try RecordDecryptor(keys: keys, suite: 0x1303, version: 0x0304, encryptThenMAC: false, tls13Rules: draft20)
        let opened = try right.decrypt(contentType: 0x17, version: 0x0303, body: body)
        XCTAssertEqual(opened.plaintext, Array("hello".utf8))
        XCTAssertEqual(opened.contentType, 0x17)
        let wrong = try RecordDecryptor(keys: keys, suite: 0x1303, version: 0x0304, encryptThenMAC: false)
        XCTAssertThrowsError(try wrong.decrypt(contentType: 0x17, version: 0x0303, body: body))
    }

    /// A whole draft connection through the analyser with a key log: the encrypted
    /// flight and the application data open, and nothing says bad record MAC.
    private func runDraftConnection(version: UInt16) throws -> (ConnectionSummary, Collector) {
        var log = KeyLog()
        let random = Wire.random
        log.parse(Self.secrets.map { "\($0.key.keyLogLabel) \(hex(random)) \(hex($0.value))" }.joined(separator: "\n"))
        var config = AnalyzerConfig()
        config.keys = KeyMaterial(keyLog: log)
        let wire = Wire(config: config)
        let rules = TLS13DraftRules(version: version)
        // ClientHello offering the draft (supported_versions) with an x25519 share in extension 40.
        let share: [UInt8] = [0x00, 0x24, 0x00, 0x1d, 0x00, 0x20] + [UInt8](repeating: 0x11, count: 32)
        let versions: [UInt8] = [0x00, 0x2b, 0x00, 0x03, 0x02, UInt8(version >> 8), UInt8(version & 0xff)]
        let extensions = versions + [0x00, 0x28, 0x00, UInt8(share.count)] + share
        let clientHello: [UInt8] = [0x03, 0x03] + random + [0x00, 0x00, 0x02, 0x13, 0x03, 0x01, 0x00]
            + [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xff)] + extensions
        wire.handshake(.client, HandshakeType.clientHello, clientHello)
        // Draft layout (before 22): no session id, no compression; key_share in 40.
        let serverShare: [UInt8] = [0x00, 0x28, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20] + [UInt8](repeating: 0x22, count: 32)
        wire.handshake(.server, HandshakeType.serverHello,
                       [UInt8(version >> 8), UInt8(version & 0xff)] + random + [0x13, 0x03, 0x00, UInt8(serverShare.count)] + serverShare)
        let finished = [UInt8](repeating: 0x33, count: 32)
        let flight: [UInt8] = [HandshakeType.encryptedExtensions, 0, 0, 2, 0, 0, HandshakeType.finished, 0, 0, 32] + finished
        wire.record(.server, ContentType.applicationData,
                    try seal(flight, type: ContentType.handshake, secret: Self.secrets[.serverHandshake]!, sequence: 0, rules: rules))
        let clientFinished = try seal([HandshakeType.finished, 0, 0, 32] + finished, type: ContentType.handshake,
                                      secret: Self.secrets[.clientHandshake]!, sequence: 0, rules: rules)
        wire.record(.client, ContentType.applicationData, clientFinished)
        wire.record(.client, ContentType.applicationData,
                    try seal(Array("GET / HTTP/1.1\r\n\r\n".utf8), type: ContentType.applicationData,
                             secret: Self.secrets[.clientTraffic0]!, sequence: 0, rules: rules))
        wire.record(.server, ContentType.applicationData,
                    try seal(Array("HTTP/1.1 200 OK\r\n\r\n".utf8), type: ContentType.applicationData,
                             secret: Self.secrets[.serverTraffic0]!, sequence: 0, rules: rules))
        return (try XCTUnwrap(wire.finish()), wire.sink)
    }

    func testDraft20ChaChaConnectionDecrypts() throws {
        for version: UInt16 in [0x7f14, 0x7f12] {   // draft 20 ("tls13 " labels), draft 18 ("TLS 1.3, " labels)
            let (c, sink) = try runDraftConnection(version: version)
            XCTAssertEqual(c.version, version)
            XCTAssertTrue(c.decrypted, "\(version)")
            let types = c.handshakes.first?.messages.map { $0.type ?? "?" } ?? []
            XCTAssertEqual(types, ["ClientHello", "ServerHello", "EncryptedExtensions", "Finished", "Finished"], "\(version)")
            XCTAssertFalse(sink.findings.contains { $0.id.rawValue.hasPrefix("decryption") }, "\(sink.findings.map(\.message))")
            XCTAssertEqual(c.keyExchange?.group, 0x001d, "key_share read from extension 40")
        }
    }

    /// Item 7: Google's 2017 experiment 0x7e01 (standard ServerHello layout) carries key_share in 40.
    func testGoogleExperimentKeyShareInExtension40() throws {
        let keyShare: [UInt8] = [0x00, 0x28, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20] + [UInt8](repeating: 0x11, count: 32)
        let body: [UInt8] = [0x7e, 0x01] + Wire.random + [0x00, 0x13, 0x01, 0x00, 0x00, UInt8(keyShare.count)] + keyShare
        let hello = try body.withUnsafeBytes { try ServerHello.parse($0) }
        XCTAssertEqual(hello.negotiatedVersion, 0x7e01)
        XCTAssertEqual(hello.keyShareGroup, 0x001d)
        // A final TLS 1.3 ServerHello's extension 40 is not a key share.
        let versions: [UInt8] = [0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]
        let final: [UInt8] = [0x03, 0x03] + Wire.random + [0x00, 0x13, 0x01, 0x00, 0x00, UInt8(keyShare.count + versions.count)] + versions + keyShare
        XCTAssertNil(try final.withUnsafeBytes { try ServerHello.parse($0) }.keyShareGroup)
        // Draft 22 selected by supported_versions: extension 40 is its key share.
        let draft22: [UInt8] = [0x03, 0x03] + Wire.random + [0x00, 0x13, 0x01, 0x00, 0x00, UInt8(keyShare.count + versions.count)]
            + [0x00, 0x2b, 0x00, 0x02, 0x7f, 0x16] + keyShare
        XCTAssertEqual(try draft22.withUnsafeBytes { try ServerHello.parse($0) }.keyShareGroup, 0x001d)
    }
}
