import Crypto
@testable import TLSDumpTLS
import XCTest

/// Issue 26 item 5: AES-CCM built from AES-CTR and CBC-MAC, against RFC 3610's
/// packet vectors (13-byte nonce, 8-byte tag), NIST SP 800-38C's examples, and TLS-shaped vectors (12-byte
/// nonce, 16- and 8-byte tags) made with pyca/cryptography's AESCCM (OpenSSL).
final class AESCCMTests: XCTestCase {
    private func open(_ key: [UInt8], _ nonce: [UInt8], _ aad: [UInt8], _ sealed: [UInt8], tag: Int) throws -> [UInt8] {
        try sealed.withUnsafeBytes { raw in
            try AESCCM.open(key: SymmetricKey(data: key), nonce: nonce, aad: aad, ciphertextAndTag: raw, tagLength: tag)
        }
    }

    func testRFC3610PacketVectors() throws {
        let key = hexBytes("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf")
        let header = hexBytes("0001020304050607")
        let one = try open(key, hexBytes("00000003020100a0a1a2a3a4a5"), header,
                           hexBytes("588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"), tag: 8)
        XCTAssertEqual(one, Array(0x08...0x1e).map(UInt8.init))
        let two = try open(key, hexBytes("00000004030201a0a1a2a3a4a5"), header,
                           hexBytes("72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916"), tag: 8)
        XCTAssertEqual(two, Array(0x08...0x1f).map(UInt8.init))
    }

    /// NIST SP 800-38C Appendix C, Examples 1 and 2 (7- and 8-byte nonces, 4- and 6-byte tags).
    func testNISTSP80038CExamples() throws {
        let key = Array(0x40...0x4f).map(UInt8.init)
        XCTAssertEqual(try open(key, Array(0x10...0x16).map(UInt8.init), Array(0x00...0x07).map(UInt8.init), hexBytes("7162015b4dac255d"), tag: 4),
                       Array(0x20...0x23).map(UInt8.init))
        XCTAssertEqual(try open(key, Array(0x10...0x17).map(UInt8.init), Array(0x00...0x0f).map(UInt8.init),
                                hexBytes("d2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd"), tag: 6),
                       Array(0x20...0x2f).map(UInt8.init))
    }

    func testTLSShapedVectors() throws {
        let key = Array(0x40...0x4f).map(UInt8.init), nonce = Array(0x10...0x1b).map(UInt8.init)
        let aad = hexBytes("00000000000000011703030010")
        let plaintext = Array("0123456789abcdefXYZ".utf8)
        XCTAssertEqual(try open(key, nonce, aad, hexBytes("f3a211b9e5a70a6a8b0ca1a582deac42091ec2ef49f1c70b89c632da7470969a10000b"), tag: 16), plaintext)
        XCTAssertEqual(try open(key, nonce, aad, hexBytes("f3a211b9e5a70a6a8b0ca1a582deac42091ec273d27a6c39665b7c"), tag: 8), plaintext)
        XCTAssertEqual(try open(key, nonce, [], hexBytes("f3a211b9e5a70a6a8b0ca1a582deac42091ec2ec95490391bfb46f43de71ae164e8b17"), tag: 16), plaintext)
    }

    func testTamperingAndBadParametersFail() {
        let key = Array(0x40...0x4f).map(UInt8.init), nonce = Array(0x10...0x1b).map(UInt8.init)
        let aad = hexBytes("00000000000000011703030010")
        var sealed = hexBytes("f3a211b9e5a70a6a8b0ca1a582deac42091ec2ef49f1c70b89c632da7470969a10000b")
        sealed[3] ^= 1
        XCTAssertThrowsError(try open(key, nonce, aad, sealed, tag: 16)) { XCTAssertEqual($0 as? AESCCM.Failure, .authentication) }
        XCTAssertThrowsError(try open(key, nonce, aad + [0], hexBytes("f3a211b9e5a70a6a8b0ca1a582deac42091ec273d27a6c39665b7c"), tag: 8))
        XCTAssertThrowsError(try open(key, [1, 2, 3], aad, sealed, tag: 16)) { XCTAssertEqual($0 as? AESCCM.Failure, .badParameters) }
        XCTAssertThrowsError(try open(key, nonce, aad, [1, 2, 3], tag: 16))
        XCTAssertThrowsError(try open(key, nonce, aad, sealed, tag: 7))
        // Empty message: the tag alone.
        XCTAssertThrowsError(try open(key, nonce, aad, [UInt8](repeating: 0, count: 16), tag: 16))
    }

    func testPSKPremasterLayout() throws {
        let psk: [UInt8] = [0xaa, 0xbb, 0xcc]
        XCTAssertEqual(PSKPremaster.plain(psk: psk), [0, 3, 0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc])
        let rsa = [UInt8](repeating: 7, count: 48)
        XCTAssertEqual(PSKPremaster.premaster(otherSecret: rsa, psk: psk), [0, 48] + rsa + [0, 3] + psk)
        XCTAssertEqual(PreSharedKey(argument: "client1:0011"), PreSharedKey(identity: Array("client1".utf8), key: [0x00, 0x11]))
        XCTAssertEqual(PreSharedKey(argument: "a:b:0011")?.identity, Array("a:b".utf8))
        XCTAssertEqual(PreSharedKey(argument: "0011"), PreSharedKey(identity: nil, key: [0x00, 0x11]))
        for bad in ["", "x:", "001", "zz", "id:0g", String(repeating: "00", count: PreSharedKey.maxKeyLength + 1)] {
            XCTAssertNil(PreSharedKey(argument: bad), bad)
        }
    }

    /// TLS 1.2 CCM_8 and TLS 1.3 CCM suites are in the protection table.
    func testCCMSuitesAreDecryptable() throws {
        for (suite, tag) in [(UInt16(0xc0a4), 16), (0xc0a8, 8), (0x1304, 16), (0x1305, 8), (0xc0ac, 16)] {
            let protection = try RecordProtection.forSuite(suite)
            XCTAssertEqual(protection.cipher.tagLength, tag, "\(suite)")
        }
    }
}
