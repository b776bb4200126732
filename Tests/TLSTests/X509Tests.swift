import Foundation
import XCTest
@testable import TLSDumpTLS

/// X.509 summaries: real certificates from the shared captures and
/// openssl-generated ones (expected values taken from
/// `openssl x509 -inform DER -noout -text -subject -issuer -nameopt RFC2253,-esc_msb
/// -serial -dates -fingerprint -sha256`), plus hand-built DER for the edge cases.
final class X509Tests: XCTestCase {

    // MARK: Real certificates

    func testSummariesMatchOpenSSL() throws {
        for fixture in certificateFixtures {
            let summary = X509Summarizer.summarize(der: try fixture.der())
            let origin = fixture.origin
            XCTAssertNil(summary.parseError, origin)
            XCTAssertEqual(summary.subject, fixture.subject, origin)
            XCTAssertEqual(summary.issuer, fixture.issuer, origin)
            XCTAssertEqual(summary.serial, fixture.serial, origin)
            XCTAssertEqual(summary.notBefore, fixture.notBefore, origin)
            XCTAssertEqual(summary.notAfter, fixture.notAfter, origin)
            XCTAssertEqual(summary.notBeforeEpoch, fixture.notBeforeEpoch, origin)
            XCTAssertEqual(summary.notAfterEpoch, fixture.notAfterEpoch, origin)
            XCTAssertEqual(summary.keyType, fixture.keyType, origin)
            XCTAssertEqual(summary.keyBits, fixture.keyBits, origin)
            XCTAssertEqual(summary.signatureAlgorithm, fixture.signatureAlgorithm, origin)
            XCTAssertEqual(summary.subjectAlternativeNames, fixture.subjectAlternativeNames, origin)
            XCTAssertEqual(summary.sha256, fixture.sha256, origin)
            XCTAssertEqual(summary.isSelfIssued, fixture.isSelfIssued, origin)
        }
    }

    func testCommonNamesAndSANKinds() throws {
        let leaf = try summary(of: "openssl-generated leaf2048")
        XCTAssertEqual(leaf.commonNames, ["www.example.com"])
        XCTAssertEqual(leaf.dnsNames, ["www.example.com", "*.example.org"])
        XCTAssertEqual(leaf.ipAddresses, ["10.0.0.1", "2001:db8::1"])

        let noCN = try summary(of: "cert-no-cn.pcap (captured)")
        XCTAssertEqual(noCN.commonNames, [])
        XCTAssertEqual(noCN.subjectAlternativeNames, [])

        // T61String (Latin-1) and BMPString values decode to the same text.
        let t61 = try summary(of: "openssl-generated t61bmp")
        XCTAssertEqual(t61.commonNames, ["Grüße"])
    }

    func testHostnameMatchingOnRealCertificates() throws {
        let leaf = try summary(of: "openssl-generated leaf2048")
        XCTAssertTrue(leaf.matches(hostname: "www.example.com"))
        XCTAssertTrue(leaf.matches(hostname: "WWW.Example.COM."))
        XCTAssertTrue(leaf.matches(hostname: "api.example.org"))
        XCTAssertFalse(leaf.matches(hostname: "example.org"), "wildcard needs one label")
        XCTAssertFalse(leaf.matches(hostname: "a.b.example.org"), "wildcard matches exactly one label")
        XCTAssertFalse(leaf.matches(hostname: "example.com"))
        XCTAssertTrue(leaf.matches(hostname: "10.0.0.1"))
        XCTAssertTrue(leaf.matches(hostname: "2001:DB8::1"))
        XCTAssertFalse(leaf.matches(hostname: "10.0.0.2"))

        // No SAN at all: the subject CN is the reference identifier.
        let v1 = try summary(of: "x509-generalizedtime.pcap (captured)")
        XCTAssertTrue(v1.matches(hostname: "bro-generalizedtime-test"))
        XCTAssertFalse(v1.matches(hostname: "bro"))

        // No CN and no SAN: nothing matches.
        let noCN = try summary(of: "cert-no-cn.pcap (captured)")
        XCTAssertFalse(noCN.matches(hostname: "TestCorp"))
    }

    func testWildcardRules() {
        func certificate(dns: [String] = [], cn: [String] = [], ip: [String] = []) -> CertificateSummary {
            CertificateSummary(subjectAlternativeNames: dns + ip, dnsNames: dns, ipAddresses: ip, commonNames: cn, sha256: "")
        }
        let wildcard = certificate(dns: ["*.Example.com"])
        XCTAssertTrue(wildcard.matches(hostname: "foo.example.com"))
        XCTAssertTrue(wildcard.matches(hostname: "FOO.EXAMPLE.COM."))
        XCTAssertFalse(wildcard.matches(hostname: "example.com"))
        XCTAssertFalse(wildcard.matches(hostname: ".example.com"))
        XCTAssertFalse(wildcard.matches(hostname: "a.b.example.com"))
        XCTAssertFalse(wildcard.matches(hostname: "fooexample.com"))
        XCTAssertFalse(wildcard.matches(hostname: ""))

        XCTAssertFalse(certificate(dns: ["*.com"]).matches(hostname: "example.com"), "too broad")
        XCTAssertFalse(certificate(dns: ["f*.example.com"]).matches(hostname: "foo.example.com"), "partial label")
        XCTAssertFalse(certificate(dns: ["www.*.example.com"]).matches(hostname: "www.a.example.com"), "not left-most")
        XCTAssertFalse(certificate(dns: ["*.*.example.com"]).matches(hostname: "a.b.example.com"))
        XCTAssertTrue(certificate(dns: ["example.com."]).matches(hostname: "Example.Com"))
        XCTAssertFalse(certificate(dns: ["www.paypal.com\u{0}.evil.com"]).matches(hostname: "www.paypal.com"))

        // A DNS SAN hides the CN (RFC 6125 6.4.4); without one the CN is used.
        XCTAssertFalse(certificate(dns: ["a.example.com"], cn: ["b.example.com"]).matches(hostname: "b.example.com"))
        XCTAssertTrue(certificate(cn: ["*.example.com"]).matches(hostname: "b.example.com"))
        // IP literals only match IP SANs, never a CN that looks like one.
        XCTAssertFalse(certificate(cn: ["192.0.2.1"]).matches(hostname: "192.0.2.1"))
        XCTAssertTrue(certificate(ip: ["192.0.2.1"]).matches(hostname: "192.0.2.1"))
    }

    // MARK: Distinguished names

