@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// The key-exchange and ECH paths of a session fed hand-made records: what
/// no local peer can produce (a TLS 1.2 server declining an ML-KEM offer, a
/// psk_ke resumption, an ECH rejection's retry_configs in EncryptedExtensions).
final class KeyExchangeSessionTests: XCTestCase {
    private static func ext(_ type: UInt16, _ body: [UInt8]) -> [UInt8] {
        [UInt8(type >> 8), UInt8(truncatingIfNeeded: type), UInt8(body.count >> 8), UInt8(truncatingIfNeeded: body.count)] + body
    }

    private static func v2(_ b: [UInt8]) -> [UInt8] { [UInt8(b.count >> 8), UInt8(truncatingIfNeeded: b.count)] + b }

    private static func hello(version: UInt16 = 0x0303, suites: [UInt16], extensions: [[UInt8]]) -> [UInt8] {
        let body = extensions.flatMap { $0 }
        return [0x03, 0x03] + Wire.random + [0x00] + v2(suites.flatMap { [UInt8($0 >> 8), UInt8(truncatingIfNeeded: $0)] }) + [0x01, 0x00] + v2(body)
    }

    private static func serverHello(suite: UInt16, extensions: [[UInt8]]) -> [UInt8] {
        [0x03, 0x03] + Wire.random + [0x00, UInt8(suite >> 8), UInt8(truncatingIfNeeded: suite), 0x00] + v2(extensions.flatMap { $0 })
    }

    private static let supportedGroupsPQ = ext(0x000a, v2([0x11, 0xec, 0x00, 0x1d]))   // X25519MLKEM768, x25519

    /// TLS 1.2 ECDHE: the client lists X25519MLKEM768 in supported_groups (it would use it in
    /// TLS 1.3), the server negotiates TLS 1.2 and names x25519 in its ServerKeyExchange.
    func testTLS12ServerDeclinesPostQuantumGroup() throws {
        let wire = Wire()
        wire.handshake(.client, HandshakeType.clientHello, Self.hello(suites: [0xc02f], extensions: [Self.supportedGroupsPQ]))
        wire.handshake(.server, HandshakeType.serverHello, Self.serverHello(suite: 0xc02f, extensions: []))
        XCTAssertTrue(wire.sink.findings.isEmpty, "ECDHE: the group is known only with the ServerKeyExchange")
        wire.handshake(.server, HandshakeType.serverKeyExchange, [0x03, 0x00, 0x1d, 0x20] + [UInt8](repeating: 9, count: 32) + [0x04, 0x01, 0x00, 0x00])
        let finding = try XCTUnwrap(wire.sink.findings.first { $0.id == .kexPostQuantumNotSelected })
        XCTAssertEqual(finding.evidence, .postQuantumDeclined(offered: ["X25519MLKEM768"], selected: "x25519", helloRetry: nil))
        let c = try XCTUnwrap(wire.finish())
        XCTAssertEqual(c.keyExchange?.method, .ecdhe)
        XCTAssertEqual(c.keyExchange?.group, 0x001d)
        XCTAssertEqual(c.keyExchange?.offeredPostQuantum, true)
        XCTAssertEqual(c.keyExchange?.offeredKeyShares, [])
    }

    /// TLS 1.3 psk_ke: a resumption without key_share agrees on no key, so declines nothing.
    func testPSKOnlyResumptionHasNoGroupAndNoFinding() throws {
        let wire = Wire()
        let shares = Self.ext(0x0033, Self.v2([0x11, 0xec] + Self.v2([UInt8](repeating: 1, count: 1216))))
        wire.handshake(.client, HandshakeType.clientHello,
                       Self.hello(suites: [0x1301], extensions: [Self.supportedGroupsPQ, shares, Self.ext(0x002b, [0x02, 0x03, 0x04])]))
        wire.handshake(.server, HandshakeType.serverHello,
                       Self.serverHello(suite: 0x1301, extensions: [Self.ext(0x002b, [0x03, 0x04]), Self.ext(0x0029, [0x00, 0x00])]))
        let c = try XCTUnwrap(wire.finish())
        XCTAssertEqual(c.keyExchange?.method, .pskOnly)
        XCTAssertNil(c.keyExchange?.group)
        XCTAssertNil(c.keyExchange?.postQuantum)
        XCTAssertNotNil(c.keyExchange?.unknownReason)
        XCTAssertEqual(c.keyExchange?.offeredKeyShares, [0x11ec])
        XCTAssertFalse(wire.sink.findings.contains { $0.id == .kexPostQuantumNotSelected })
    }

