import Crypto
@testable import TLSDumpTLS
import XCTest

/// Issue 26 item 1: RFC 8448 section 4 (resumed 0-RTT handshake), the early
/// branch of the key schedule and the client's 0-RTT record, byte for byte.
final class EarlyDataKeyScheduleTests: XCTestCase {
    private let psk = hexBytes("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3")
    private let earlySecret = hexBytes("9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c")
    private let clientHelloHash = hexBytes("08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913")
    private let clientEarlyTrafficSecret = hexBytes("3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62")

    func testEarlySecretAndClientEarlyTrafficSecret() {
        let extracted = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: psk), salt: [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(extracted.withUnsafeBytes { Array($0) }, earlySecret)
        XCTAssertEqual(KeyDerivation.expandLabel(secret: earlySecret, label: "c e traffic", context: clientHelloHash, length: 32, sha384: false),
                       clientEarlyTrafficSecret)
    }

    func testEarlyTrafficKeysAndTheZeroRTTRecord() throws {
        let keys = try KeyDerivation.tls13(trafficSecret: clientEarlyTrafficSecret, suite: 0x1301)
        XCTAssertEqual(keys.key, hexBytes("920205a5b7bf2115e6fc5c2942834f54"))
        XCTAssertEqual(keys.iv, hexBytes("6d475f0993c8e564610db2b9"))
        let decryptor = try RecordDecryptor(keys: keys, suite: 0x1301, version: 0x0304, encryptThenMAC: false)
        let record = hexBytes("170303" + "0017" + "ab1df420e75c457a7cc5d2844f76d5aee4b4edbf049be0")
        let opened = try decryptor.decrypt(contentType: record[0], version: 0x0303, body: Array(record[5...]))
        XCTAssertEqual(opened.contentType, 0x17)
        XCTAssertEqual(opened.plaintext, Array("ABCDEF".utf8))
        XCTAssertEqual(decryptor.sequenceNumber, 1)
        // The handshake keys of the same connection do not open it (the session must not try them first and give up).
        let wrong = try RecordDecryptor(keys: KeyDerivation.tls13(trafficSecret: earlySecret, suite: 0x1301), suite: 0x1301,
                                        version: 0x0304, encryptThenMAC: false)
        XCTAssertThrowsError(try wrong.decrypt(contentType: record[0], version: 0x0303, body: Array(record[5...])))
    }
}