    func testDistinguishedNameOrderAndEscaping() {
        let name = DER.name([
            [(DER.oid(2, 5, 4, 6), DER.printable("US"))],
            [(DER.oid(2, 5, 4, 10), DER.utf8("Acme, Inc. +\"q\" <a>;b\\c"))],
            [(DER.oid(2, 5, 4, 11), DER.utf8("#hash")), (DER.oid(2, 5, 4, 3), DER.utf8(" lead and trail "))],
            [(DER.oid(2, 5, 4, 3), DER.utf8("a#b =c"))],
            [(DER.oid(2, 5, 4, 3), DER.utf8("nul\u{0}tab\u{9}"))],
        ])
        XCTAssertEqual(
            X509Summarizer.distinguishedName(der: name),
            ##"CN=nul\00tab\09,CN=a#b =c,OU=\#hash+CN=\ lead and trail\ ,O=Acme\, Inc. \+\"q\" \<a\>\;b\\c,C=US"##)
    }

    func testDistinguishedNameValueTypes() {
        let name = DER.name([
            [(DER.oid(2, 5, 4, 3), DER.tlv(0x14, [0x47, 0x72, 0xFC, 0xDF, 0x65]))],                 // T61String, Latin-1 "Grüße"
            [(DER.oid(2, 5, 4, 10), DER.tlv(0x1E, [0x65, 0xE5, 0x67, 0x2C]))],                     // BMPString "日本"
            [(DER.oid(2, 5, 4, 11), DER.tlv(0x1C, [0, 0, 0, 0x41, 0, 1, 0xF6, 0x00]))],           // UniversalString "A😀"
            [(DER.oid(1, 2, 840, 113_549, 1, 9, 1), DER.tlv(0x16, Array("a@b.c".utf8)))],          // emailAddress
            [(DER.oid(0, 9, 2342, 19_200_300, 100, 1, 25), DER.tlv(0x16, Array("example".utf8)))], // DC
            [(DER.oid(1, 2, 3, 4), DER.utf8("x"))],                                                // unknown type: #hex
            [(DER.oid(2, 5, 4, 3), DER.tlv(0x0C, [0xC3, 0x28]))],                                  // invalid UTF-8: #hex
            [(DER.oid(2, 5, 4, 3), DER.tlv(0x02, [0x01]))],                                        // not a string: #hex
            [(DER.oid(2, 5, 4, 3), DER.tlv(0x1E, [0x00]))],                                        // odd BMPString: #hex
        ])
        XCTAssertEqual(
            X509Summarizer.distinguishedName(der: name),
            "CN=#1E0100,CN=#020101,CN=#0C02C328,1.2.3.4=#0C0178,DC=example,emailAddress=a@b.c,OU=A😀,O=日本,CN=Grüße")
    }

    func testDistinguishedNameEdgeCases() {
        XCTAssertEqual(X509Summarizer.distinguishedName(der: DER.name([])), "")
        XCTAssertNil(X509Summarizer.distinguishedName(der: []))
        XCTAssertNil(X509Summarizer.distinguishedName(der: [0x30, 0x05, 0x31]), "length beyond the data")
        XCTAssertNil(X509Summarizer.distinguishedName(der: DER.name([]) + [0x00]), "trailing bytes")
        XCTAssertNil(X509Summarizer.distinguishedName(der: DER.tlv(0x31, [])), "not a SEQUENCE")
        XCTAssertNil(X509Summarizer.distinguishedName(der: DER.tlv(0x30, DER.tlv(0x30, []))), "RDN must be a SET")
        XCTAssertNil(X509Summarizer.distinguishedName(der: DER.tlv(0x30, DER.tlv(0x31, DER.tlv(0x30, DER.oid(2, 5, 4, 3))))),
                     "attribute without a value")
        // Names copied out of a real certificate, as CertificateRequest carries them.
        let issuer = DER.name([
            [(DER.oid(2, 5, 4, 6), DER.printable("GB"))],
            [(DER.oid(2, 5, 4, 10), DER.printable("COMODO CA Limited"))],
            [(DER.oid(2, 5, 4, 3), DER.printable("COMODO RSA Certification Authority"))],
        ])
        XCTAssertEqual(X509Summarizer.distinguishedName(der: issuer),
                       "CN=COMODO RSA Certification Authority,O=COMODO CA Limited,C=GB")
    }

    // MARK: Times

    func testTimeParsing() {
        func parse(_ text: String, generalized: Bool = false) -> X509Time? {
            let bytes = Array(text.utf8)
            return X509Time.parse(tag: generalized ? 0x18 : 0x17, bytes, 0..<bytes.count)
        }
        // RFC 5280 UTCTime century rule: 50-99 are 19xx, 00-49 are 20xx.
        XCTAssertEqual(parse("500101000000Z"), X509Time(epochSeconds: -631_152_000, rfc3339: "1950-01-01T00:00:00Z"))
        XCTAssertEqual(parse("491231235959Z"), X509Time(epochSeconds: 2_524_607_999, rfc3339: "2049-12-31T23:59:59Z"))
        XCTAssertEqual(parse("691231235959Z")?.epochSeconds, -1)
        XCTAssertEqual(parse("20500101000000Z", generalized: true),
                       X509Time(epochSeconds: 2_524_608_000, rfc3339: "2050-01-01T00:00:00Z"))
        XCTAssertEqual(parse("99991231235959Z", generalized: true)?.epochSeconds, 253_402_300_799)
        XCTAssertEqual(parse("19700101000000.123Z", generalized: true)?.rfc3339, "1970-01-01T00:00:00Z")
        // BER leftovers: no seconds, and a zone offset.
        XCTAssertEqual(parse("0001011200+0100"), X509Time(epochSeconds: 946_724_400, rfc3339: "2000-01-01T11:00:00Z"))
        XCTAssertEqual(parse("240229000000Z")?.epochSeconds, 1_709_164_800)
        XCTAssertEqual(parse("20000229120000Z", generalized: true)?.epochSeconds, 951_825_600)
        for bad in ["230229000000Z", "241301000000Z", "240100000000Z", "240101240000Z", "2401010000Z0",
                    "24010100000", "", "2a0101000000Z", "240101000000+2400"] {
            XCTAssertNil(parse(bad), bad)
        }
        XCTAssertNil(parse("21000229000000Z", generalized: true), "2100 is not a leap year")
        XCTAssertNil(parse("20240101000000.Z", generalized: true))
        XCTAssertNil(X509Time.parse(tag: 0x04, Array("240101000000Z".utf8), 0..<13), "not a time type")
    }

    // MARK: Serials, OIDs, DER framing

    func testSerialFormatting() {
        XCTAssertEqual(X509SerialNumber.hex([0x00, 0xFF, 0x01]), "FF01")
        XCTAssertEqual(X509SerialNumber.hex([0x00]), "00")
        XCTAssertEqual(X509SerialNumber.hex([]), "00")
        XCTAssertEqual(X509SerialNumber.hex([0xFF]), "-01")
        XCTAssertEqual(X509SerialNumber.hex([0x80]), "-80")
        XCTAssertEqual(X509SerialNumber.hex([0xED, 0xCC]), "-1234")
        XCTAssertEqual(X509SerialNumber.hex([0x00, 0x00, 0x01]), "01")
    }

    func testObjectIdentifierDecoding() {
        func oid(_ bytes: [UInt8]) -> String? { X509DERValue.objectIdentifier(bytes, 0..<bytes.count) }
        XCTAssertEqual(oid([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B]), "1.2.840.113549.1.1.11")
        XCTAssertEqual(oid([0x55, 0x04, 0x03]), "2.5.4.3")
        XCTAssertEqual(oid([0x88, 0x37, 0x01]), "2.999.1")
        // 2.25.<UUID>: a 128-bit arc.
        let maxArc: [UInt8] = [0x83] + Array(repeating: 0xFF, count: 17) + [0x7F] // 2^128 - 1
        let uuidArc: [UInt8] = [0x69] + maxArc
        XCTAssertEqual(oid(uuidArc), "2.25.340282366920938463463374607431768211455")
        // First subidentifier itself huge: the second arc is value - 80.
        XCTAssertEqual(oid(maxArc),
                       "2.340282366920938463463374607431768211375")
        XCTAssertNil(oid([]))
        XCTAssertNil(oid([0x2A, 0x86]), "ends inside an arc")
    }

    func testDERReaderFraming() {
        func firstElement(_ bytes: [UInt8]) -> Result<X509DERElement, X509ParseFailure> {
            var reader = X509DERReader(bytes)
            return Result { () throws(X509ParseFailure) in try reader.read() }
        }
        XCTAssertThrowsError(try firstElement([0x30, 0x80, 0x00, 0x00]).get(), "indefinite length")
        XCTAssertThrowsError(try firstElement([0x30, 0x03, 0x00]).get(), "beyond the data")
        XCTAssertThrowsError(try firstElement([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).get(), "9-byte length")
        XCTAssertThrowsError(try firstElement([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).get(), "huge length")
        XCTAssertThrowsError(try firstElement([0x1F, 0x81]).get(), "truncated high tag")
        // Non-minimal long-form length and a high tag number are tolerated.
        let longForm = try? firstElement([0x04, 0x82, 0x00, 0x01, 0xAB]).get()
        XCTAssertEqual(longForm?.content, 4..<5)
        let highTag = try? firstElement([0x9F, 0x81, 0x00, 0x01, 0xAB]).get()
        XCTAssertEqual(highTag?.content, 4..<5)
    }

    // MARK: Damaged input

    func testEveryTruncationPrefixReturnsASummary() throws {
        for fixture in certificateFixtures {
            let der = try fixture.der()
            let full = X509Summarizer.summarize(der: der)
            for length in 0..<der.count {
                let prefix = Array(der[0..<length])
                let summary = X509Summarizer.summarize(der: prefix)
                XCTAssertNotNil(summary.parseError, "\(fixture.origin) prefix \(length)")
                XCTAssertEqual(summary.sha256.count, 64)
                // Whatever was read must agree with the full parse.
                if let subject = summary.subject { XCTAssertEqual(subject, full.subject, fixture.origin) }
                if let serial = summary.serial { XCTAssertEqual(serial, full.serial, fixture.origin) }
            }
            // Cut inside the signature: every TBS field is still there.
            let cut = X509Summarizer.summarize(der: Array(der.dropLast(5)))
            XCTAssertNotNil(cut.parseError)
            XCTAssertEqual(cut.subject, full.subject, fixture.origin)
            XCTAssertEqual(cut.issuer, full.issuer, fixture.origin)
            XCTAssertEqual(cut.notAfter, full.notAfter, fixture.origin)
            XCTAssertEqual(cut.keyBits, full.keyBits, fixture.origin)
            XCTAssertEqual(cut.subjectAlternativeNames, full.subjectAlternativeNames, fixture.origin)
            XCTAssertEqual(cut.signatureAlgorithm, full.signatureAlgorithm, "TBS copy of the algorithm")
        }
    }

    func testRandomBytesAndBitFlipsNeverTrap() throws {
        var random = SplitMix64(seed: 0x7115_D0C5)
        for _ in 0..<2000 {
            let length = Int(random.next() % 600)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if random.next() % 2 == 0, !bytes.isEmpty { bytes[0] = 0x30 } // reach past the first tag more often
            let summary = X509Summarizer.summarize(der: bytes)
            XCTAssertEqual(summary.sha256.count, 64)
            if length < 2 { XCTAssertNotNil(summary.parseError) }
        }
        for fixture in certificateFixtures {
            let der = try fixture.der()
            for _ in 0..<300 {
                var mutated = der
                for _ in 0..<(1 + Int(random.next() % 3)) {
                    let index = Int(random.next() % UInt64(mutated.count))
                    mutated[index] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
                }
                let summary = X509Summarizer.summarize(der: mutated)
                XCTAssertEqual(summary.sha256.count, 64)
            }
        }
    }

    func testTrailingBytesAreReportedButFieldsKept() throws {
        let der = try fixture("openssl-generated p384").der()
        let summary = X509Summarizer.summarize(der: der + [0x00, 0x00])
        XCTAssertEqual(summary.parseError, "trailing bytes after certificate")
        XCTAssertEqual(summary.subject, "CN=ec384.example")
        XCTAssertEqual(summary.keyBits, 384)
        XCTAssertEqual(summary.signatureAlgorithm, "ecdsa-with-SHA384")
    }

    func testDamagedPublicKeyLeavesOtherFields() throws {
        var der = try fixture("openssl-generated rsa512").der()
        // The RSAPublicKey SEQUENCE sits right after the BIT STRING's unused-bits octet.
        let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03]
        let at = try XCTUnwrap(firstIndex(of: rsaEncryption, in: der))
        // [..., 05 00] 03 len 00 30 -> break the inner SEQUENCE tag.
        let sequenceIndex = at + rsaEncryption.count + 2
        XCTAssertEqual(der[sequenceIndex], 0x30)
        der[sequenceIndex] = 0x31
        let summary = X509Summarizer.summarize(der: der)
        XCTAssertEqual(summary.keyType, "RSA")
        XCTAssertNil(summary.keyBits)
        XCTAssertEqual(summary.subject, "O=Weak Keys Ltd,CN=tiny.example")
        XCTAssertEqual(summary.notAfter, try fixture("openssl-generated rsa512").notAfter)
        XCTAssertEqual(summary.signatureAlgorithm, "sha1WithRSAEncryption")
        XCTAssertTrue(summary.parseError?.hasPrefix("subjectPublicKeyInfo:") ?? false, summary.parseError ?? "nil")
    }

    func testGarbageIsASummaryWithError() {
        let empty = X509Summarizer.summarize(der: [])
        XCTAssertEqual(empty.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertNotNil(empty.parseError)
        XCTAssertNil(empty.subject)
        let notACertificate = X509Summarizer.summarize(der: Array("hello".utf8))
        XCTAssertEqual(notACertificate.parseError, "unexpected tag 0x68 for certificate")
    }

    // MARK: Helpers

    private func fixture(_ origin: String) throws -> CertificateFixture {
        try XCTUnwrap(certificateFixtures.first { $0.origin == origin }, origin)
    }

    private func summary(of origin: String) throws -> CertificateSummary {
        X509Summarizer.summarize(der: try fixture(origin).der())
    }

    private func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

/// Deterministic PRNG so fuzz failures reproduce.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Minimal DER builder for hand-made names.
private enum DER {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out = [tag]
        if content.count < 0x80 {
            out.append(UInt8(content.count))
        } else if content.count < 0x100 {
            out += [0x81, UInt8(content.count)]
        } else {
            out += [0x82, UInt8(content.count >> 8), UInt8(content.count & 0xFF)]
        }
        return out + content
    }

    static func oid(_ arcs: Int...) -> [UInt8] {
        var body: [UInt8] = []
        let values = [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2)
        for value in values {
            var septets = [UInt8(value & 0x7F)]
            var rest = value >> 7
            while rest > 0 { septets.insert(UInt8(rest & 0x7F) | 0x80, at: 0); rest >>= 7 }
            body += septets
        }
        return tlv(0x06, body)
    }

    static func utf8(_ text: String) -> [UInt8] { tlv(0x0C, Array(text.utf8)) }
    static func printable(_ text: String) -> [UInt8] { tlv(0x13, Array(text.utf8)) }

    /// A Name from RDNs in DER order, each a list of (type, value) encodings.
    static func name(_ rdns: [[([UInt8], [UInt8])]]) -> [UInt8] {
        tlv(0x30, rdns.flatMap { rdn in
            tlv(0x31, rdn.flatMap { type, value in tlv(0x30, type + value) })
        })
    }
}

/// A certificate and what openssl says about it.
private struct CertificateFixture {
    let origin: String
    let base64: String
    let subject: String?
    let issuer: String?
    let serial: String?
    let notBefore: String
    let notBeforeEpoch: Int64
    let notAfter: String
    let notAfterEpoch: Int64
    let keyType: String
    let keyBits: Int?
    let signatureAlgorithm: String
    let subjectAlternativeNames: [String]
    let sha256: String
    let isSelfIssued: Bool

    func der() throws -> [UInt8] {
        [UInt8](try XCTUnwrap(Data(base64Encoded: base64), origin))
    }
}

private let certificateFixtures: [CertificateFixture] = [
    CertificateFixture(
        origin: "cert-no-cn.pcap (captured)",
        base64: [
            "MIIC+TCCAeGgAwIBAgIJAPoXphQFmx7zMA0GCSqGSIb3DQEBBQUAMBMxETAPBgNVBAoMCFRlc3RDb3JwMB4XDTE1MDMwNDAwMzEw",
            "NVoXDTE2MDMwMzAwMzEwNVowEzERMA8GA1UECgwIVGVzdENvcnAwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDJkYtX",
            "p6us1MxesStmq9QwYIPIk0yJFjryBCjEyhKIIz3KOcypdR+qPLbi7HmwsFkSkyRWA/3CX1k9MRXZ2Nu5623H3biIByN1OBOnBKV5",
            "jyE/zNP2yD58xO9xf2aT8j9hJHkWYiJgwJsIXT/JWK5nV+qWv6/N3frpbu1jQigbk6RQN9bB6InBYwbphLWyOOdIbV39wKk6cad9",
            "QFaabpHnF2iGWIZOXen/Kolfg42lSKhv6DRHcWk5xoWLbMS+JVNb38gItd/FV2valQ5klKqs+EWLdzAieI/pNNhGG6XyZXuC5VbS",
            "044MJlYYKUjWpb2FMq8jTIu/fOWokJ68WrTzAgMBAAGjUDBOMB0GA1UdDgQWBBTh9YWTxUqUfixyKtABn8sQmIGbLjAfBgNVHSME",
            "GDAWgBTh9YWTxUqUfixyKtABn8sQmIGbLjAMBgNVHRMEBTADAQH/MA0GCSqGSIb3DQEBBQUAA4IBAQANE9Nu8s0k5cbhrLlU24Je",
            "v/dc7/Kyc4Cae7jAqffnDIzTJ7odW/7b9akYAcrkzPNV0wk8H+7j4/mSBBNCjlHm8qTU1cegleKhO9dhhruLRvnDYN8k4kALMqeS",
            "fZBXG2+HBmdsYm0tkxe4wKtQ6erAyg/3imz5udhLK+7/1ToxeNkVb36QFlJtKR6wsdhXIMR9pRLf5GKUh7ekT0am9NaFkarZ+3U+",
            "WFGFEk73YjVuKZMBdEt6Y830MbY58Mb6U7+mZv/lY8XR1xLb4zjR1pf8CTkYeTErtWaMqKuKIag06NEgSTsmkas8zdIGq1NePBp7",
            "moso4onLVZuQNj8gzsCn"
        ].joined(),
        subject: "O=TestCorp",
        issuer: "O=TestCorp",
        serial: "FA17A614059B1EF3",
        notBefore: "2015-03-04T00:31:05Z", notBeforeEpoch: 1425429065,
        notAfter: "2016-03-03T00:31:05Z", notAfterEpoch: 1456965065,
        keyType: "RSA", keyBits: 2048,
        signatureAlgorithm: "sha1WithRSAEncryption",
        subjectAlternativeNames: [],
        sha256: "3cd6d125cca7c6f128928b0570cd3dc6efb0ad52f95dbff292011106b7f8d4b4",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "ecdsa-cert.pcap (captured)",
        base64: [
            "MIID0jCCA3egAwIBAgIRAPCvu/VYv00bcf7ZyzN5PuQwCgYIKoZIzj0EAwIwgZAxCzAJBgNVBAYTAkdCMRswGQYDVQQIExJHcmVh",
            "dGVyIE1hbmNoZXN0ZXIxEDAOBgNVBAcTB1NhbGZvcmQxGjAYBgNVBAoTEUNPTU9ETyBDQSBMaW1pdGVkMTYwNAYDVQQDEy1DT01P",
            "RE8gRUNDIERvbWFpbiBWYWxpZGF0aW9uIFNlY3VyZSBTZXJ2ZXIgQ0EwHhcNMTQxMTA4MDAwMDAwWhcNMTkxMTA3MjM1OTU5WjBN",
            "MSEwHwYDVQQLExhEb21haW4gQ29udHJvbCBWYWxpZGF0ZWQxFDASBgNVBAsTC1Bvc2l0aXZlU1NMMRIwEAYDVQQDEwlwYW50ei5v",
            "cmcwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAARBry3N3Xogs6oCTZlj0fKsZYk3LpdWH7BuhzcK5SHtzGRUXMm3LWnArnyXXM8l1YCl",
            "i5vLFuJqRCr5SAfY4DUFDOyCE/2SE1C5nEI/HfLGXwIWMkz4kMllyOH3aCWVGM2jggHVMIIB0TAfBgNVHSMEGDAWgBS7+gjgv1Tu",
            "Wv0WpDUCCamkyOz9SzAdBgNVHQ4EFgQUJs+igGC8tW3doJBaeahu5ECjhF4wDgYDVR0PAQH/BAQDAgWAMAwGA1UdEwEB/wQCMAAw",
            "HQYDVR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCME8GA1UdIARIMEYwOgYLKwYBBAGyMQECAgcwKzApBggrBgEFBQcCARYdaHR0",
            "cHM6Ly9zZWN1cmUuY29tb2RvLmNvbS9DUFMwCAYGZ4EMAQIBMFQGA1UdHwRNMEswSaBHoEWGQ2h0dHA6Ly9jcmwuY29tb2RvY2Eu",
            "Y29tL0NPTU9ET0VDQ0RvbWFpblZhbGlkYXRpb25TZWN1cmVTZXJ2ZXJDQS5jcmwwgYUGCCsGAQUFBwEBBHkwdzBPBggrBgEFBQcw",
            "AoZDaHR0cDovL2NydC5jb21vZG9jYS5jb20vQ09NT0RPRUNDRG9tYWluVmFsaWRhdGlvblNlY3VyZVNlcnZlckNBLmNydDAkBggr",
            "BgEFBQcwAYYYaHR0cDovL29jc3AuY29tb2RvY2EuY29tMCMGA1UdEQQcMBqCCXBhbnR6Lm9yZ4INd3d3LnBhbnR6Lm9yZzAKBggq",
            "hkjOPQQDAgNJADBGAiEA35rkkNMaYvBIPoCZ7cqwcCi5CUzniWZNLthpyMWLGV0CIQCUXDFclhzV2gmafKqNGHV1Ho6RJx0cIC30",
            "hvHDp0kNiQ=="
        ].joined(),
        subject: "CN=pantz.org,OU=PositiveSSL,OU=Domain Control Validated",
        issuer: "CN=COMODO ECC Domain Validation Secure Server CA,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB",
        serial: "F0AFBBF558BF4D1B71FED9CB33793EE4",
        notBefore: "2014-11-08T00:00:00Z", notBeforeEpoch: 1415404800,
        notAfter: "2019-11-07T23:59:59Z", notAfterEpoch: 1573171199,
        keyType: "EC", keyBits: 384,
        signatureAlgorithm: "ecdsa-with-SHA256",
        subjectAlternativeNames: ["pantz.org", "www.pantz.org"],
        sha256: "11db6d4f6e4df14cec874b9d4a306c64c282dacbd479788ee0510b2c99382dc4",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "ecdsa-cert.pcap (captured)",
        base64: [
            "MIIDnTCCAyKgAwIBAgIQUQYB5jtQZzxV7k4Z2jBMqDAKBggqhkjOPQQDAzCBhTELMAkGA1UEBhMCR0IxGzAZBgNVBAgTEkdyZWF0",
            "ZXIgTWFuY2hlc3RlcjEQMA4GA1UEBxMHU2FsZm9yZDEaMBgGA1UEChMRQ09NT0RPIENBIExpbWl0ZWQxKzApBgNVBAMTIkNPTU9E",
            "TyBFQ0MgQ2VydGlmaWNhdGlvbiBBdXRob3JpdHkwHhcNMTQwMzEzMDAwMDAwWhcNMjkwMzEyMjM1OTU5WjCBkDELMAkGA1UEBhMC",
            "R0IxGzAZBgNVBAgTEkdyZWF0ZXIgTWFuY2hlc3RlcjEQMA4GA1UEBxMHU2FsZm9yZDEaMBgGA1UEChMRQ09NT0RPIENBIExpbWl0",
            "ZWQxNjA0BgNVBAMTLUNPTU9ETyBFQ0MgRG9tYWluIFZhbGlkYXRpb24gU2VjdXJlIFNlcnZlciBDQTBZMBMGByqGSM49AgEGCCqG",
            "SM49AwEHA0IABIg2jdgJVPWaKXk+JD06oiTxihgKVH3tQCza8LqO2YT1Rd03cJEkrLoU61FoIN3SSFUAXW9E7ggci/lVXySaVIOj",
            "ggFlMIIBYTAfBgNVHSMEGDAWgBR1cacZSBm8nZ3qQUfflMRId5nTeTAdBgNVHQ4EFgQUu/oI4L9U7lr9FqQ1AgmppMjs/UswDgYD",
            "VR0PAQH/BAQDAgGGMBIGA1UdEwEB/wQIMAYBAf8CAQAwHQYDVR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCMBsGA1UdIAQUMBIw",
            "BgYEVR0gADAIBgZngQwBAgEwTAYDVR0fBEUwQzBBoD+gPYY7aHR0cDovL2NybC5jb21vZG9jYS5jb20vQ09NT0RPRUNDQ2VydGlm",
            "aWNhdGlvbkF1dGhvcml0eS5jcmwwcQYIKwYBBQUHAQEEZTBjMDsGCCsGAQUFBzAChi9odHRwOi8vY3J0LmNvbW9kb2NhLmNvbS9D",
            "T01PRE9FQ0NBZGRUcnVzdENBLmNydDAkBggrBgEFBQcwAYYYaHR0cDovL29jc3AuY29tb2RvY2EuY29tMAoGCCqGSM49BAMDA2kA",
            "MGYCMQDtilgEuIgqZMub1nOMLJwPVr3Lrs/A4RVYuImPsVNTtWG65FL7j6YooeQtlSxIViACMQDvavtMsSKuUzwaH3x8vVhGiljl",
            "eoI0iloIE64Adby0id6I7ObgYgAsmupHtaSvojI="
        ].joined(),
        subject: "CN=COMODO ECC Domain Validation Secure Server CA,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB",
        issuer: "CN=COMODO ECC Certification Authority,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB",
        serial: "510601E63B50673C55EE4E19DA304CA8",
        notBefore: "2014-03-13T00:00:00Z", notBeforeEpoch: 1394668800,
        notAfter: "2029-03-12T23:59:59Z", notAfterEpoch: 1868054399,
        keyType: "EC", keyBits: 256,
        signatureAlgorithm: "ecdsa-with-SHA384",
        subjectAlternativeNames: [],
        sha256: "7e32368e24a2cc48d3d29e883b260e40ceda22af97189c78fc5b928484e9a010",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "ml-dsa-44-cert.pcap (captured)",
        base64: [
            "MIIP2zCCBlGgAwIBAgIUbMk9B2Aux5z9UgG0JdGpPHAjGX8wCwYJYIZIAWUDBAMRMD0xCzAJBgNVBAYTAlVTMREwDwYDVQQKDAhQ",
            "UUMtVGVzdDEbMBkGA1UEAwwSbWwtZHNhLmV4YW1wbGUuY29tMB4XDTI2MDQwMzA3MDYwOFoXDTI3MDQwMzA3MDYwOFowPTELMAkG",
            "A1UEBhMCVVMxETAPBgNVBAoMCFBRQy1UZXN0MRswGQYDVQQDDBJtbC1kc2EuZXhhbXBsZS5jb20wggUyMAsGCWCGSAFlAwQDEQOC",
            "BSEAIYML6tSachEbYzn9fF4KgM0dmJXPcPHQVZkav4+uO+GCVd10z9GhHjPYD0+PXkLGuar2kpH3niC0ZFDvnG5Ja7EU9EIYV9we",
            "Y59K0+N1RgUA5mgLJT4hNUA3B2U587h6Ct4bINO6VzBbKcky7KqVfzgyEeU96+YxbRNvQ1VVxJ1r6wWJdYPw4HaVdcz7fBWR7Elx",
            "8OXMfHdH9Niqd1ULLRYwqNtiGA1W3bZV7qP8l03XRqTATK+ZTGVAozN7NJcR5w8WRO2P4DKdMiSUqI04/FCzCRzDId2wzalqCuN9",
            "Jvk7IkvfbT0wmymPkGkHZ6XhGzD1QOvktB4gRUXIqym5prg1a2/Zzw0VZr2cK168x0QF3e9qNjDUlU/Q7SqyEtYThNshVtyH3suW",
            "UdS97bg5FNXaHkj8TYQU/VchZuFf+JbBNYNLC3wCPEVEGbi1REsCJwGgfQltXl9MbBQ2pSiDDxjKE4FBu8AOFcgngPZmTqW4Y6Z9",
            "8dyXOwy9nMJZYU1RMIw8PEQSBrAoc0hM6B9nD3qNDhv4RlQyWluiLejl6BrVCgnlepsX3s320AmTW7gHLnzMkzkQO8U4eA6mmQRQ",
            "bTcEVQkXWwlXc4id4rpWTEhWt+EBO6Co5oY2D1eWae6lYjpF9D58PCe4lhCG4SolVPglk0LyDWAz3dvELLt8w5E1KdknxtsiBodk",
            "NM64foeWupQ1gGNopWYM2ZRjRw3WEos5RO/UUYu1ciW9xjmzMx8avphib8xNFGk+aOdeSHhi+HCAZzcXuRl+8GUrX8t8DsGg9eqr",
            "vNokZSF0tKV7umyt+Xev7CvQY84rMc0ErSmhYEz8Fcrr/3fuHKm+NyyFf2ItR4VvcefVYSRVsos7UBOWQQTdCdxHTSR5q26qgmLh",
            "Nhv0tsq3WMujkuEQ9ivdKzXXD7Gjqo+WsO7xlkWWq4Ksc+FJkLnS1XCsIJxQTm85CgHXh3XLotoeDIaeUK2+u1jPnbJ8VQZGRlke",
            "Bur5KIHh0B+LINsPhNoBmTA+JHtedXRaQQS0VINEG/zA2xDgBtDq7IoAWONmS+/IpuQiXkIARMhXT4RKVAWPOD4ar34QCBuwtwbw",
            "Dj7SRJ2zDWx5L2voB/JKDbInjAApl+jJ0VNgmJlLHAsZbPiyEoPMOkMhdXm79y2bLUmJp3lOjl+iFY7v+sSP0tX2a4uxtniUjFkn",
            "hLKsV2UxMRfGF/4ymgf94I/2w+Xc8U3Aaxpe2kt6ot02uJVvSOTbvbnZB4A/yUMilAdFgOq9LYr2Oec1s7GIPaqyKHCSwqEN5bwg",
            "qwTMcOXO3o6z1U40AWOtc7V4Ampxzlbstk7/SN7eOZXbdXe/mHpE3Pyg8rkh0I5aezjM/1zivZZFdu5LaDokDLlpm6A1rF27HdbL",
            "zDLdUHc2Rp4oeW6aKxGrdZ0HmF05YzjH3cZ6Gur9XwPyPLkItWW9QpAGDjEyCX5gzuO8Dsp0OtfUkvFK5smRou+x6cM6D7AgEcWi",
            "/jqdbYbwzqS4te8iNtXpqNA++cYrphlBvxLNm1NGVozR7FRCPIfCCYHQHJzdS+7cFI/taeN4rwPQUvzY1UE+V68mZEw/iCWhVhSZ",
            "IVZbkbBWYP67i9WTiaUmd0nLVxQkrFSOvL3nDJCGzk66cnZzsrtgmWeJKd2ozd/5Jj12kYfN7XjKm6r+6KGcwsrzFuPkmZm0Eyym",
            "HNNQv6wMmcaDhLYCFMGsSs/i7O5CZX6PFBgF9lDY0yRakQT2o05dh6NTMFEwHQYDVR0OBBYEFL2FxCNM2COPTsPDfFoNtAX7Fv5e",
            "MB8GA1UdIwQYMBaAFL2FxCNM2COPTsPDfFoNtAX7Fv5eMA8GA1UdEwEB/wQFMAMBAf8wCwYJYIZIAWUDBAMRA4IJdQAI56TwrskW",
            "tdqfLm/udQrquH/jaJEmywso/8rzQc3qQZU/58HAEY/GTJ6K6WWeCHiAaJ7s/W7aefPCJz8Ex1ol7xxTGpNrt9FlRjXPjXG2byTp",
            "n1I02z8zBrDpd3K+YPIYdqY9Qv0kZ0a67urKR+g4HGFSAdyCOuSaFEM9qLl2KSUdP/pgrfkkobBjO0yREbhPCH+3cRBV2BJChnz8",
            "spYXNnNaWk9qxp2OlnqXZGR0g7P0rcFYhVnLcdmu9eT4jipPb4D4AVy+FjHw1ZteXnWC8dKcdu2UgouUWYpcxPhx9XVflm2eyn6D",
            "xDT87rctexFz+JUeKL7seu47HAf1DgrFijvcIWR5WnpP0Dt/3ACuhk9EMwTNxUvp7evN/C+lExMHW1MwURK9GWSTCUvODDxXpvY3",
            "eRp1FagFpMyPNnzAoeM9eIYMFkd79w5La/HHBNi6qPecmWdRvHI7gfxHIgR0IICGOwx3dyRxseln84pVe5ePy17TpVhFI4qrzsl8",
            "Jzjdi7IWFYPXeApNuMaVbG8H23iIB8zaqC53IAZ241gBue7W9U4ofbEPmvSbNknKIjWTN/L0/e61lrJphDsx3brWnddNl8QDbJmT",
            "emAI3eoJW3/FR3QkrIsr3ADN/qxqnWH09kjHgXYzvqQC4mZkymj8HFXtmm2J+KtLZ9LhDCv1VhyIW3EgVXgF0th/dxD9kADNvzPN",
            "Xwww2VdMlvCMyfWMgPExBpj70PWvpyEwoPOog7QTpBkEHfqLoTu7kHazxmSbbEkVAZW1jJkzYnJ8vNlRHrGLUt5/wR8PwsfAtaJf",
            "XBY8lS01zv0gnnazAprdBoUf7OMCN7h8mYJVngg7EfQjXsioVOyjLFAeQLouXWCXSt8QpJ9RVuZ/wYzbf03okp1GqpbZDOXHxJcu",
            "IAaPMn6JWH+F8Gk1TV62EX4F+lTgCsVGI9aivHFN3LYGwRNNuOZt+NZVyNoJNxx5/K4H9GJ05EqIKc6LJn4RxNS0HekG0icsjcvS",
            "faNewyR9i/NuNWnpcehHu1ULWg0CIikIPmNNoFMl5b8f+9Bn6fKbBo3bQ6AGDc/sKvBxb+itwgOLavNoTXVIk7Fouv4ba12Mw/y6",
            "STdCoZMqiGhl0xBvIwSpPJWDgzSGCo0fT7GEGtqbpbqEWKZA976WfL1XC+LSeUljp4u4A8Wi/NK1XV17TR/2ipidMHJPFhcRY4U3",
            "cxSSmKxB45/nRwqfAtx7r5sxItuDohcNF+VcQF4DyMmDqyBtZc925xk+S5FaE2IRNXFDMMpi/rrbEhOEWMwIC/pQd35t6TIk3gO9",
            "KoaMJw6fU9KugmmRU5gemJPsmHMhhxIxb/P5rEMTGVv8cWMW+JvOO6ZwDHmxN8ap36slqdTazxOIiq2XV2Vjh4s+Bqfpukk2AJOs",
            "1rcLZysLZtUycztGDMMb8NfbUnGTYG72w+SFVagz/TSQI8UwXZfzz6Zc4UejspFE7ql7MQnFEHPz54WuKnvzd7GpzdjelptRU2Qc",
            "R+vJxmwmOUJKhevQXrl8MPUwq9glft+be4N5ovJXyBW1l0yXB0Ev8qDgZ/231eAKiimLIKS9gg75mFrD/W9xawsWYIN4aEOt1pw4",
            "ctdaX0sm+5JbMYy5+Sp8GOH023ceNyCOeebqrn3zYg+hkXaonZJ6wuemsbeycHtl82MYnEQ2xLCmGvqsBvYwXGGmfyGxE7G1dwLk",
            "xrEXq7ACpgYsb0UdAZB4fpxBg/JbFn9ZalaK4q7T+0u0TGlF4uNJ/K/0oCZtrGp7XzIZmqBJfwD265Op9PhzxK9joT77mqwXn88v",
            "elrqxLsv2T7YySpJMXwNmNXLshqT/54OcHcawtXZBlaF4VDjFromA4TABrfzu+M7x4JLdngllxUCiLu4H/ksoGlSYyM4u9G/gUv2",
            "4EaJwZk6pT3Zc6tgLLqSZEy19Q3HrtILX2e6unxc+CExAzyrfk8QGJneiE1PmFjXQjZ/I4bGnMg5kx7gT/DVtKgePP8i28sJ1IEB",
            "sAJXQkm6iGVdfUKixAR8iJ0HeCEuR2a6o3BSr7i7oRPZqS+7dm7bCnaYGSZRZ+kX2+b5PUSqJGLVuN5iNaeYawfYJ9FPVGL0PBoI",
            "GsXAPQV8syEalkj+ep5FfMs3/mGR2eW3yGt2Vm/GovYmPKnzuuK/eDzs8M7sM26GuvdiQ8DtTPUlcXq9npy2bfPlKOi6dokvVqHt",
            "qHdmfZDlbChP6+TTRBMuipEJDItli6+FQLc2tYKZx78Qbk0vnktW6KMiuaFZX/dYk5xGPJlFP6Aprpcx5IrJdrMEyImk41oAqZW9",
            "077hhsNXboupYNxyhdz1rerae2T1CpfOIgvLzD52uSaTHDQ6efrR21mRcdG1zCqRtnXRN3Ml8qAFvYbAPvAB5CO2FPbFOpe5VOLB",
            "GmuSKicyL2OgKcb/UIC6Dn4/K53osld1ivT6o93+7ulO7F3p2fmf5ZkbHInfWiLdK/u2Ytv4X4Recj8IXTpY/mJdULk+b/wd6WcZ",
            "KWiE89vgqgDxkzb5QNwCm/SOKa5rrhmj6fh47ECtSNqgjje5NstQRjYzVe2/8qLGcBNXQiAVX4xsHVjhv2Mijz9OlJy/pV9PJT7/",
            "BltPR6UQQlq7tXLtigyzXihpTfCHF3xrvGXn3eqZSWW1RxOvJKtg14XJI2Sa+3r998PG9/JLNxiArj+/nj1fPvCD9gHGmlXIafNR",
            "4gOAyT+LClUenElv+GsWR4QVrxt2951eXlDpYs8l4eoQeOSyxdMvy2E+KkLZyqm36LTfqyGkJ2j8wbHAQbcf+Fwmqr5tAoRW2/aw",
            "Prti0nmx/gWd8tYYHWTIkuA0WScJ49HFp/12dWoI3eaBtv41upPbmao4cmyYfzvWVX6elcySKSRHNBaFCGAIOa+W05GOVbsszDzs",
            "RraUQ3/LbQervjfTvKkplvo6OiajHuP7wrO5xIfzFr/6Qvn7Tvn1LYJkNnIiLYvkwNr7TLdkKyYCb13uWL9Fxu+EB7Ntz33ur9+4",
            "nPVlBi27+xfcXWxFQz/v9Knn/1HWgH8d1Rn6DM+Rwtc7dAOknsMC1iRNR7Ks4UeD4eKUAP+Gl7z4d/ge7quDrkql42uiOauJxrI6",
            "DgD1yQ4WJSguOUNLa7/JzNbY8QIZKjo+TlVcdH1+mJqqstYxWHeoq8vQ1ebpERUZN0ZRU1lgZ2uJoquztsfK/AAAAAAAAAAAAAAA",
            "AAAAAAAAAAAADx8pPA=="
        ].joined(),
        subject: "CN=ml-dsa.example.com,O=PQC-Test,C=US",
        issuer: "CN=ml-dsa.example.com,O=PQC-Test,C=US",
        serial: "6CC93D07602EC79CFD5201B425D1A93C7023197F",
        notBefore: "2026-04-03T07:06:08Z", notBeforeEpoch: 1775199968,
        notAfter: "2027-04-03T07:06:08Z", notAfterEpoch: 1806735968,
        keyType: "ML-DSA-44", keyBits: nil,
        signatureAlgorithm: "ML-DSA-44",
        subjectAlternativeNames: [],
        sha256: "fd95785a038018dccb84cd816602920a1e010d8acd9ce63407aa68440f595758",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "x509-generalizedtime.pcap (captured)",
        base64: [
            "MIIB8DCCAVkCAgPoMA0GCSqGSIb3DQEBBQUAMD4xCzAJBgNVBAYTAk5MMQwwCgYDVQQKDANCcm8xITAfBgNVBAMMGGJyby1nZW5l",
            "cmFsaXplZHRpbWUtdGVzdDAiGA8yMDE1MDkwMTEzMzMzN1oYDzIwMjUwOTAxMTMzMzM3WjA+MQswCQYDVQQGEwJOTDEMMAoGA1UE",
            "CgwDQnJvMSEwHwYDVQQDDBhicm8tZ2VuZXJhbGl6ZWR0aW1lLXRlc3QwgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAOCQQzj/",
            "4BxCfpUEApoL0x31EGDWvkYt2YlqpEyE6VhWTVIX3iYd9f20hXgXKUXx7MCJ7HDQ7EMgeOirJqMtudKipOJEUFD2nlGOYx8p8aX9",
            "s7Mh4cNWTOwkuU+RtrvIbJthhr32bsA1cVhObE9zb863AAu97Gd13LErh3AB3LnRAgMBAAEwDQYJKoZIhvcNAQEFBQADgYEA3+zu",
            "1uiys7QvSm8Gg1ZOgtxU5mLawp3kXmjzpmzvG7waX1nKDJasaVBpuJZI4/eBwV/5Q1kBpYBZlCf5KFashEL9g3sRAqnEZVJlhDVj",
            "7lw+WZakUOxvPq690tLpp7RtHSoofN7uOQkHzCfZg6iaeTDDydDk73A6OHn1msA3bx8="
        ].joined(),
        subject: "CN=bro-generalizedtime-test,O=Bro,C=NL",
        issuer: "CN=bro-generalizedtime-test,O=Bro,C=NL",
        serial: "03E8",
        notBefore: "2015-09-01T13:33:37Z", notBeforeEpoch: 1441114417,
        notAfter: "2025-09-01T13:33:37Z", notAfterEpoch: 1756733617,
        keyType: "RSA", keyBits: 1024,
        signatureAlgorithm: "sha1WithRSAEncryption",
        subjectAlternativeNames: [],
        sha256: "cd08183f5ed85d69936278bf8d3e9a850abe14921dbe45e6b28364512a19e0b8",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "tls-expired-cert.pcap (captured)",
        base64: [
            "MIIE6TCCA9GgAwIBAgIRAPKOqEvAOgcGaUDO6vYe/vswDQYJKoZIhvcNAQEFBQAwcDELMAkGA1UEBhMCR0IxGzAZBgNVBAgTEkdy",
            "ZWF0ZXIgTWFuY2hlc3RlcjEQMA4GA1UEBxMHU2FsZm9yZDEaMBgGA1UEChMRQ09NT0RPIENBIExpbWl0ZWQxFjAUBgNVBAMTDUNP",
            "TU9ETyBTU0wgQ0EwHhcNMTMwMjA0MDAwMDAwWhcNMTQwMzA0MjM1OTU5WjBQMSEwHwYDVQQLExhEb21haW4gQ29udHJvbCBWYWxp",
            "ZGF0ZWQxEzARBgNVBAsTCkNPTU9ETyBTU0wxFjAUBgNVBAMTDXd3dy5zcGlkaC5vcmcwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAw",
            "ggEKAoIBAQDHCqEwzuVBlNfbQGgfzGo6xZsq3MGhKz9+9MiRlEm2am/oVswqpIxJp6uBYAuBdLyWCfaZQVoXTxLuE8GToEtO+7l8",
            "KbI9YZ0HCjs2ZZ4fIsLbsQq+2Y+S2oRyeYAsYwGc7UqFpnRJxLxiCeZK8ISv+8wjGrXgan0zVW9okV18Ap8C9rfPvhtH2BnSQipa",
            "fbuhdbfE2uAvD5FaXc2CY/WCuwD0m/DHk08i5oXeApBv2o7E0UqPGe+ut4UOla7bqtSvPsWtgSJ5ImDN4N9adwltIKy7u90BoI6I",
            "qco6QvctbZurwTcRDmvIoe3jMVLYeKUwUIHONMH70a5UncHoDQelAgMBAAGjggGcMIIBmDAfBgNVHSMEGDAWgBQba70fikkYlFQ3",
            "VbQgF+03uXcYfTAdBgNVHQ4EFgQUnMKQ52mrw73eiB478l0PP7RC1M4wDgYDVR0PAQH/BAQDAgWgMAwGA1UdEwEB/wQCMAAwHQYD",
            "VR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCME8GA1UdIARIMEYwOgYLKwYBBAGyMQECAgcwKzApBggrBgEFBQcCARYdaHR0cHM6",
            "Ly9zZWN1cmUuY29tb2RvLmNvbS9DUFMwCAYGZ4EMAQIBMDgGA1UdHwQxMC8wLaAroCmGJ2h0dHA6Ly9jcmwuY29tb2RvY2EuY29t",
            "L0NPTU9ET1NTTENBLmNybDBpBggrBgEFBQcBAQRdMFswMwYIKwYBBQUHMAKGJ2h0dHA6Ly9jcnQuY29tb2RvY2EuY29tL0NPTU9E",
            "T1NTTENBLmNydDAkBggrBgEFBQcwAYYYaHR0cDovL29jc3AuY29tb2RvY2EuY29tMCMGA1UdEQQcMBqCDXd3dy5zcGlkaC5vcmeC",
            "CXNwaWRoLm9yZzANBgkqhkiG9w0BAQUFAAOCAQEAKT7gJ/RYTDD+TBHObMk17LrmSxwR51LsdQvVADtV7rPrgRvLTZl6RAFHtdb/",
            "MpvxhqssUoLiCaaOvHm2/7g0vHWIrfurVaYWiW5aHuxepgM0mtxaEEy/JEtv0QZ3Qyb5u0wO/4d5ym9Nvp2cA1fyzpoEm+HGJmya",
            "HqNY3X2US21VBNdarqKDObbi8fHFoabQZyvqo5N/l/l+R5v7F1+Wu2957wszwzR3Q8lEUJDj+8wnItD+C3CJhiTP4WODR3bsNEjY",
            "WHT4wWslvysJPJTYZ+lCZZ/40zNKmQo26asHOC84Zfmchz4cFSojYWHAdcxdv/jYRXJx7hYZkx38wFvTyw=="
        ].joined(),
        subject: "CN=www.spidh.org,OU=COMODO SSL,OU=Domain Control Validated",
        issuer: "CN=COMODO SSL CA,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB",
        serial: "F28EA84BC03A07066940CEEAF61EFEFB",
        notBefore: "2013-02-04T00:00:00Z", notBeforeEpoch: 1359936000,
        notAfter: "2014-03-04T23:59:59Z", notAfterEpoch: 1393977599,
        keyType: "RSA", keyBits: 2048,
        signatureAlgorithm: "sha1WithRSAEncryption",
        subjectAlternativeNames: ["www.spidh.org", "spidh.org"],
        sha256: "7920ebd7acfb8c3c569b83db76e7e61b8a0a5bcdf55bdee5519f838f73732173",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "certificate-with-sct.pcap (captured)",
        base64: [
            "MIIGozCCBYugAwIBAgIQOMF1NAr4otAioyzQdevQ9jANBgkqhkiG9w0BAQsFADBVMQswCQYDVQQGEwJDTjEaMBgGA1UEChMRV29T",
            "aWduIENBIExpbWl0ZWQxKjAoBgNVBAMTIVdvU2lnbiBDQSBGcmVlIFNTTCBDZXJ0aWZpY2F0ZSBHMjAeFw0xNjA5MjYyMTEwMzha",
            "Fw0xOTA5MjYyMTEwMzhaMCQxCzAJBgNVBAYTAlVTMRUwEwYDVQQDDAxsaWxhd2VsdC5uZXQwggEiMA0GCSqGSIb3DQEBAQUAA4IB",
            "DwAwggEKAoIBAQCrc+e8iAtOyP81OaylMwzYbfzn+bnPigd2fWQ+nOv9RyaWF3F4YWTEwDZaz8zA8Y3HD0IPb9N7W9ee0gr4x4hU",
            "OATaBWo+6ae9BTdICznnGg50kmRaf6bX6kddr1w5w2/0zfpCA9EZrQQKb29bDc1Djtw6hcK51sPjpXSslNQoTryucA6xT0fIXXWG",
            "vnQOpfwwTaxVX9nYTbonccJT03iT7QL9KX4Iq48qmpqaRVY7apXpOuw5MWEbiasbVxpMy95GUhat1B+lvGSrw0dwohG3+u9nk2TV",
            "MItpCAOCMN1PwH6dNxP/yWKm3HHB0DNmVsUnr5eRKMHiQoSo3wREMMtnAgMBAAGjggOeMIIDmjAOBgNVHQ8BAf8EBAMCBaAwHQYD",
            "VR0lBBYwFAYIKwYBBQUHAwIGCCsGAQUFBwMBMAkGA1UdEwQCMAAwHQYDVR0OBBYEFBcflBzoSfMM+QY2dBxsJIg1rQakMB8GA1Ud",
            "IwQYMBaAFNKnFiB8r9mVnutDChny4Ll0DqjHMH0GCCsGAQUFBwEBBHEwbzA0BggrBgEFBQcwAYYoaHR0cDovL29jc3AxLndvc2ln",
            "bi5jb20vY2E2L3NlcnZlcjEvZnJlZTA3BggrBgEFBQcwAoYraHR0cDovL2FpYTEud29zaWduLmNvbS9jYTYuc2VydmVyMS5mcmVl",
            "LmNlcjA9BgNVHR8ENjA0MDKgMKAuhixodHRwOi8vY3JsczEud29zaWduLmNvbS9jYTYtc2VydmVyMS1mcmVlLmNybDAXBgNVHREE",
            "EDAOggxsaWxhd2VsdC5uZXQwTwYDVR0gBEgwRjAIBgZngQwBAgEwOgYLKwYBBAGCm1EBAQIwKzApBggrBgEFBQcCARYdaHR0cDov",
            "L3d3dy53b3NpZ24uY29tL3BvbGljeS8wggH0BgorBgEEAdZ5AgQCBIIB5ASCAeAB3gB1AN3rHSt6DU+mIIuBrYFocH4ujp0B1VyI",
            "jT0RxM227L7MAAABV2iDf5wAAAQDAEYwRAIgPkhGgfYbzxSWfxNFHl/STMeiSZ/SwDWYppgGkoM/l4kCIAd8EiVjG7kOrFQNaEle",
            "biThx11JyqE9zW4uex/zR5QIAHUA7ku9t3XOYLrhQmkfq+GeZqMPfl+wctiDAMR7iXqo/csAAAFXaIOHXwAABAMARjBEAiAhc2dA",
            "eSpkEyQ647z3sprxZIdAzCoLgxz/8vy8J2IbTAIgSfbZZsEAGCL4AWUPQseXzuXU4+nBSO+zPn2hZDr4N8wAdgBo9pj4H2SCvjqM",
            "7rkoHUz8cVFdZ5PURNEKZ6y7T0/7xAAAAVdog4RwAAAEAwBHMEUCIHIgWMGemfWP/zbX6DmTB1i/Q5szfMWpJ4hmQ2v2fsO2AiEA",
            "iVfOBV9z2D1H2wVlbUiEdppCYP30jXSJoXS0lhOjE6gAdgCkuQmQtBhYFIe7E6LMZ3AKPDWYBPkb37jjd80OyA3cEAAAAVdog4Uw",
            "AAAEAwBHMEUCIAyvJNcNB3E+LMtI2N4kcNSvRHW39erTKejQLM7BAz1EAiEAww1M8+OcDstPWqGBLF46xy0yQsC+uE/4sXF2uXNN",
            "oX4wDQYJKoZIhvcNAQELBQADggEBANDa0t3v8WaYhF8/PnRkklh1rH5JynQYHP01F2pL6ZMLiiyKo28tJE2AgcKGCDE299DzaRfJ",
            "vOOKTXwDeVv3ia9eg0b85aHDLe0fjLOBgGmvNSdycDlm/nfnFhK4H3QyORmU7+2B766le9++2b5Gjs7FcS781mRhB6tlFV8W2P2s",
            "zQOGVJBURetWALKCVNyEAjuWSTtv4DGA6V8KZnNJJ6WkGpZHPgdj1D4v/ryeSvQbzj3UjUBahJ8hAoiIp/v9yui0i/O1+yTHM1Bp",
            "ONMvyQzWZLZO3K1lTvDqR5j9DkzT7r9tz4cnJacpiLLfOXA/23Ys3SfX9OYCC0E9OdLpAVw="
        ].joined(),
        subject: "CN=lilawelt.net,C=US",
        issuer: "CN=WoSign CA Free SSL Certificate G2,O=WoSign CA Limited,C=CN",
        serial: "38C175340AF8A2D022A32CD075EBD0F6",
        notBefore: "2016-09-26T21:10:38Z", notBeforeEpoch: 1474924238,
        notAfter: "2019-09-26T21:10:38Z", notAfterEpoch: 1569532238,
        keyType: "RSA", keyBits: 2048,
        signatureAlgorithm: "sha256WithRSAEncryption",
        subjectAlternativeNames: ["lilawelt.net"],
        sha256: "69a61a3b69be6ee7d371de18396003367811069a652a6eb7c0ccb49da72eb842",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "CVE-2015-3194.pcap (captured)",
        base64: [
            "MIIDbjCCAjICCQDivNV72g7FbzAxBgkqhkiG9w0BAQowJKANMAsGCWCGSAFlAwQCAaENMAsGCSqGSIb3DQEBCKIEAgIA3jBrMQsw",
            "CQYDVQQGEwJVUzENMAsGA1UEChMEVklTQTEvMC0GA1UECxMmVmlzYSBJbnRlcm5hdGlvbmFsIFNlcnZpY2UgQXNzb2NpYXRpb24x",
            "HDAaBgNVBAMTE1Zpc2EgZUNvbW1lcmNlIFJvb3QwHhcNMTUxMjA0MTk0NzIxWhcNMTcwNDE3MTk0NzIxWjA/MQswCQYDVQQGEwJV",
            "UzELMAkGA1UECAwCQ0ExETAPBgNVBAcMCEJlcmtlbGV5MRAwDgYDVQQDDAdicm8ub3JnMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A",
            "MIIBCgKCAQEAvWFYjKlVgI1k6VuQcWDN8v3F1HT2Ribo4Ig880VHoCk4xYiL+x3PNCl9PTqVbsc0rdSA9IWBx6DMRyDjcPOlo6e3",
            "5ram/CYZfT9u7tLhpGZK/yqAdh9w2PKa4PYdFa/qEQpFDqIg8hi1ieL/J0vjZokayTNHIuNjxX00QpeUdD9h9vhHBegmQ3BBF0yP",
            "YPtGa709wGVdvdXy6wzVTPeZjjMc13Rb9zcUOIFYX5c1yBdSm+WND4m87WGLK8dIzKmj5YKkU++9DBpsw3i6OwtPIVfrCky7/sOe",
            "OZW3Z6W1ysN6jJ/YWyonZfEHQ4AiihvN2oF570+yafpEqkz+vQcsXQIDAQABMDEGCSqGSIb3DQEBCjAkoA0wCwYJYIZIAWUDBAIB",
            "oQ0wCwYJKoZIhvcNAQEIogQCAgDeA4IBAQDOpwhQmcRLpqsebfl2IhKg/QU6aUvOuGRkwIBQVIY7+SsF4J3K8POnNd0Z2zcZoigr",
            "izpsiVxi5e5ZchlKfuJEJfphPsnBu44Lr17xuxw7wY7DjdsKh4KlGnVsDujYmMT6Cx5xjWOp7avBc6XqKyAkhSq4QUY4DCjLL3gL",
            "GlX+utW7i7K2OOc5Zv/BerHiS4Y8cIZwOWU7nYnTlrKtDbdFlrnTvOMybygVmqnVPXecZZsaZz7bx+fNj4AuLwIh05Scs0OUcLSN",
            "l5UaIYIsbT/NZJ7FE9yTcuoAizX/9pkEAC0myqKfctzfCF4unNLaOrK++PbLDTJ59NaCCkjFBqyE"
        ].joined(),
        subject: "CN=bro.org,L=Berkeley,ST=CA,C=US",
        issuer: "CN=Visa eCommerce Root,OU=Visa International Service Association,O=VISA,C=US",
        serial: "E2BCD57BDA0EC56F",
        notBefore: "2015-12-04T19:47:21Z", notBeforeEpoch: 1449258441,
        notAfter: "2017-04-17T19:47:21Z", notAfterEpoch: 1492458441,
        keyType: "RSA", keyBits: 2048,
        signatureAlgorithm: "rsassaPss",
        subjectAlternativeNames: [],
        sha256: "81a29a60dfcea4e4e9e80dd277c1384b002db8601afc57bca2c2ef1377fd9872",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "badcurveball.pcap (captured)",
        base64: [
            "MIIDcTCCAvagAwIBAgIUYjRAMferA+b5MnzeM0Gc9/sJ35QwCgYIKoZIzj0EAwIwQzELMAkGA1UEBhMCSFIxDzANBgNVBAgMBlph",
            "Z3JlYjESMBAGA1UECgwJSU5GSUdPIElTMQ8wDQYDVQQDDAZJTkZJR08wHhcNMjAwMTE2MTQwMDUwWhcNMjAwMjE1MTQwMDUwWjBD",
            "MQswCQYDVQQGEwJIUjEPMA0GA1UECAwGWmFncmViMRIwEAYDVQQKDAlJTkZJR08gSVMxDzANBgNVBAMMBklORklHTzCCAcwwggFk",
            "BgcqhkjOPQIBMIIBVwIBATA8BgcqhkjOPQEBAjEA//////////////////////////////////////////7/////AAAAAAAAAAD/",
            "////MHsEMP/////////////////////////////////////////+/////wAAAAAAAAAA/////AQwszEvp+I+5+SYjgVr4/gtGRgd",
            "nG7+gUESAxQIj1ATh1rGVjmNii7RnSqFyO3T7CrvAxUAozWSaqMZonodAIlqZ3OkgnrNrHMEYQTHERYqdh1Wjr65YmXUw8608MMw",
            "7I9t1245vMhJq6u440N41YEGXe/HfZ/O1rOQdd4MsJDeI7rI0T5n4BmpG4YxHl80Le4X/RX7fieKMqHqyY/JfhjLLzssSHp9pvQB",
            "B6wCMQD////////////////////////////////HY02B9Dct31gaDbJIsKd67OwZaszFKXMCAQEDYgAExxEWKnYdVo6+uWJl1MPO",
            "tPDDMOyPbdduObzISauruONDeNWBBl3vx32fztazkHXeDLCQ3iO6yNE+Z+AZqRuGMR5fNC3uF/0V+34nijKh6smPyX4Yyy87LEh6",
            "fab0AQeso1MwUTAdBgNVHQ4EFgQUQ+9wh7idv+yIGdzGxGt1DXU0MwgwHwYDVR0jBBgwFoAUQ+9wh7idv+yIGdzGxGt1DXU0Mwgw",
            "DwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNpADBmAjEArf19Rg/H/p6jHOLqn8YYyodkgy6Y21p+E80Dqw603YNMMulCWxx2",
            "7uLrEKHL6zB+AjEA3nNl9hg3hatCmqHNr9wVla0Tp7Rnf9nVTcSMsXwU7XrOQ/i+4eJeMFVhP72V1aRR"
        ].joined(),
        subject: "CN=INFIGO,O=INFIGO IS,ST=Zagreb,C=HR",
        issuer: "CN=INFIGO,O=INFIGO IS,ST=Zagreb,C=HR",
        serial: "62344031F7AB03E6F9327CDE33419CF7FB09DF94",
        notBefore: "2020-01-16T14:00:50Z", notBeforeEpoch: 1579183250,
        notAfter: "2020-02-15T14:00:50Z", notAfterEpoch: 1581775250,
        keyType: "EC", keyBits: 384,
        signatureAlgorithm: "ecdsa-with-SHA256",
        subjectAlternativeNames: [],
        sha256: "45f7246e18837abc380f4c1b1cf17d3a72438407bdade09086ec65eb6a0fc4dc",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "ocsp-stapling-digicert.pcap (captured)",
        base64: [
            "MIIGWTCCBUGgAwIBAgIQA7ardAe1Fu8TuuqzFdIhMDANBgkqhkiG9w0BAQsFADB1MQswCQYDVQQGEwJVUzEVMBMGA1UEChMMRGln",
            "aUNlcnQgSW5jMRkwFwYDVQQLExB3d3cuZGlnaWNlcnQuY29tMTQwMgYDVQQDEytEaWdpQ2VydCBTSEEyIEV4dGVuZGVkIFZhbGlk",
            "YXRpb24gU2VydmVyIENBMB4XDTE0MDQwOTAwMDAwMFoXDTE2MDQxMjEyMDAwMFowggELMR0wGwYDVQQPDBRQcml2YXRlIE9yZ2Fu",
            "aXphdGlvbjETMBEGCysGAQQBgjc8AgEDEwJVUzEVMBMGCysGAQQBgjc8AgECEwRVdGFoMRUwEwYDVQQFEww1Mjk5NTM3LTAxNDIx",
            "EjAQBgNVBAkTCVN1aXRlIDUwMDEkMCIGA1UECRMbMjYwMCBXZXN0IEV4ZWN1dGl2ZSBQYXJrd2F5MQ4wDAYDVQQREwU4NDA0MzEL",
            "MAkGA1UEBhMCVVMxDTALBgNVBAgTBFV0YWgxDTALBgNVBAcTBExlaGkxFzAVBgNVBAoTDkRpZ2lDZXJ0LCBJbmMuMRkwFwYDVQQD",
            "ExB3d3cuZGlnaWNlcnQuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqXUEjwtdyW8+saHEAvL+G8U607y800ND",
            "wM39Jc1fcjFGjcBxHhXVyH/hbiyHhrPAUK9BLxKhXque6RjExQ+Q9Kj/WS98oxXmGGUO3z6F2YMxw7Da2pLoBj9FZp+0+S9mXt1n",
            "CtHqVTmKa9kOQKUZWKCNINkBuPSybJa4RwWVSxVghv5v2bTy70luH+6JHpTPEeo7UjEc/FbTy7RrmwKfUiGRzkZKaSave7a8LzZI",
            "VGhPDvKQ5cbV7pq108b2UGprXP1mP9HPfhaggjgRAA/JW2RYdEzx/QNeqYsUsY/vZnSdtATRUFYIDgqiNr5KX9TfjBgw6PGnLKDf",
            "5RWJUq38JwIDAQABo4ICSzCCAkcwHwYDVR0jBBgwFoAUPdNQpdagre7zSmAKZdMh1Pj41g8wHQYDVR0OBBYEFJhOYoAy+ezMxaXs",
            "gHFHDKNJ3WZmMIGBBgNVHREEejB4ghB3d3cuZGlnaWNlcnQuY29tghRjb250ZW50LmRpZ2ljZXJ0LmNvbYISZWRnZTEuZGlnaWNl",
            "cnQuY29tghJlZGdlMi5kaWdpY2VydC5jb22CEmVkZ2UzLmRpZ2ljZXJ0LmNvbYISZWRnZTQuZGlnaWNlcnQuY29tMA4GA1UdDwEB",
            "/wQEAwIFoDAdBgNVHSUEFjAUBggrBgEFBQcDAQYIKwYBBQUHAwIwdQYDVR0fBG4wbDA0oDKgMIYuaHR0cDovL2NybDMuZGlnaWNl",
            "cnQuY29tL3NoYTItZXYtc2VydmVyLWcxLmNybDA0oDKgMIYuaHR0cDovL2NybDQuZGlnaWNlcnQuY29tL3NoYTItZXYtc2VydmVy",
            "LWcxLmNybDBCBgNVHSAEOzA5MDcGCWCGSAGG/WwCATAqMCgGCCsGAQUFBwIBFhxodHRwczovL3d3dy5kaWdpY2VydC5jb20vQ1BT",
            "MIGIBggrBgEFBQcBAQR8MHowJAYIKwYBBQUHMAGGGGh0dHA6Ly9vY3NwLmRpZ2ljZXJ0LmNvbTBSBggrBgEFBQcwAoZGaHR0cDov",
            "L2NhY2VydHMuZGlnaWNlcnQuY29tL0RpZ2lDZXJ0U0hBMkV4dGVuZGVkVmFsaWRhdGlvblNlcnZlckNBLmNydDAMBgNVHRMBAf8E",
            "AjAAMA0GCSqGSIb3DQEBCwUAA4IBAQBFHyS76RTmfSnGa/t0Km/V3bfh3P0/Bil8TWUy6vZkEE7SoOSuI7y2MBy0hviKzQOrgNUr",
            "xyKcNbxrY9YdleJkn3UHi0xVZHWaMYrE6lHKSmbPbTVZ62yEI3KEHVkYfY8XcIXUJJ+gi9hVxeKZ0NwAJWsqg0ooXtuuCwzkAmhE",
            "iJcwHjXaPayvrDGI8ero+9s3lmZMLTbODPU7eqlmjqq+aWril4KKxChcdcwodB6CqRcBmHN0skRyQ42qfv1a69LANuoKHuUChmKw",
            "9itpD9JEbSFMOScP36U3ze99uqSNwZrZpBmbkE8ONF56lACRmW69ZHRa49w2T7F1gkb8mgke"
        ].joined(),
        subject: "CN=www.digicert.com,O=DigiCert\\, Inc.,L=Lehi,ST=Utah,C=US,postalCode=84043,STREET=2600 West Executive Parkway,STREET=Suite 500,serialNumber=5299537-0142,jurisdictionST=Utah,jurisdictionC=US,businessCategory=Private Organization",
        issuer: "CN=DigiCert SHA2 Extended Validation Server CA,OU=www.digicert.com,O=DigiCert Inc,C=US",
        serial: "03B6AB7407B516EF13BAEAB315D22130",
        notBefore: "2014-04-09T00:00:00Z", notBeforeEpoch: 1397001600,
        notAfter: "2016-04-12T12:00:00Z", notAfterEpoch: 1460462400,
        keyType: "RSA", keyBits: 2048,
        signatureAlgorithm: "sha256WithRSAEncryption",
        subjectAlternativeNames: ["www.digicert.com", "content.digicert.com", "edge1.digicert.com", "edge2.digicert.com", "edge3.digicert.com", "edge4.digicert.com"],
        sha256: "077437619abb5f4e0892188660d94f6ba2bdc32eb106c954cb2de8b0beb9895c",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "pop3-starttls.pcap (captured)",
        base64: [
            "MIIFqDCCA5CgAwIBAgIBATANBgkqhkiG9w0BAQQFADCBgTELMAkGA1UEBhMCREUxDzANBgNVBAcTBk11bmljaDERMA8GA1UEChMI",
            "TGlsYXdlbHQxFDASBgNVBAsTC0xpbGF3ZWx0IENBMREwDwYDVQQDEwhMaWxhd2VsdDElMCMGCSqGSIb3DQEJARYWcG9zdG1hc3Rl",
            "ckBsaWxhd2VsdC5kZTAeFw0wNzA1MDUxNzIzMDhaFw0xNzA1MDIxNzIzMDhaMIGJMQswCQYDVQQGEwJERTEPMA0GA1UEBxMGTXVu",
            "aWNoMREwDwYDVQQKEwhMaWxhd2VsdDEQMA4GA1UECxMHU2VydmVyczEdMBsGA1UEAxMUY2hpbWFlcmEubGlsYXdlbHQuZGUxJTAj",
            "BgkqhkiG9w0BCQEWFnBvc3RtYXN0ZXJAbGlsYXdlbHQuZGUwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDqNySD+Kal",
            "aA6QBEgTm5yj030sG2TcmQ+ckPU1xgraJMk9RVcCssSql+N2YNQUJUJHZ+SnlfxbmhcqeCGxQMoTxHLrKmWsYixVSqpcVai1rT2x",
            "EBY6QmkzrzL8oKzTgBw+C2oN5hPkIanfjfrynaVAD0GZiSJCoXmMsra8xRhgiboBfaEYGPKwLr4a0iISwz+O05JIbnT7BaKP7DnT",
            "wHKdPS8yaL8pqp2JbSHGdRnq6UbYBEcTChaTA340gm5b98TmLxUZsuoIodnAIulLFQUN+m/L+aH2rwboFwW4KL+rjpWBLEowXBFp",
            "lFovgUsuUvS3/Ye1PXp7MPPupTT9V/x7AgMBAAGjggEfMIIBGzAJBgNVHRMEAjAAMBEGCWCGSAGG+EIBAQQEAwIGQDAjBglghkgB",
            "hvhCAQ0EFhYUTGlsYXdlbHQgQ2VydGlmaWNhdGUwHQYDVR0OBBYEFCpc7E8Km45Yp4DRwrfcYorQGTglMIG2BgNVHSMEga4wgauA",
            "FJ26/ET0aMBJchXE4NpFIhZuMSymoYGHpIGEMIGBMQswCQYDVQQGEwJERTEPMA0GA1UEBxMGTXVuaWNoMREwDwYDVQQKEwhMaWxh",
            "d2VsdDEUMBIGA1UECxMLTGlsYXdlbHQgQ0ExETAPBgNVBAMTCExpbGF3ZWx0MSUwIwYJKoZIhvcNAQkBFhZwb3N0bWFzdGVyQGxp",
            "bGF3ZWx0LmRlggkAsyI6hSrAF/UwDQYJKoZIhvcNAQEEBQADggIBAHahCT6n8CfC0MQ8Cf59fuFwBeVeXD0L7uLXDt+OS7OvJ1hE",
            "wdn2o6kKjd1t9zzLvkM66X2lSHDkYhFZUl5d8M6K+8fxyFWS+eA/JUFtNjQTP6PW+CciVh1IDS0UBIr5sif4IjAclpqo44r3MioR",
            "OpkvANIu0RTTVT2ryeW/ZhMt3Ne0OtI3gMssLHaR4Z8OEdZ7RmHz2YUELGwMRJ/mtgzPtsSpUU9OCikvv3BR+CBgbnxEoLzJPzsX",
            "OCKh+Mp1KVOxdcB+oT+bwdJuZky0ERetlQUbYMK45Nd8qBjDDacWrZcuA3awXjqQ9nlxavfKrgRkDSCnsFyac+cY/TVCmGvmt8uL",
            "HvLz2jF/RqMd8pZsM62Z07zOUdfLZcO/cELpFlsekglIH4ScW/Zd5fgiNv5OzTBQEac7s0vHvVcqU9o6jy15HSV3Xio4yf/Orhwz",
            "jjgDAeyP4551vYSCsbI3EdL2glZFLzIfiz6bLMG6qgTjl3ijaOmILL3RrJVpw9+Dbd2qrA2eU7PUjaWNZmwffDU7sa2p+7a3xhEj",
            "5ycbW65NAqKh3lbLZj5ft66DwIAJyMeqcMK43MnfsbzDMK+ke3yduANPZjzPfvyQQC9NUVnuUxwg4fY7+uXNi2i69XzTz2PhsGTt",
            "TIjXsLmCBSStArnVQ4SibyXe1oWnw8eZZ/N0"
        ].joined(),
        subject: "emailAddress=postmaster@lilawelt.de,CN=chimaera.lilawelt.de,OU=Servers,O=Lilawelt,L=Munich,C=DE",
        issuer: "emailAddress=postmaster@lilawelt.de,CN=Lilawelt,OU=Lilawelt CA,O=Lilawelt,L=Munich,C=DE",
        serial: "01",
        notBefore: "2007-05-05T17:23:08Z", notBeforeEpoch: 1178385788,
        notAfter: "2017-05-02T17:23:08Z", notAfterEpoch: 1493745788,
        keyType: "RSA", keyBits: 2048,
        signatureAlgorithm: "md5WithRSAEncryption",
        subjectAlternativeNames: [],
        sha256: "5f262710f31214ecdb6ffbfe4b45a8d1c7042e7c87c3eae9bc317035dafeb7ac",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "ssl.v3.pcap (captured)",
        base64: [
            "MIIDhjCCAu+gAwIBAgIQeO5I3hhbIHHJycO1HXvdwTANBgkqhkiG9w0BAQUFADBfMQswCQYDVQQGEwJVUzEXMBUGA1UEChMOVmVy",
            "aVNpZ24sIEluYy4xNzA1BgNVBAsTLkNsYXNzIDMgUHVibGljIFByaW1hcnkgQ2VydGlmaWNhdGlvbiBBdXRob3JpdHkwHhcNOTcw",
            "NDE3MDAwMDAwWhcNMTExMDI0MjM1OTU5WjCBujEfMB0GA1UEChMWVmVyaVNpZ24gVHJ1c3QgTmV0d29yazEXMBUGA1UECxMOVmVy",
            "aVNpZ24sIEluYy4xMzAxBgNVBAsTKlZlcmlTaWduIEludGVybmF0aW9uYWwgU2VydmVyIENBIC0gQ2xhc3MgMzFJMEcGA1UECxNA",
            "d3d3LnZlcmlzaWduLmNvbS9DUFMgSW5jb3JwLmJ5IFJlZi4gTElBQklMSVRZIExURC4oYyk5NyBWZXJpU2lnbjCBnzANBgkqhkiG",
            "9w0BAQEFAAOBjQAwgYkCgYEA2IKA6NYZAn0fhRg5JaJlK+G/1AXTvOY2O6rwTGxbtueqPHNFVbLxveqXQu2aNAoV1Klc9UAl3dkH",
            "wTKydWzEyruj/lYncUOqY/UwPpMo5frxCTvzt01OOfdcSVq4wR3Tsor+cDCVQsv+K1GLWjw6+SJPkLICp1OcTzTnqwSye28CAwEA",
            "AaOB5jCB4zAPBgNVHRMECDAGAQH/AgEAMEQGA1UdIAQ9MDswOQYLYIZIAYb4RQEHAQEwKjAoBggrBgEFBQcCARYcaHR0cHM6Ly93",
            "d3cudmVyaXNpZ24uY29tL0NQUzA0BgNVHR8ELTArMCmgJ6AlhiNodHRwOi8vY3JsLnZlcmlzaWduLmNvbS9wY2EzLWcyLmNybDA0",
            "BgNVHSUELTArBggrBgEFBQcDAQYIKwYBBQUHAwIGCWCGSAGG+EIEAQYKYIZIAYb4RQEIATALBgNVHQ8EBAMCAQYwEQYJYIZIAYb4",
            "QgEBBAQDAgEGMA0GCSqGSIb3DQEBBQUAA4GBACNd7qYkBf1202oa1rpGBqpqDwOQZrKwpsKeyR6jVVOvPkX93Iwn3VM4Cbt8Syu6",
            "lUr+cE4badY8908HxfIXWkyij6wLigbbudRrxR1Y2hdS4yHx0tda1eWrWXsheoZq1P4XETpTDZxgoErZXuQdDCmqEwdlhh+/tMmC",
            "U5wsAo8j"
        ].joined(),
        subject: "OU=www.verisign.com/CPS Incorp.by Ref. LIABILITY LTD.(c)97 VeriSign,OU=VeriSign International Server CA - Class 3,OU=VeriSign\\, Inc.,O=VeriSign Trust Network",
        issuer: "OU=Class 3 Public Primary Certification Authority,O=VeriSign\\, Inc.,C=US",
        serial: "78EE48DE185B2071C9C9C3B51D7BDDC1",
        notBefore: "1997-04-17T00:00:00Z", notBeforeEpoch: 861235200,
        notAfter: "2011-10-24T23:59:59Z", notAfterEpoch: 1319500799,
        keyType: "RSA", keyBits: 1024,
        signatureAlgorithm: "sha1WithRSAEncryption",
        subjectAlternativeNames: [],
        sha256: "ba352de8d8faa0ecfdbeee560fa308fe192023d3b18d83a68845933bebf28360",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "openssl-generated rsa512",
        base64: [
            "MIIBozCCAU2gAwIBAgIC7cwwDQYJKoZIhvcNAQEFBQAwLzEVMBMGA1UEAwwMdGlueS5leGFtcGxlMRYwFAYDVQQKDA1XZWFrIEtl",
            "eXMgTHRkMB4XDTI2MTEyOTAyMTI1NFoXDTI2MTIyOTAyMTI1NFowLzEVMBMGA1UEAwwMdGlueS5leGFtcGxlMRYwFAYDVQQKDA1X",
            "ZWFrIEtleXMgTHRkMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMOd37UL+Z58q7Vs2CHAxakM3TgLYfQmtlqhbK6zPrWfNCdLaqIT",
            "NwbzWHxnj4uJo7FjJxGLP7vYoDy32D8KnrECAwEAAaNTMFEwHQYDVR0OBBYEFExhom6sL+97GIF4YQIYj2kkz2XDMB8GA1UdIwQY",
            "MBaAFExhom6sL+97GIF4YQIYj2kkz2XDMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQEFBQADQQBOD1LR9PPLqxw8nCaPQZcM",
            "kTLXMc0zOvB3lZ87ypBCaxUSez/h0o6136x9TiKuNSfiarp9DUB4OaxN1E6ml3Qf"
        ].joined(),
        subject: "O=Weak Keys Ltd,CN=tiny.example",
        issuer: "O=Weak Keys Ltd,CN=tiny.example",
        serial: "-1234",
        notBefore: "2026-11-29T02:12:54Z", notBeforeEpoch: 1795918374,
        notAfter: "2026-12-29T02:12:54Z", notAfterEpoch: 1798510374,
        keyType: "RSA", keyBits: 512,
        signatureAlgorithm: "sha1WithRSAEncryption",
        subjectAlternativeNames: [],
        sha256: "f80de0e6459f3a10265e16f60e8ad348e1044f0ab052e1cafdcd0b57551b171b",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "openssl-generated ca1024",
        base64: [
            "MIICQTCCAaqgAwIBAgIBATANBgkqhkiG9w0BAQsFADA8MQswCQYDVQQGEwJERTEWMBQGA1UECgwNVGVzdCBDQSwgSW5jLjEVMBMG",
            "A1UEAwwMVGVzdCBDQSAxMDI0MB4XDTI2MTEyOTAyMTI1NFoXDTM2MTEyNjAyMTI1NFowPDELMAkGA1UEBhMCREUxFjAUBgNVBAoM",
            "DVRlc3QgQ0EsIEluYy4xFTATBgNVBAMMDFRlc3QgQ0EgMTAyNDCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkCgYEAv6BxDLQhpxI2",
            "m0FsfM+7P5HIy0H4yX7qBmI4HSeq1l/WmCIQbTP/mRbdRlyb1yoBaNhxt7Z11wgfysHjgKQXXt5jMOEXKdwekYwxZm3p+8S6NO4x",
            "4oSjmL6w5PJroeQPJHVkG1Ev8VDdteF2uzwhY434Co7rZl8xI37Zds0MYtcCAwEAAaNTMFEwHQYDVR0OBBYEFCxYZxRZt0bLOS/g",
            "4WguX2n1y9hoMB8GA1UdIwQYMBaAFCxYZxRZt0bLOS/g4WguX2n1y9hoMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQAD",
            "gYEAvaWkZlyVtDZmyT9rNWGqSYXyGVWUF0wPaweuY3zHHuJYOpaffvfUp1ddqq8vGflbaUOjVOlYp5SCNmzx6DRYEpK5pHcfrrEY",
            "teD21lusiBjc7D8EYAHuIyYkqmRZEmKJdGO3xgzKu97UCudwRd9larRHujwKyk9CT6hbT2P8KQY="
        ].joined(),
        subject: "CN=Test CA 1024,O=Test CA\\, Inc.,C=DE",
        issuer: "CN=Test CA 1024,O=Test CA\\, Inc.,C=DE",
        serial: "01",
        notBefore: "2026-11-29T02:12:54Z", notBeforeEpoch: 1795918374,
        notAfter: "2036-11-26T02:12:54Z", notAfterEpoch: 2111278374,
        keyType: "RSA", keyBits: 1024,
        signatureAlgorithm: "sha256WithRSAEncryption",
        subjectAlternativeNames: [],
        sha256: "2db6e45141a1258903eb5bea4f2be6cef4edc96fe5986a73abdcab0a5da07373",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "openssl-generated leaf2048",
        base64: [
            "MIIDZDCCAs2gAwIBAgIMAP8AESIzRFVmd4iZMA0GCSqGSIb3DQEBCwUAMDwxCzAJBgNVBAYTAkRFMRYwFAYDVQQKDA1UZXN0IENB",
            "LCBJbmMuMRUwEwYDVQQDDAxUZXN0IENBIDEwMjQwHhcNMjYxMTI5MDIxMzEzWhcNMjcxMTI5MDIxMzEzWjBvMRIwEAYDVQQHDAkg",
            "WsO8cmljaCAxHzAdBgNVBAoMFk3DvGxsZXIgIlF1b3RlcyIgPENvPjsxEzARBgNVBAsMCiNPcHMgKyBEZXYxIzAJBgNVBAUTAjQy",
            "MBYGA1UEAwwPd3d3LmV4YW1wbGUuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAieR34OvXJxZMjHgqelYf0a9h",
            "VeX8Vi6jdhYFFLmemJ4reFPRK7yxYNGXRBdkRxUcqZPgWryMOS21kZ2mjwienOGW5AXqfRPD5qSFhAjkqdCaNr2WzQ6dhe69EeRO",
            "Rsp0+SlHfwuusM+NcarWAIwzn2nbqah6whZ742OO2CD3PmXnHKd6sjAG2Wxh5uf5e04cV4TbLG+Ku8shEfIj8IRg87v71vtEsHEr",
            "RMUegB8/HdGBCEDqqa95aTqexZY36Dl11vDC1VxCMFvFFtF1X/AVwfvW7Fy/a6cFQ7GAu5BbMf+gzQBe9xMBTc/t4jvL1VfAHkqG",
            "A9GCaljSZ9VLPO8wqQIDAQABo4GzMIGwMG4GA1UdEQRnMGWCD3d3dy5leGFtcGxlLmNvbYINKi5leGFtcGxlLm9yZ4cECgAAAYcQ",
            "IAENuAAAAAAAAAAAAAAAAYERYWRtaW5AZXhhbXBsZS5jb22GGGh0dHBzOi8vZXhhbXBsZS5jb20vcGF0aDAdBgNVHQ4EFgQULr+c",
            "t4UDXWIZkjMw6tYKnKUTPwAwHwYDVR0jBBgwFoAULFhnFFm3Rss5L+DhaC5fafXL2GgwDQYJKoZIhvcNAQELBQADgYEAQbf6UIdq",
            "YNSwjS/XaUn0iCPFbQ5x5w+oNz5RspOjCLY3wfHriyHdwS6O3N+eH++mpjxPr8XvBm0l8SpNjTBF1nvMCYy5EaY/9MRQ+pjhU543",
            "qQ6WSCb+WN8SwOuuUL/MtD8a90LnmB2lYT4EhVc48W1Rd+m835D4H+W2Q3GD8r4="
        ].joined(),
        subject: "serialNumber=42+CN=www.example.com,OU=\\#Ops \\+ Dev,O=Müller \\\"Quotes\\\" \\<Co\\>\\;,L=\\ Zürich\\ ",
        issuer: "CN=Test CA 1024,O=Test CA\\, Inc.,C=DE",
        serial: "FF00112233445566778899",
        notBefore: "2026-11-29T02:13:13Z", notBeforeEpoch: 1795918393,
        notAfter: "2027-11-29T02:13:13Z", notAfterEpoch: 1827454393,
        keyType: "RSA", keyBits: 2048,
        signatureAlgorithm: "sha256WithRSAEncryption",
        subjectAlternativeNames: ["www.example.com", "*.example.org", "10.0.0.1", "2001:db8::1", "admin@example.com", "https://example.com/path"],
        sha256: "4cf685e8c3cc2819f44a29bec172a275706cdd54bc2615514ecb0b9ed00751f4",
        isSelfIssued: false
    ),
    CertificateFixture(
        origin: "openssl-generated p256",
        base64: [
            "MIIB0DCCAXagAwIBAgIBBzAKBggqhkjOPQQDAjBGMRYwFAYDVQQDDA1lYzI1Ni5leGFtcGxlMRcwFQYKCZImiZPyLGQBGRYHZXhh",
            "bXBsZTETMBEGCgmSJomT8ixkARkWA2NvbTAgFw0yNjExMjkwMjEzMTNaGA8yMDY3MTIyNDAyMTMxM1owRjEWMBQGA1UEAwwNZWMy",
            "NTYuZXhhbXBsZTEXMBUGCgmSJomT8ixkARkWB2V4YW1wbGUxEzARBgoJkiaJk/IsZAEZFgNjb20wWTATBgcqhkjOPQIBBggqhkjO",
            "PQMBBwNCAAQ8VReSNaAgI9D5W0RnSU8N/nz03vo9iUM0qFKucHScBd6ZsAF7a4fyXmi2vgtf2T2O6f5u2t9wJZ5IVX39VzNco1Mw",
            "UTAdBgNVHQ4EFgQU+LiUvAsKNKkvvliMhGO1TOM2p/UwHwYDVR0jBBgwFoAU+LiUvAsKNKkvvliMhGO1TOM2p/UwDwYDVR0TAQH/",
            "BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAjfpRRr+Ax8AdRAUKBvcEKP63cGH3Ho6FVLs35eF/G14CIBOKBvQIdsgV8wGtLWmM",
            "uOF007dIgphcHkGmnQEbvN1o"
        ].joined(),
        subject: "DC=com,DC=example,CN=ec256.example",
        issuer: "DC=com,DC=example,CN=ec256.example",
        serial: "07",
        notBefore: "2026-11-29T02:13:13Z", notBeforeEpoch: 1795918393,
        notAfter: "2067-12-24T02:13:13Z", notAfterEpoch: 3091918393,
        keyType: "EC", keyBits: 256,
        signatureAlgorithm: "ecdsa-with-SHA256",
        subjectAlternativeNames: [],
        sha256: "2e7a04c60a38a5314c642e5c9778f5c66b30422c956f7272ead274a7388e2bbb",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "openssl-generated p384",
        base64: [
            "MIIBzzCCAVWgAwIBAgIBADAKBggqhkjOPQQDAzAYMRYwFAYDVQQDDA1lYzM4NC5leGFtcGxlMB4XDTI2MTEyOTAyMTMxM1oXDTI2",
            "MTIwOTAyMTMxM1owGDEWMBQGA1UEAwwNZWMzODQuZXhhbXBsZTB2MBAGByqGSM49AgEGBSuBBAAiA2IABFXXitCxU2KJJs5pCp35",
            "D2T46FbUs6JmlpIcXFMcuyIja/0eW2qKxkE5VtfNDfVccuUnVhdMhL++m0TfA8XeY2HQQqh0VrYMJtYR8EPh23dLOnG9oz/zKrZo",
            "snYydW0eN6NzMHEwHQYDVR0OBBYEFMutcd4cNsyN6ZHtvGWRgZ+h88ETMB8GA1UdIwQYMBaAFMutcd4cNsyN6ZHtvGWRgZ+h88ET",
            "MA8GA1UdEwEB/wQFMAMBAf8wHgYDVR0RBBcwFYINZWMzODQuZXhhbXBsZYcEwKgBATAKBggqhkjOPQQDAwNoADBlAjEA17vB8OU2",
            "zdH2dQ6UQrvEOv9o0bN68xD6xyTc8HZR0tL/AjqHtAkSLtp0m7h8kypLAjBFVeZa5z67RktVkuIMw2fM/vWxmmy4IJFdV7caWtXI",
            "NQ9hW9abC3KbQXmH3XNypU8="
        ].joined(),
        subject: "CN=ec384.example",
        issuer: "CN=ec384.example",
        serial: "00",
        notBefore: "2026-11-29T02:13:13Z", notBeforeEpoch: 1795918393,
        notAfter: "2026-12-09T02:13:13Z", notAfterEpoch: 1796782393,
        keyType: "EC", keyBits: 384,
        signatureAlgorithm: "ecdsa-with-SHA384",
        subjectAlternativeNames: ["ec384.example", "192.168.1.1"],
        sha256: "1c491722f65e927184cdcc1dcc365d5c696bbfcca4448c52336413a7d0aecbd3",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "openssl-generated ed25519",
        base64: [
            "MIIBiTCCATugAwIBAgIUbRJrmwrRUWHkHf0e1piKFU4W5LQwBQYDK2VwMDoxGDAWBgNVBAMMD2VkMjU1MTkuZXhhbXBsZTEeMBwG",
            "CSqGSIb3DQEJARYPcGtpQGV4YW1wbGUuY29tMB4XDTI2MTEyOTAyMTMxM1oXDTI2MTIwOTAyMTMxM1owOjEYMBYGA1UEAwwPZWQy",
            "NTUxOS5leGFtcGxlMR4wHAYJKoZIhvcNAQkBFg9wa2lAZXhhbXBsZS5jb20wKjAFBgMrZXADIQCt5B8Vxm9mHpgK3zeY3zixs2Ks",
            "DkP86t2c4HbIwFsbJKNTMFEwHQYDVR0OBBYEFLmYHrxChWqKc9gSmlMRf6CtH+J5MB8GA1UdIwQYMBaAFLmYHrxChWqKc9gSmlMR",
            "f6CtH+J5MA8GA1UdEwEB/wQFMAMBAf8wBQYDK2VwA0EAWUeBt11D47iTCyFSmua0sNxNTo+BhIfN+SOggkggGEkXn6MjDEvoTcXI",
            "HQT6CplvPALv+fJNND0rxovWOnX1BQ=="
        ].joined(),
        subject: "emailAddress=pki@example.com,CN=ed25519.example",
        issuer: "emailAddress=pki@example.com,CN=ed25519.example",
        serial: "6D126B9B0AD15161E41DFD1ED6988A154E16E4B4",
        notBefore: "2026-11-29T02:13:13Z", notBeforeEpoch: 1795918393,
        notAfter: "2026-12-09T02:13:13Z", notAfterEpoch: 1796782393,
        keyType: "Ed25519", keyBits: 256,
        signatureAlgorithm: "ed25519",
        subjectAlternativeNames: [],
        sha256: "c184cf596a5c49ae14b2993209271f06e46bad78c5dd796b886a25c0aeb99223",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "openssl-generated ed448",
        base64: [
            "MIIBkDCCARCgAwIBAgIUHh4o19lF0h7Sf2zlfP32ViZa560wBQYDK2VxMBgxFjAUBgNVBAMMDWVkNDQ4LmV4YW1wbGUwHhcNMjYx",
            "MTI5MDIxMzEzWhcNMjYxMjA5MDIxMzEzWjAYMRYwFAYDVQQDDA1lZDQ0OC5leGFtcGxlMEMwBQYDK2VxAzoAJq4LClG6oNiUe1no",
            "k3LdLlnPlNikoxo6H5l+ZKUXQoAj/p8pwe7P3LS8cmDiSGKtFAKx7G98eD0Ao1MwUTAdBgNVHQ4EFgQUou1ZoVJ+nVLNigg1oJd5",
            "rTNFVZswHwYDVR0jBBgwFoAUou1ZoVJ+nVLNigg1oJd5rTNFVZswDwYDVR0TAQH/BAUwAwEB/zAFBgMrZXEDcwA6iaINyVBXwKpj",
            "QlpmPgp9zZCunnPLiCmWL+2nENbNVh94eEzqT9fye94kfWsf4DLVh7xQsCngHICSNQhzLWVmyP4QdYB0mohrAV9/N2UseTMo2bPx",
            "eXN93CEynldxwwPyJV8VKUQ4oXDH8g2qVjG1MwA="
        ].joined(),
        subject: "CN=ed448.example",
        issuer: "CN=ed448.example",
        serial: "1E1E28D7D945D21ED27F6CE57CFDF656265AE7AD",
        notBefore: "2026-11-29T02:13:13Z", notBeforeEpoch: 1795918393,
        notAfter: "2026-12-09T02:13:13Z", notAfterEpoch: 1796782393,
        keyType: "Ed448", keyBits: 456,
        signatureAlgorithm: "ed448",
        subjectAlternativeNames: [],
        sha256: "63e4df1461d3779a2de1535ee90c81202e548e61681dc01d681f03bc609489fd",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "openssl-generated dsa",
        base64: [
            "MIIEZjCCBBOgAwIBAgIUEtJ+UOf9aYlbvTe9rQJZCGOBYjQwCwYJYIZIAWUDBAMCMBYxFDASBgNVBAMMC2RzYS5leGFtcGxlMB4X",
            "DTI2MTEyOTAyMTMxNFoXDTI2MTIwOTAyMTMxNFowFjEUMBIGA1UEAwwLZHNhLmV4YW1wbGUwggNCMIICNQYHKoZIzjgEATCCAigC",
            "ggEBANzEurApFZAlQHfpCHb5jK4TH36gKX5VT5kikhwQ23IERHhQi/5KxHYPYoI2MtywlqkoyRDPyQnuDLN3dZw3Ft1qdYJ0e7ny",
            "6dZmjCW4eIrg99CYeOXaU3yHTKiqIV8jkFlc040LshSXi01nltNFxIDNGTmrM9yv8ZkZpgKspGe/tYFz0W4BRGkek1iL2vJM8NMc",
            "RgvQBOXpVjOMH94GeN8I5B37HTd3z08+XTsw35Q2a0gq6EA1UsVf5iccHIgqPd//NgCkN1wD+O3VWrP45aI7zj4stubFgMQeE31a",
            "0QgDUACvrnBp368JnWwWljqYIQRjaHP9Xr/YWtVvfGpXUh0CHQCpJMiRq+yGT+TIwRSOCmfEAmxE5tJo3ywEUXv1AoIBADVl8S5J",
            "h/GxF0blmeH8qpyWDVP6Mq0XdwmWU9psYmrAeCloBqjB8lO6UKNyWiUoLYTuPKBjh4nrhNuP8oSG2P6NxhjmWuC96rhfr05Hx+TI",
            "LH41BlrRPv8SEUI4XcvP9100A+NnO6VGvEjT7kCItBa/r7WjrEXTqbSXvyHbOEvSQIdyIho17yUCP5hubXZVu7RBjvXDfA4/2TOk",
            "/rSGi7YyKRmzxp7d2B82/wMYyNhRHygCe5UiTz+XWsfezyDC2TGkjRqeLRoue8hXWgh92XgCZ0SgXTBg7fCaENP/iSptNv0Dv0va",
            "f9QMOJAjR9UnxHYJirG8DrKBMHNjs8gUPUEDggEFAAKCAQAkCBHNEr/mtIfy3gJ332dbBErWdLd62Z0HJG0wVooxjzDhS8eFOwbZ",
            "zbntkZs5Thh8+R3hLVhYmGj7jsZdqj688bHQDQbiJicZsXPtMcTzCr4lhe5Vy6c7ToYAytel8bsDsSW4zB+3CEIjn+A7GLZQLYVC",
            "7LLfGSmxvUtYxPsilFWnUFF7yenfgiHJNLqAS+0qhQZZfL5un4oZKhtXposWYExIO2eCOT99x79bHJfyJZ974is7XgHI5AcYBonV",
            "Y9UUVC7OQnPA7Xxzp1XYmy3w+vAE6vDBaTdz2/4DVv3SzBwBabU/vuiq76EjdmKodva/YO9o784+wP+mBBqrG9X3o1MwUTAdBgNV",
            "HQ4EFgQU6vtSy9gitadZnGyJ+4InCa2OanAwHwYDVR0jBBgwFoAU6vtSy9gitadZnGyJ+4InCa2OanAwDwYDVR0TAQH/BAUwAwEB",
            "/zALBglghkgBZQMEAwIDQAAwPQIdAJEJfB7orI/0hUGykZov8o+tQ/T+ZU9Uurg6rEgCHEaLx8c/xo5UaqYFneSKyVYuPdIFJUaq",
            "sNhw+Qc="
        ].joined(),
        subject: "CN=dsa.example",
        issuer: "CN=dsa.example",
        serial: "12D27E50E7FD69895BBD37BDAD02590863816234",
        notBefore: "2026-11-29T02:13:14Z", notBeforeEpoch: 1795918394,
        notAfter: "2026-12-09T02:13:14Z", notAfterEpoch: 1796782394,
        keyType: "DSA", keyBits: 2048,
        signatureAlgorithm: "dsa_with_SHA256",
        subjectAlternativeNames: [],
        sha256: "5d46f917a7409252426838a702ccead7783a77a4a9b85970b0f44c37ec9decc4",
        isSelfIssued: true
    ),
    CertificateFixture(
        origin: "openssl-generated t61bmp",
        base64: [
            "MIIBwDCCASkCFA23a5B7s5/9phhWHOlWAad2/ajuMA0GCSqGSIb3DQEBCwUAMB8xDjAMBgNVBAMUBUdy/N9lMQ0wCwYDVQQKHgRl",
            "5WcsMB4XDTI2MTEyOTAyMTMxNFoXDTI2MTIwOTAyMTMxNFowHzEOMAwGA1UEAxQFR3L832UxDTALBgNVBAoeBGXlZywwgZ8wDQYJ",
            "KoZIhvcNAQEBBQADgY0AMIGJAoGBAL+gcQy0IacSNptBbHzPuz+RyMtB+Ml+6gZiOB0nqtZf1pgiEG0z/5kW3UZcm9cqAWjYcbe2",
            "ddcIH8rB44CkF17eYzDhFyncHpGMMWZt6fvEujTuMeKEo5i+sOTya6HkDyR1ZBtRL/FQ3bXhdrs8IWON+AqO62ZfMSN+2XbNDGLX",
            "AgMBAAEwDQYJKoZIhvcNAQELBQADgYEAcK6VIEU9Cl4TkD7zyfcBkq4UD0FQAvA6QzMXqDWRLtLz9AAz3LZCR8eU4zmG89Pc2PG8",
            "vsn4ppuV2pR8qJDkemfLVUzDZmWENUxUsbJ8A9K5OOxjYWdgmUzIhzmjnEv72AW3eAmky7nE2f8I1WFh8NbyVRvf+Ihj3b6FOMXA",
            "WTU="
        ].joined(),
        subject: "O=日本,CN=Grüße",
        issuer: "O=日本,CN=Grüße",
        serial: "0DB76B907BB39FFDA618561CE95601A776FDA8EE",
        notBefore: "2026-11-29T02:13:14Z", notBeforeEpoch: 1795918394,
        notAfter: "2026-12-09T02:13:14Z", notAfterEpoch: 1796782394,
        keyType: "RSA", keyBits: 1024,
        signatureAlgorithm: "sha256WithRSAEncryption",
        subjectAlternativeNames: [],
        sha256: "e684970281f091a2b0af5d7431896514a63f0ecb547c7ca09df2d0d7f19d229c",
        isSelfIssued: true
    ),
]
