@testable import TLSDumpTLS
import XCTest

/// Issue 26 item 4: DES and 3DES-EDE-CBC, decryption only.
final class TripleDESTests: XCTestCase {
    /// FIPS 46's worked example (key 133457799BBCDFF1): 0123456789ABCDEF <-> 85E813540F0AB405.
    func testDESKnownAnswer() {
        let key = hexBytes("133457799bbcdff1")
        XCTAssertEqual(TripleDES.desBlock(key: key, hexBytes("0123456789abcdef"), decrypt: false), hexBytes("85e813540f0ab405"))
        XCTAssertEqual(TripleDES.desBlock(key: key, hexBytes("85e813540f0ab405"), decrypt: true), hexBytes("0123456789abcdef"))
    }

    /// Three independent keys, CBC, against pyca/cryptography's TripleDES (OpenSSL).
    func testTripleDESCBCMatchesOpenSSL() throws {
        let des = try XCTUnwrap(TripleDES(key: hexBytes("0102030405060708090a0b0c0d0e0f101112131415161718")))
        let ciphertext = hexBytes("f4e136b8ae38d581703deb4e232e0b01f6befde0337944a12aba3bfd21def173b710290880fe53c8")
        let plaintext = ciphertext.withUnsafeBytes { des.decryptCBC(iv: hexBytes("a0a1a2a3a4a5a6a7"), ciphertext: $0) }
        XCTAssertEqual(String(decoding: plaintext, as: UTF8.self), "SSL 3.0 and TLS 3DES-EDE-CBC test!!!!!!!")
        XCTAssertNil(TripleDES(key: [UInt8](repeating: 1, count: 16)), "two-key 3DES is not a TLS key length")
    }

    func testTripleDESSuitesAreDecryptable() throws {
        XCTAssertEqual(try RecordProtection.forSuite(0x000a).cipher, .tripleDESCBC)
        XCTAssertEqual(try RecordProtection.forSuite(0x000a).keyLength, 24)
        let keys = DirectionKeys(macKey: [UInt8](repeating: 0, count: 20), key: [UInt8](repeating: 1, count: 24), iv: [UInt8](repeating: 0, count: 8))
        let decryptor = try RecordDecryptor(keys: keys, suite: 0x000a, version: 0x0300, encryptThenMAC: false)
        // Not whole 8-byte blocks, and garbage: errors, not crashes.
        XCTAssertThrowsError(try decryptor.decrypt(contentType: 23, version: 0x0300, body: [UInt8](repeating: 7, count: 33)))
        XCTAssertThrowsError(try decryptor.decrypt(contentType: 23, version: 0x0300, body: [UInt8](repeating: 7, count: 32)))
    }
}