    /// An ECH offer, then EncryptedExtensions carrying retry_configs (delivered here as a
    /// clear record, as decryption would hand it over): the server rejected ECH.
    func testRetryConfigsInEncryptedExtensionsMeanRejected() throws {
        let wire = Wire()
        let ech = Self.ext(0xfe0d, [0x00, 0x00, 0x01, 0x00, 0x01, 0x2a] + Self.v2([UInt8](repeating: 5, count: 32)) + Self.v2([UInt8](repeating: 6, count: 160)))
        let shares = Self.ext(0x0033, Self.v2([0x00, 0x1d] + Self.v2([UInt8](repeating: 1, count: 32))))
        let sni = Self.ext(0x0000, Self.v2([0x00] + Self.v2(Array("public.example".utf8))))
        wire.handshake(.client, HandshakeType.clientHello,
                       Self.hello(suites: [0x1301], extensions: [sni, shares, Self.ext(0x002b, [0x02, 0x03, 0x04]), ech]))
        wire.handshake(.server, HandshakeType.serverHello,
                       Self.serverHello(suite: 0x1301, extensions: [Self.ext(0x002b, [0x03, 0x04]), Self.ext(0x0033, [0x00, 0x1d] + Self.v2([UInt8](repeating: 2, count: 32)))]))
        let contents: [UInt8] = [0x07, 0x00, 0x20] + Self.v2([UInt8](repeating: 3, count: 32)) + Self.v2([0x00, 0x01, 0x00, 0x01])
            + [0x00] + [UInt8("public.example".utf8.count)] + Array("public.example".utf8) + Self.v2([])
        let list = Self.v2([0xfe, 0x0d] + Self.v2(contents))
        wire.handshake(.server, HandshakeType.encryptedExtensions, Self.v2(Self.ext(0xfe0d, list)))
        let c = try XCTUnwrap(wire.finish())
        let summary = try XCTUnwrap(c.ech)
        XCTAssertEqual(summary.offer?.form, .outer(kdf: 1, aead: 1, configID: 0x2a, encLength: 32, payloadLength: 160))
        XCTAssertEqual(summary.outerSNI, "public.example")
        XCTAssertEqual(summary.outcome, .rejected)
        XCTAssertNil(summary.reason)
        XCTAssertEqual(summary.retryConfigs?.map(\.publicName), ["public.example"])
        XCTAssertEqual(summary.retryConfigs?.first?.configID, 7)
        XCTAssertEqual(summary.retryConfigs?.first?.kemID, 0x0020)
        XCTAssertEqual(summary.retryConfigs?.first?.cipherSuites, [ECHCipherSuite(kdf: 1, aead: 1)])
        XCTAssertEqual(c.keyExchange?.group, 0x001d)
    }

    /// The ECH parsers on edge inputs: sizes, the inner marker, trailing bytes, capped lists.
    func testECHParsersRejectWhatIsMalformed() throws {
        func clientForm(_ bytes: [UInt8]) -> Result<ECHClientHello, ParseError> {
            bytes.withUnsafeBytes { raw in
                do throws(ParseError) { return .success(try ECHClientHello.parse(raw)) } catch { return .failure(error) }
            }
        }
        XCTAssertEqual(try clientForm([0x01]).get().form, .inner)
        XCTAssertEqual(try clientForm([0x05, 0xff]).get().form, .unknown(type: 5))
        XCTAssertThrowsError(try clientForm([0x01, 0x00]).get(), "the inner marker has no body")
        XCTAssertThrowsError(try clientForm([0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00]).get(), "an empty payload")
        XCTAssertThrowsError(try clientForm([0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0xaa, 0xbb]).get(), "a byte after the payload")
        XCTAssertThrowsError(try clientForm([0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0x05]).get(), "enc runs past the extension")
        // A list of 20 configs of an unknown version: 16 kept, 4 counted.
        let config: [UInt8] = [0xfe, 0x09] + Self.v2([1, 2, 3])
        let list = Self.v2(Array([[UInt8]](repeating: config, count: 20).joined()))
        let result: Result<(configs: [ECHConfig], dropped: Int), ParseError> = list.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try ECHConfigList.parse(raw)) } catch { return .failure(error) }
        }
        let parsed = try result.get()
        XCTAssertEqual(parsed.configs.count, ECHConfigList.maxConfigs)
        XCTAssertEqual(parsed.dropped, 4)
        XCTAssertNil(parsed.configs.first?.publicName, "only version 0xfe0d is read")
    }
}
