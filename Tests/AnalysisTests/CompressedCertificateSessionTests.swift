import CZlib
import Foundation
@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// A session fed a CompressedCertificate (RFC 8879) by hand, in clear records
/// (the message path is the same once decrypted): the chain is reported as a
/// plain Certificate's would be, and bombs and broken data are findings with
/// no chain and no allocation past the limit.
final class CompressedCertificateSessionTests: XCTestCase {
    /// captures/pki/server.pem as DER.
    static let serverDER: [UInt8] = {
        let pem = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("captures/pki/server.pem")
        let text = (try? String(contentsOf: pem, encoding: .utf8)) ?? ""
        let base64 = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Data(base64Encoded: base64).map(Array.init) ?? []
    }()

    static func u24(_ n: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)] }

    /// A TLS 1.3 Certificate body with one certificate, and the TLS 1.2 one.
    static var certificate13: [UInt8] { [0] + u24(serverDER.count + 5) + u24(serverDER.count) + serverDER + [0, 0] }
    static var certificate12: [UInt8] { u24(serverDER.count + 3) + u24(serverDER.count) + serverDER }

    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in compress2(o.baseAddress, &length, i.baseAddress, uLong(data.count), 9) }
        }
        precondition(status == Z_OK)
        return Array(out.prefix(Int(length)))
    }

    static func compressedCertificate(algorithm: UInt16 = 1, declared: Int, compressed: [UInt8]) -> [UInt8] {
        [UInt8(algorithm >> 8), UInt8(truncatingIfNeeded: algorithm)] + u24(declared) + u24(compressed.count) + compressed
    }

    /// A ClientHello offering `algorithms` in compress_certificate (none: no extension).
    static func clientHello(offering algorithms: [UInt16]?) -> [UInt8] {
        var extensions = Wire.renegotiationInfo
        if let algorithms {
            let list = algorithms.flatMap { [UInt8($0 >> 8), UInt8(truncatingIfNeeded: $0)] }
            extensions += [0x00, 0x1b, 0x00, UInt8(list.count + 1), UInt8(list.count)] + list
        }
        return [0x03, 0x03] + Wire.random + [0x00, 0x00, 0x02, 0xc0, 0x2f, 0x01, 0x00] + [0x00, UInt8(extensions.count)] + extensions
    }

    /// A clear handshake whose server sends `certificateMessage` (type and body), then completes.
    private func run(offering: [UInt16]? = [1, 2, 3], _ type: UInt8, _ body: [UInt8]) -> (Wire, ConnectionSummary?) {
        let wire = Wire()
        wire.handshake(.client, HandshakeType.clientHello, Self.clientHello(offering: offering))
        wire.handshake(.server, HandshakeType.serverHello, Wire.serverHello())
        wire.handshake(.server, type, body)
        wire.handshake(.server, HandshakeType.serverHelloDone, [])
        wire.handshake(.client, HandshakeType.clientKeyExchange, [0x20] + [UInt8](repeating: 7, count: 32))
        wire.record(.client, ContentType.changeCipherSpec, [1])
        wire.record(.client, ContentType.handshake, [UInt8](repeating: 0xaa, count: 40))
        wire.record(.server, ContentType.changeCipherSpec, [1])
        wire.record(.server, ContentType.handshake, [UInt8](repeating: 0xbb, count: 40))
        return (wire, wire.finish())
    }

    private func certificateEvents(_ wire: Wire) -> [CertificateEvent] {
        wire.sink.events.compactMap { if case .certificate(let e) = $0.body { return e }; return nil }
    }

    private func compressionFindings(_ wire: Wire) -> [Finding] {
        wire.sink.findings.filter { $0.id == .certCompressionBomb || $0.id == .certCompressionInvalid }
    }

    func testACompressedChainIsReportedAsThePlainOneIs() throws {
        XCTAssertGreaterThan(Self.serverDER.count, 500, "captures/pki/server.pem read")
        let (plainWire, plain) = run(HandshakeType.certificate, Self.certificate12)
        let compressed = Self.zlib(Self.certificate13)
        let (wire, summary) = run(HandshakeType.compressedCertificate,
                                  Self.compressedCertificate(declared: Self.certificate13.count, compressed: compressed))
        let c = try XCTUnwrap(summary), p = try XCTUnwrap(plain)
        let event = try XCTUnwrap(certificateEvents(wire).first)
        let plainEvent = try XCTUnwrap(certificateEvents(plainWire).first)
        XCTAssertEqual(event.chain, plainEvent.chain)
        XCTAssertEqual(event.chain.first?.subject, "CN=server.test,O=tlsdump")
        XCTAssertEqual(event.compression, CertificateCompressionInfo(algorithm: 1, compressedLength: compressed.count,
                                                                     uncompressedLength: Self.certificate13.count))
        XCTAssertNil(plainEvent.compression)
        XCTAssertEqual(c.serverCertificate?.sha256, p.serverCertificate?.sha256)
        XCTAssertNotNil(c.serverCertificate?.sha256)
        XCTAssertEqual(c.serverCertificateCompression?.algorithm, 1)
        XCTAssertNil(p.serverCertificateCompression)
        // The same certificate findings either way (self-signed or not, names, dates).
        XCTAssertEqual(Set(wire.sink.findings.map(\.id)), Set(plainWire.sink.findings.map(\.id)))
        XCTAssertTrue(compressionFindings(wire).isEmpty)
        XCTAssertTrue(c.handshakes.first?.messages.contains { $0.type == "CompressedCertificate" } == true, "\(c.handshakes)")
        XCTAssertTrue(c.established)
    }

    /// The u24 field's largest value (16 MiB - 1) and the first over the limit: refused, not decoded.
    func testADeclaredLengthOverTheLimitIsABomb() throws {
        let limit = TLSSession.maxDecompressedCertificateLength
        for declared in [limit + 1, (1 << 24) - 1] {
            let (wire, summary) = run(HandshakeType.compressedCertificate,
                                      Self.compressedCertificate(declared: declared, compressed: Self.zlib(Self.certificate13)))
            XCTAssertTrue(certificateEvents(wire).isEmpty, "no chain from a refused message")
            XCTAssertNil(summary?.serverCertificate)
            let finding = try XCTUnwrap(compressionFindings(wire).first)
            XCTAssertEqual(finding.id, .certCompressionBomb)
            XCTAssertEqual(finding.severity, .medium)
            let fields = Dictionary(uniqueKeysWithValues: finding.evidence.fields)
            XCTAssertEqual(fields["reason"], .string("declared_length_over_limit"))
            XCTAssertEqual(fields["declared_length"], .int(declared))
            XCTAssertEqual(fields["limit"], .int(limit))
            XCTAssertEqual(fields["algorithm"], .string("zlib"))
            XCTAssertEqual(fields["sender"], .string("server"))
        }
    }

    /// 4 MiB of zeros in 4 KiB of zlib, declared as the certificate's length: decoding stops there.
    func testDataExpandingPastTheDeclaredLengthIsABomb() throws {
        let bomb = Self.zlib(Self.certificate13 + [UInt8](repeating: 0, count: 4 << 20))
        XCTAssertLessThan(bomb.count, 16 * 1024)
        let (wire, summary) = run(HandshakeType.compressedCertificate,
                                  Self.compressedCertificate(declared: Self.certificate13.count, compressed: bomb))
        XCTAssertTrue(certificateEvents(wire).isEmpty)
        XCTAssertNil(summary?.serverCertificate)
        let finding = try XCTUnwrap(compressionFindings(wire).first)
        XCTAssertEqual(finding.id, .certCompressionBomb)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: finding.evidence.fields)["reason"], .string("longer_than_declared"))
        XCTAssertTrue(summary?.findingIDs.contains(.certCompressionBomb) == true)
    }

    func testShortCorruptAndUnknownAreInvalid() throws {
        let good = Self.zlib(Self.certificate13)
        let cases: [(String, [UInt8])] = [
            ("shorter_than_declared", Self.compressedCertificate(declared: Self.certificate13.count + 10, compressed: good)),
            ("decompression_error", Self.compressedCertificate(declared: Self.certificate13.count, compressed: Array(good.dropLast(8)))),
            ("decompression_error", Self.compressedCertificate(declared: 100, compressed: [0x78, 0x9c, 0xff, 0xff, 0xff])),
            ("unknown_algorithm", Self.compressedCertificate(algorithm: 0x00ff, declared: Self.certificate13.count, compressed: good)),
        ]
        for (reason, body) in cases {
            let (wire, summary) = run(HandshakeType.compressedCertificate, body)
            XCTAssertTrue(certificateEvents(wire).isEmpty, reason)
            XCTAssertNil(summary?.serverCertificate, reason)
            let finding = try XCTUnwrap(compressionFindings(wire).first, reason)
            XCTAssertEqual(finding.id, .certCompressionInvalid, reason)
            XCTAssertEqual(finding.severity, .low)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: finding.evidence.fields)["reason"], .string(reason), finding.message)
        }
    }

    /// Decoded, but the client never offered it: the chain is read, the finding says so.
    func testAnAlgorithmTheClientDidNotOfferIsAFindingAndTheChainIsRead() throws {
        for offered in [[2, 3], nil] as [[UInt16]?] {
            let (wire, summary) = run(offering: offered, HandshakeType.compressedCertificate,
                                      Self.compressedCertificate(declared: Self.certificate13.count, compressed: Self.zlib(Self.certificate13)))
            XCTAssertEqual(certificateEvents(wire).first?.chain.first?.subject, "CN=server.test,O=tlsdump")
            XCTAssertNotNil(summary?.serverCertificate)
            let finding = try XCTUnwrap(compressionFindings(wire).first)
            XCTAssertEqual(finding.id, .certCompressionInvalid)
            let fields = Dictionary(uniqueKeysWithValues: finding.evidence.fields)
            XCTAssertEqual(fields["reason"], .string("algorithm_not_offered"))
            XCTAssertEqual(fields["offered"], .strings(offered == nil ? [] : ["brotli", "zstd"]))
        }
    }

    /// A CompressedCertificate that is not one, and a decompressed body that is no Certificate: tls.malformed.
    func testMalformedMessageAndBody() throws {
        let (wire, _) = run(HandshakeType.compressedCertificate, [0, 1, 0])
        XCTAssertTrue(wire.sink.findings.contains { $0.id == .tlsMalformed })
        let notACertificate = [UInt8](repeating: 0x41, count: 100)
        let (wire2, _) = run(HandshakeType.compressedCertificate,
                             Self.compressedCertificate(declared: 100, compressed: Self.zlib(notACertificate)))
        XCTAssertTrue(wire2.sink.findings.contains { $0.id == .tlsMalformed })
        XCTAssertTrue(certificateEvents(wire2).isEmpty)
    }
}
