import Crypto
@testable import TLSDumpTLS
import XCTest

/// Issue 26 item 4: SSL 3.0's key derivation (RFC 6101 6.1, 6.2.2) against
/// tlslite-ng's PRF_SSL (an independent implementation), and its record MAC
/// and padding through a record sealed here.
final class SSL3Tests: XCTestCase {
    private let premaster = [0x03, 0x00] + Array(0..<46).map(UInt8.init)
    private let clientRandom = Array(0..<32).map(UInt8.init), serverRandom = Array(0x80..<0xa0).map(UInt8.init)

    func testMasterSecretAndKeyBlockMatchTlslite() {
        let master = SSL3.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom)
        XCTAssertEqual(master, hexBytes("18e559eeddb2df83199706cecbf438b284fdd250212364275d554e97ab386866b35f6ea4fe8837dffdf7773235bcc11b"))
        XCTAssertEqual(TLSPRF.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom, version: 0x0300,
                                           sha384: false, extendedMasterSecretSessionHash: nil), master)
        let block = SSL3.keyBlock(masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom, count: 104)
        XCTAssertEqual(block, hexBytes("a2ee9d9de29c1aa6501ec25156af270004ff400e51cd4ec00770cebf6ec31b561d344a8b8dbee30b86b5ee73ce66de6138952190b430fbd8a5ac56b68f9aa83e511d18e4da420c176288fcf1681d66b9ec4d57c2d302bceeffbe3b4e222de1d560f0ba3b30e460d7"))
        // AES128-SHA: 2 x 20 MAC + 2 x 16 key + 2 x 16 IV = 104 bytes, cut in that order.
        let keys = try? KeyDerivation.tls12(masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom, suite: 0x002f, version: 0x0300)
        XCTAssertEqual(keys?.client.macKey, Array(block[0..<20]))
        XCTAssertEqual(keys?.server.key, Array(block[56..<72]))
        XCTAssertEqual(keys?.server.iv, Array(block[88..<104]))
    }

    /// An SSL 3.0 RC4-SHA record sealed here by RFC 6101's MAC: it opens; a TLS 1.0 decryptor with the same keys does not.
    func testRecordMACIsSSL3s() throws {
        let macKey = [UInt8](repeating: 0x21, count: 20), key = [UInt8](repeating: 0x42, count: 16)
        let content = Array("GET / HTTP/1.0\r\n\r\n".utf8)
        let mac = content.withUnsafeBytes { SSL3.mac(Insecure.SHA1.self, secret: macKey, sequence: 0, contentType: 23, content: $0) }
        var sealed = content + mac
        var rc4 = RC4(key: key)
        rc4.apply(&sealed)
        let keys = DirectionKeys(macKey: macKey, key: key, iv: [])
        let ssl3 = try RecordDecryptor(keys: keys, suite: 0x0005, version: 0x0300, encryptThenMAC: false)
        XCTAssertEqual(try ssl3.decrypt(contentType: 23, version: 0x0300, body: sealed).plaintext, content)
        let tls10 = try RecordDecryptor(keys: keys, suite: 0x0005, version: 0x0301, encryptThenMAC: false)
        XCTAssertThrowsError(try tls10.decrypt(contentType: 23, version: 0x0300, body: sealed))
    }
}
