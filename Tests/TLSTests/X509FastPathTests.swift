import XCTest
@testable import TLSDumpTLS

/// OIDs looked up by their DER bytes, names rendered into one buffer, and the
/// byte-level UTF-8 check must agree with the dotted-text / String paths they replace.
final class X509FastPathTests: XCTestCase {
    func testEveryTableOIDRoundTripsThroughItsDEREncoding() {
        let tables: [[String]] = [
            Array(X509OIDTables.signatureAlgorithms.keys), Array(X509OIDTables.keyAlgorithms.keys),
            Array(X509OIDTables.curveBits.keys), Array(X509OIDTables.attributeNames.keys),
            [X509OIDTables.commonNameOID, X509OIDTables.subjectAltNameOID,
             X509OIDTables.primeFieldOID, X509OIDTables.characteristicTwoFieldOID],
        ]
        for dotted in tables.joined() {
            let content = X509OIDTables.derContent(dotted)
            XCTAssertEqual(X509DERValue.objectIdentifier(content, 0..<content.count), dotted)
        }
        XCTAssertEqual(X509OIDTables.signatureAlgorithmsByContent.count, X509OIDTables.signatureAlgorithms.count)
        XCTAssertEqual(X509OIDTables.keyAlgorithmsByContent.count, X509OIDTables.keyAlgorithms.count)
        XCTAssertEqual(X509OIDTables.curveBitsByContent.count, X509OIDTables.curveBits.count)
        XCTAssertEqual(X509OIDTables.attributeNamesByContent.count, X509OIDTables.attributeNames.count)
        XCTAssertEqual(X509OIDTables.derContent("1.2.840.113549.1.1.11"), [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B])
    }

    /// DER of `Name` with one attribute per RDN, the type given as raw OID content.
    private func name(_ attributes: [([UInt8], [UInt8])]) -> [UInt8] {
        func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
            precondition(content.count < 0x80)
            return [tag, UInt8(content.count)] + content
        }
        return tlv(0x30, attributes.flatMap { oid, value in tlv(0x31, tlv(0x30, tlv(0x06, oid) + value)) })
    }

    func testNonMinimalOIDEncodingsKeepTheirDottedMeaning() throws {
        // 2.5.4.3 (CN) with a padded last arc: not the table bytes, but the same OID text.
        let paddedCN: [UInt8] = [0x55, 0x04, 0x80, 0x03]
        let der = name([([0x55, 0x04, 0x06], [0x13, 0x02, 0x55, 0x53]), (paddedCN, [0x0C, 0x01, 0x78])])
        var reader = X509DERReader(der)
        let element = try reader.read()
        let result = try X509DistinguishedNameFormatter.format(der, name: element)
        XCTAssertEqual(result.text, "CN=x,C=US")
        XCTAssertEqual(result.commonNames, ["x"])
        // An unlisted OID and a malformed one.
        XCTAssertEqual(X509Summarizer.distinguishedName(der: name([([0x2A, 0x03], [0x0C, 0x01, 0x78])])), "1.2.3=#0C0178")
        XCTAssertNil(X509Summarizer.distinguishedName(der: name([([0x55, 0x84], [0x0C, 0x01, 0x78])])))
    }

    func testMultiValuedRDNsAndOrder() {
        func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag, UInt8(content.count)] + content }
        let cn = tlv(0x30, tlv(0x06, [0x55, 0x04, 0x03]) + tlv(0x0C, Array("a".utf8)))
        let ou = tlv(0x30, tlv(0x06, [0x55, 0x04, 0x0B]) + tlv(0x13, Array("b".utf8)))
        let c = tlv(0x30, tlv(0x06, [0x55, 0x04, 0x06]) + tlv(0x13, Array("DE".utf8)))
        let der = tlv(0x30, tlv(0x31, c) + tlv(0x31, ou + cn) + tlv(0x31, []))
        XCTAssertEqual(X509Summarizer.distinguishedName(der: der), ",OU=b+CN=a,C=DE")
    }

    /// The decoder the byte check replaced: Swift's own UTF-8 decoding, failing on any error.
    private func decoderAccepts(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    func testUTF8CheckAgreesWithTheDecoder() {
        let palette: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                                0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20000 {
            let bytes = (0..<Int.random(in: 0..<7, using: &generator)).map { _ in palette.randomElement(using: &generator)! }
            XCTAssertEqual(X509UTF8.isWellFormed(bytes[...]), decoderAccepts(bytes), "\(bytes)")
            XCTAssertEqual(X509AttributeValueDecoder.strictUTF8(bytes[...]),
                           decoderAccepts(bytes) ? String(decoding: bytes, as: UTF8.self) : nil)
        }
        // Every two-byte sequence exhaustively.
        for a in 0...255 { for b in 0...255 {
            let bytes = [UInt8(a), UInt8(b)]
            XCTAssertEqual(X509UTF8.isWellFormed(bytes[...]), decoderAccepts(bytes), "\(bytes)")
        } }
    }

    func testLatin1FallbackAndEscapesInOneBuffer() {
        XCTAssertEqual(X509AttributeValueDecoder.latin1([0x47, 0xFC, 0xDF, 0x80, 0xFF][...]), "Gü\u{DF}\u{80}\u{FF}")
        var out: [UInt8] = []
        X509DistinguishedNameFormatter.appendEscaped(Array(" a\u{1}\u{7F}é ".utf8), to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "\\ a\\01\\7Fé\\ ")
        XCTAssertEqual(X509DistinguishedNameFormatter.escape("#x"), "\\#x")
        var hex: [UInt8] = []
        X509Hex.append([0x00, 0x9F, 0xAB], uppercase: true, to: &hex)
        X509Hex.append([0xCD], uppercase: false, to: &hex)
        XCTAssertEqual(String(decoding: hex, as: UTF8.self), "009FABcd")
    }
}
