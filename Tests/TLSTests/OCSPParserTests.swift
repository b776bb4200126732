import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// The OCSP, CertificateStatus and SCT parsers on hand-built input: the
/// shapes real staples rarely show (non-successful answers, several
/// responses, revoked without a reason, SCTs in the OCSP extension, unknown
/// SCT versions), the caps, and every truncation. Real responses are in
/// PipelineTests (OCSPCorpusTests, OCSPStaplingTests).
final class OCSPParserTests: XCTestCase {
    // MARK: DER building

    private func der(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out = [tag]
        let n = content.count
        if n < 0x80 { out.append(UInt8(n)) } else if n < 0x100 { out += [0x81, UInt8(n)] } else { out += [0x82, UInt8(n >> 8), UInt8(n & 0xff)] }
        return out + content
    }

    private func seq(_ parts: [UInt8]...) -> [UInt8] { der(0x30, parts.flatMap { $0 }) }
    private func time(_ text: String) -> [UInt8] { der(0x18, Array(text.utf8)) }
    private let sha1OID: [UInt8] = [0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A]

    private func certID(serial: [UInt8]) -> [UInt8] {
        seq(seq(sha1OID, [0x05, 0x00]), der(0x04, Array(repeating: 0x11, count: 20)), der(0x04, Array(repeating: 0x22, count: 20)),
            der(0x02, serial))
    }

    /// One SCT v1 (TLS encoding, with its 2-byte length): log id 32 x `log`, timestamp `ms`.
    private func sct(log: UInt8, ms: UInt64, version: UInt8 = 0) -> [UInt8] {
        var body: [UInt8] = [version] + Array(repeating: log, count: 32)
        for shift in stride(from: 56, through: 0, by: -8) { body.append(UInt8(truncatingIfNeeded: ms >> UInt64(shift))) }
        body += [0x00, 0x00, 0x04, 0x03, 0x00, 0x02, 0xAB, 0xCD]
        return [UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
    }

    private func sctList(_ items: [[UInt8]]) -> [UInt8] {
        let all = items.flatMap { $0 }
        return [UInt8(all.count >> 8), UInt8(all.count & 0xff)] + all
    }

    private func single(serial: [UInt8], status: [UInt8], next: Bool = true, extensions: [UInt8]? = nil) -> [UInt8] {
        var parts = certID(serial: serial) + status + time("20240101000000Z")
        if next { parts += der(0xA0, time("20240108000000Z")) }
        if let extensions { parts += der(0xA1, seq(extensions)) }
        return der(0x30, parts)
    }

    private func response(responder: [UInt8], singles: [[UInt8]]) -> [UInt8] {
        let data = seq(responder, time("20240101000000Z"), der(0x30, singles.flatMap { $0 }))
        let basic = seq(data, seq([0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B], [0x05, 0x00]), der(0x03, [0x00, 0x01, 0x02]))
        let bytes = seq([0x06, 0x09] + OCSPResponse.basicResponseType, der(0x04, basic))
        return seq([0x0A, 0x01, 0x00], der(0xA0, bytes))
    }

    // MARK: responses

    func testUnsuccessfulAnswersCarryNoBody() throws {
        let tryLater = try OCSPResponse.parse(der: [0x30, 0x03, 0x0A, 0x01, 0x03])
        XCTAssertEqual(tryLater.status, .tryLater)
        XCTAssertEqual(tryLater.status.name, "tryLater")
        XCTAssertNil(tryLater.basic)
        XCTAssertEqual(try OCSPResponse.parse(der: [0x30, 0x03, 0x0A, 0x01, 0x04]).status, .other(4))
        XCTAssertThrowsError(try OCSPResponse.parse(der: [0x30, 0x03, 0x0A, 0x01, 0x00]), "successful needs responseBytes")
        XCTAssertThrowsError(try OCSPResponse.parse(der: [0x30, 0x03, 0x0A, 0x01, 0x03, 0x00]), "trailing bytes")
        XCTAssertThrowsError(try OCSPResponse.parse(der: [0x30, 0x03, 0x02, 0x01, 0x03]), "responseStatus is ENUMERATED")
    }

    func testResponseForTheLeafAmongSeveral() throws {
        let scts = seq([0x06, 0x0A] + SCTExtension.ocspContent, der(0x04, der(0x04, sctList([sct(log: 0xAA, ms: 1_500)]))))
        let bytes = response(responder: der(0xA2, der(0x04, Array(repeating: 0x5A, count: 20))), singles: [
            single(serial: [0x05], status: [0x80, 0x00]),
            single(serial: [0x00, 0x9F], status: der(0xA1, time("20231231120000Z")), next: false, extensions: scts),
            single(serial: [0x07], status: [0x82, 0x00]),
        ])
        let parsed = try OCSPResponse.parse(der: bytes)
        let basic = try XCTUnwrap(parsed.basic)
        XCTAssertEqual(basic.responder, .keyHash(String(repeating: "5a", count: 20)))
        XCTAssertEqual(basic.producedAt.rfc3339, "2024-01-01T00:00:00Z")
        XCTAssertEqual(basic.responseCount, 3)
        XCTAssertEqual(basic.signatureAlgorithm, "sha256WithRSAEncryption")
        XCTAssertEqual(basic.certificateCount, 0)
        XCTAssertEqual(basic.responses.map(\.status.name), ["good", "revoked", "unknown"])
        // The leaf's by serial (a DER leading zero is not part of it), else the first.
        let leaf = try XCTUnwrap(parsed.singleResponse(forSerial: "9F"))
        XCTAssertEqual(leaf.certID.serial, "9F")
        XCTAssertEqual(leaf.certID.hashAlgorithm, .sha1)
        XCTAssertEqual(leaf.status, .revoked(time: OCSPTime(epochSeconds: 1_704_024_000, rfc3339: "2023-12-31T12:00:00Z"), reason: nil))
        XCTAssertNil(leaf.nextUpdate)
        XCTAssertEqual(leaf.signedCertificateTimestamps?.count, 1)
        XCTAssertEqual(leaf.signedCertificateTimestamps?.entries.first?.timestampText, "1970-01-01T00:00:01.500Z")
        XCTAssertEqual(parsed.singleResponse(forSerial: "1234")?.certID.serial, "05")
        XCTAssertEqual(parsed.singleResponse(forSerial: nil)?.certID.serial, "05")
    }

    func testRevocationReasonAndResponderName() throws {
        let reason = der(0xA0, [0x0A, 0x01, 0x04])
        let name = seq(der(0x31, seq([0x06, 0x03, 0x55, 0x04, 0x03], der(0x0C, Array("r".utf8)))))
        let bytes = response(responder: der(0xA1, name), singles: [
            single(serial: [0x01], status: der(0xA1, time("20240101000000Z") + reason)),
        ])
        let leaf = try XCTUnwrap(try OCSPResponse.parse(der: bytes).singleResponse(forSerial: "01"))
        guard case .revoked(_, let why) = leaf.status else { return XCTFail("revoked expected") }
        XCTAssertEqual(why?.name, "superseded")
        XCTAssertEqual(CRLReason(7).name, "7", "7 is not a defined reason")
        XCTAssertEqual(try OCSPResponse.parse(der: bytes).basic?.responder, .name("CN=r"))
    }

    func testEveryTruncationFailsCleanly() throws {
        let bytes = response(responder: der(0xA2, der(0x04, [1, 2, 3])), singles: [
            single(serial: [0x01], status: [0x80, 0x00], extensions: seq([0x06, 0x0A] + SCTExtension.ocspContent,
                                                                          der(0x04, der(0x04, sctList([sct(log: 1, ms: 2)]))))),
        ])
        XCTAssertNoThrow(try OCSPResponse.parse(der: bytes))
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try OCSPResponse.parse(der: Array(bytes.prefix(cut))), "cut at \(cut)")
        }
        // Lengths that lie about their content.
        var lying = bytes
        lying[1] = 0x7F
        XCTAssertThrowsError(try OCSPResponse.parse(der: lying))
        XCTAssertThrowsError(try OCSPResponse.parse(der: Array(repeating: 0, count: OCSPResponse.maxLength + 1)), "over the size cap")
    }

    func testSingleResponsesAreCapped() throws {
        let many = (0..<20).map { single(serial: [UInt8($0 + 1)], status: [0x80, 0x00]) }
        let basic = try XCTUnwrap(try OCSPResponse.parse(der: response(responder: der(0xA2, der(0x04, [1])), singles: many)).basic)
        XCTAssertEqual(basic.responses.count, BasicOCSPResponse.maxResponses)
        XCTAssertEqual(basic.responseCount, 20)
    }

    // MARK: SCT lists

    func testSCTList() throws {
        let list = try SignedCertificateTimestampList.parse(sctList([sct(log: 0xA4, ms: 1_406_997_753_366), sct(log: 0x68, ms: 0, version: 1)]))
        XCTAssertEqual(list.count, 2)
        let first = try XCTUnwrap(list.entries.first)
        XCTAssertEqual(first.logID, Array(repeating: 0xA4, count: 32))
        XCTAssertEqual(first.timestampText, "2014-08-02T16:42:33.366Z")
        XCTAssertEqual(first.logIDBase64, Base64.encode(Array(repeating: 0xA4, count: 32)))
        // An unknown version is counted, not read.
        XCTAssertEqual(list.entries.last?.version, 1)
        XCTAssertEqual(list.entries.last?.logID, [])
        XCTAssertNil(list.entries.last?.timestampMilliseconds)
        XCTAssertNil(list.entries.last?.logIDBase64)
        // The extension a client sends (and a server may echo) is empty.
        XCTAssertEqual(try SignedCertificateTimestampList.parse([UInt8]()).count, 0)
        // Past year 9999 there is no RFC 3339 text.
        XCTAssertNil(SignedCertificateTimestamp(version: 0, logID: [1], timestampMilliseconds: UInt64.max).timestampText)
        XCTAssertEqual(SignedCertificateTimestamp(version: 0, logID: [1], timestampMilliseconds: 7).timestampText, "1970-01-01T00:00:00.007Z")
    }

    func testSCTListMalformedAndCapped() throws {
        let good = sctList([sct(log: 1, ms: 1)])
        for cut in 1..<good.count {
            XCTAssertThrowsError(try SignedCertificateTimestampList.parse(Array(good.prefix(cut))), "cut at \(cut)")
        }
        XCTAssertThrowsError(try SignedCertificateTimestampList.parse(good + [0]), "bytes after the list")
        var extra = sct(log: 1, ms: 1)
        extra[1] += 1
        extra.append(0)
        XCTAssertThrowsError(try SignedCertificateTimestampList.parse(sctList([extra])), "bytes after an SCT's signature")
        let many = try SignedCertificateTimestampList.parse(sctList((0..<40).map { sct(log: UInt8($0), ms: UInt64($0)) }))
        XCTAssertEqual(many.count, 40)
        XCTAssertEqual(many.entries.count, SignedCertificateTimestampList.maxEntries)
    }

    // MARK: CertificateStatus

    func testCertificateStatusMessage() throws {
        let ocsp: [UInt8] = [0x30, 0x03, 0x0A, 0x01, 0x03]
        func parse(_ bytes: [UInt8]) throws -> CertificateStatusMessage {
            let result: Result<CertificateStatusMessage, ParseError> = bytes.withUnsafeBytes { buffer in
                do throws(ParseError) { return .success(try CertificateStatusMessage.parse(buffer)) } catch { return .failure(error) }
            }
            return try result.get()
        }
        let one = try parse([1, 0, 0, 5] + ocsp)
        XCTAssertEqual(one.statusType, CertificateStatusMessage.ocsp)
        XCTAssertEqual(one.responses, [ocsp])
        // RFC 6961 ocsp_multi: one per chain certificate, empty where the server has none.
        let multi = try parse([2, 0, 0, 11, 0, 0, 5] + ocsp + [0, 0, 0])
        XCTAssertEqual(multi.responses, [ocsp, []])
        XCTAssertEqual(multi.responseCount, 2)
        XCTAssertThrowsError(try parse([1, 0, 0, 0]), "an empty OCSPResponse")
        XCTAssertThrowsError(try parse([3, 0, 0, 5] + ocsp), "unknown status type")
        XCTAssertThrowsError(try parse([1, 0, 0, 5] + ocsp + [0]), "bytes after")
        XCTAssertThrowsError(try parse([1, 0, 0, 6] + ocsp), "length past the end")
    }
}
