import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

final class DecryptionTests: XCTestCase {

    // MARK: - RFC 8448 (TLS 1.3 simple 1-RTT handshake)

    private enum RFC8448 {
        static let clientHandshakeSecret = hexBytes("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
        static let serverHandshakeSecret = hexBytes("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
        static let clientApplicationSecret = hexBytes("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5")
        static let serverApplicationSecret = hexBytes("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")
        static let serverHandshakeKey = hexBytes("3fce516009c21727d0f2e4e86ee403bc")
        static let serverHandshakeIV = hexBytes("5d313eb2671276ee13000b30")
        static let clientHandshakeKey = hexBytes("dbfaa693d1762c5b666af5d950258d01")
        static let clientHandshakeIV = hexBytes("5bd3c71b836e0b76bb73265f")
        static let serverApplicationKey = hexBytes("9f02283b6c9c07efc26bb9f2ac92e356")
        static let serverApplicationIV = hexBytes("cf782b88dd83549aadf1e984")
        static let clientApplicationKey = hexBytes("17422dda596ed5d9acd890e3c63f5051")
        static let clientApplicationIV = hexBytes("5b78923dee08579033e523d9")

        /// {server} send handshake record: EncryptedExtensions, Certificate, CertificateVerify, Finished.
        static let serverHandshakeRecord = hexBytes("""
            17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b
            40689051 23ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79
            020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8
            bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead68694
            5ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63
            d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a3
            6ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af3687
            9018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d4
            61e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48a181d6b6
            fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614
            636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee
            340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e
            750edc53370d2b
            """)
        /// {client} send handshake record: Finished.
        static let clientFinishedRecord = hexBytes("""
            17030300 3575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeacab6867d726c4
            0546
            """)
        /// {client} send application_data record: the 50 bytes 00 01 ... 31.
        static let clientApplicationRecord = hexBytes("""
            1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2
            977014bd1e3deae63aeebb21694915e4
            """)
    }

    func testRFC8448TrafficKeysFromSecrets() throws {
        let serverHandshake = try KeyDerivation.tls13(trafficSecret: RFC8448.serverHandshakeSecret, suite: 0x1301)
        XCTAssertEqual(serverHandshake.key, RFC8448.serverHandshakeKey)
        XCTAssertEqual(serverHandshake.iv, RFC8448.serverHandshakeIV)
        XCTAssertEqual(serverHandshake.macKey, [])
        let clientHandshake = try KeyDerivation.tls13(trafficSecret: RFC8448.clientHandshakeSecret, suite: 0x1301)
        XCTAssertEqual(clientHandshake.key, RFC8448.clientHandshakeKey)
        XCTAssertEqual(clientHandshake.iv, RFC8448.clientHandshakeIV)
        let serverApplication = try KeyDerivation.tls13(trafficSecret: RFC8448.serverApplicationSecret, suite: 0x1301)
        XCTAssertEqual(serverApplication.key, RFC8448.serverApplicationKey)
        XCTAssertEqual(serverApplication.iv, RFC8448.serverApplicationIV)
        let clientApplication = try KeyDerivation.tls13(trafficSecret: RFC8448.clientApplicationSecret, suite: 0x1301)
        XCTAssertEqual(clientApplication.key, RFC8448.clientApplicationKey)
        XCTAssertEqual(clientApplication.iv, RFC8448.clientApplicationIV)
    }

    func testRFC8448ServerHandshakeFlightDecrypts() throws {
        let keys = try KeyDerivation.tls13(trafficSecret: RFC8448.serverHandshakeSecret, suite: 0x1301)
        let decryptor = try RecordDecryptor(keys: keys, suite: 0x1301, version: 0x0304, encryptThenMAC: false)
        let record = splitRecords(RFC8448.serverHandshakeRecord)[0]
        XCTAssertEqual(record.body.count, 674)
        let (type, plaintext) = try decryptor.decrypt(contentType: record.type, version: record.version, body: record.body)
        XCTAssertEqual(type, ContentType.handshake)
        XCTAssertEqual(plaintext.count, 657)
        XCTAssertEqual(Array(plaintext.prefix(4)), [0x08, 0x00, 0x00, 0x24], "EncryptedExtensions first")
        XCTAssertEqual(Array(plaintext.suffix(36)), hexBytes("140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"),
                       "the server Finished of RFC 8448 last")
        XCTAssertEqual(decryptor.sequenceNumber, 1)
    }

    func testRFC8448ClientRecordsAndTheSequenceNumberInTheNonce() throws {
        let handshakeKeys = try KeyDerivation.tls13(trafficSecret: RFC8448.clientHandshakeSecret, suite: 0x1301)
        let handshake = try RecordDecryptor(keys: handshakeKeys, suite: 0x1301, version: 0x0304, encryptThenMAC: false)
        let finished = splitRecords(RFC8448.clientFinishedRecord)[0]
        let (type, plaintext) = try handshake.decrypt(contentType: finished.type, version: finished.version, body: finished.body)
        XCTAssertEqual(type, ContentType.handshake)
        XCTAssertEqual(Array(plaintext.prefix(4)), [0x14, 0x00, 0x00, 0x20])
        XCTAssertEqual(plaintext.count, 36)

        let applicationKeys = try KeyDerivation.tls13(trafficSecret: RFC8448.clientApplicationSecret, suite: 0x1301)
        let application = try RecordDecryptor(keys: applicationKeys, suite: 0x1301, version: 0x0304, encryptThenMAC: false)
        let record = splitRecords(RFC8448.clientApplicationRecord)[0]
        // The handshake key does not open an application record, and the failure costs nothing.
        XCTAssertThrowsError(try handshake.decrypt(contentType: record.type, version: record.version, body: record.body)) {
            XCTAssertEqual($0 as? DecryptionError, .badRecordMAC)
        }
        XCTAssertEqual(handshake.sequenceNumber, 1)
        let data = try application.decrypt(contentType: record.type, version: record.version, body: record.body)
        XCTAssertEqual(data.contentType, ContentType.applicationData)
        XCTAssertEqual(data.plaintext, Array(0...0x31))
        // The same record again is at sequence number 1: a different nonce, so it must fail.
        XCTAssertThrowsError(try application.decrypt(contentType: record.type, version: record.version, body: record.body)) {
            XCTAssertEqual($0 as? DecryptionError, .badRecordMAC)
        }
        // The header is authenticated too (RFC 8446 5.2).
        let other = try RecordDecryptor(keys: applicationKeys, suite: 0x1301, version: 0x0304, encryptThenMAC: false)
        XCTAssertThrowsError(try other.decrypt(contentType: record.type, version: 0x0301, body: record.body))
        XCTAssertNoThrow(try other.decrypt(contentType: record.type, version: record.version, body: record.body))
    }

    // MARK: - PRF and key schedule known answers

    func testTLS12PRFPublishedSHA256Vector() {
        let out = TLSPRF.tls12(secret: hexBytes("9bbe436ba940f017b17652849a71db35"), label: "test label",
                               seed: hexBytes("a0ba9f936cda311827a6f796ffd5198c"), count: 100, sha384: false)
        XCTAssertEqual(out, hexBytes("""
            e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17
            abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66
            """))
    }

    // Expected values below come from an independent Python implementation of
    // RFC 2246/5246/7627 (hmac + hashlib), not from this code.
    private let prfSecret = Array(UInt8(0x10)..<UInt8(0x10 + 47))     // odd length: the halves overlap
    private let prfSeed = Array(UInt8(0xa0)..<UInt8(0xa0 + 64))
    private let premaster = [UInt8(3), 1] + Array(UInt8(1)..<UInt8(47))
    private let clientRandom = Array(UInt8(0x20)..<UInt8(0x40))
    private let serverRandom = Array(UInt8(0x40)..<UInt8(0x60))

    func testTLS10PRFAndSHA384PRF() {
        XCTAssertEqual(TLSPRF.tls10(secret: prfSecret, label: "test label", seed: prfSeed, count: 104), hexBytes(Vectors.tls10PRF))
        XCTAssertEqual(TLSPRF.tls12(secret: prfSecret, label: "test label", seed: prfSeed, count: 148, sha384: true), hexBytes(Vectors.tls12SHA384PRF))
        XCTAssertEqual(TLSPRF.tls10(secret: prfSecret, label: "test label", seed: prfSeed, count: 0), [])
        XCTAssertEqual(TLSPRF.tls10(secret: prfSecret, label: "test label", seed: prfSeed, count: -5), [])
        XCTAssertEqual(TLSPRF.tls10(secret: [], label: "x", seed: [], count: 20).count, 20, "an empty secret is not a trap")
    }

    func testMasterSecretPlainAndExtended() {
        XCTAssertEqual(TLSPRF.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom,
                                           version: 0x0301, sha384: false, extendedMasterSecretSessionHash: nil),
                       hexBytes(Vectors.masterTLS10))
        let messages = Array("handshake messages".utf8)
        XCTAssertEqual(TLSPRF.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom,
                                           version: 0x0303, sha384: false,
                                           extendedMasterSecretSessionHash: TLSPRF.sessionHash(handshakeMessages: messages, version: 0x0303, sha384: false)),
                       hexBytes(Vectors.masterTLS12EMS256))
        XCTAssertEqual(TLSPRF.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom,
                                           version: 0x0303, sha384: true,
                                           extendedMasterSecretSessionHash: TLSPRF.sessionHash(handshakeMessages: messages, version: 0x0303, sha384: true)),
                       hexBytes(Vectors.masterTLS12EMS384))
        XCTAssertEqual(TLSPRF.sessionHash(handshakeMessages: messages, version: 0x0301, sha384: false).count, 36, "MD5 || SHA-1")
    }

    func testKeyBlockPartitioning() throws {
        let block10 = hexBytes(Vectors.keyBlock002fTLS10)
        let keys10 = try KeyDerivation.tls12(masterSecret: hexBytes(Vectors.masterTLS10), clientRandom: clientRandom,
                                             serverRandom: serverRandom, suite: 0x002f, version: 0x0301)
        XCTAssertEqual(keys10.client, DirectionKeys(macKey: Array(block10[0..<20]), key: Array(block10[40..<56]), iv: Array(block10[72..<88])))
        XCTAssertEqual(keys10.server, DirectionKeys(macKey: Array(block10[20..<40]), key: Array(block10[56..<72]), iv: Array(block10[88..<104])))

        let block12 = hexBytes(Vectors.keyBlockc030TLS12)
        let keys12 = try KeyDerivation.tls12(masterSecret: hexBytes(Vectors.masterTLS12EMS384), clientRandom: clientRandom,
                                             serverRandom: serverRandom, suite: 0xc030, version: 0x0303)
        XCTAssertEqual(keys12.client, DirectionKeys(macKey: [], key: Array(block12[0..<32]), iv: Array(block12[64..<68])))
        XCTAssertEqual(keys12.server, DirectionKeys(macKey: [], key: Array(block12[32..<64]), iv: Array(block12[68..<72])))
    }

    func testKeyDerivationRejectsWhatItCannotDo() {
        let master = [UInt8](repeating: 7, count: 48)
        XCTAssertThrowsError(try KeyDerivation.tls12(masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom, suite: 0x002f, version: 0x0002)) {
            XCTAssertEqual($0 as? DecryptionError, .unsupportedVersion(0x0002))
        }
        XCTAssertThrowsError(try KeyDerivation.tls12(masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom, suite: 0x0009, version: 0x0301)) {
            XCTAssertEqual($0 as? DecryptionError, .unsupportedSuite("TLS_RSA_WITH_DES_CBC_SHA"))
        }
        XCTAssertThrowsError(try KeyDerivation.tls12(masterSecret: [1, 2, 3], clientRandom: clientRandom, serverRandom: serverRandom, suite: 0x002f, version: 0x0301)) {
            XCTAssertEqual($0 as? DecryptionError, .wrongKey)
        }
        XCTAssertThrowsError(try KeyDerivation.tls12(masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom, suite: 0x1301, version: 0x0303))
        XCTAssertThrowsError(try KeyDerivation.tls13(trafficSecret: master, suite: 0x1301)) {
            XCTAssertEqual($0 as? DecryptionError, .wrongKey, "a 48-byte secret for a SHA-256 suite")
        }
        XCTAssertThrowsError(try KeyDerivation.tls13(trafficSecret: master, suite: 0xc02f))
        XCTAssertThrowsError(try KeyDerivation.tls13(trafficSecret: Array(master.prefix(32)), suite: 0xc07a)) {
            XCTAssertEqual($0 as? DecryptionError, .unsupportedSuite("TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256"))
        }
    }

    // MARK: - record protection known answers (Python `cryptography` as the reference)

    func testMACThenEncryptCBCWithTLS10ChainedIVs() throws {
        let keys = try KeyDerivation.tls12(masterSecret: hexBytes(Vectors.masterTLS10), clientRandom: clientRandom,
                                           serverRandom: serverRandom, suite: 0x002f, version: 0x0301)
        let decryptor = try RecordDecryptor(keys: keys.client, suite: 0x002f, version: 0x0301, encryptThenMAC: false)
        let bodies = Vectors.mteTLS10Records.map(hexBytes)
        let finished = try decryptor.decrypt(contentType: 22, version: 0x0301, body: bodies[0])
        XCTAssertEqual(finished.plaintext, [0x14, 0, 0, 0x0c] + Array(0..<12))
        // A damaged record fails and leaves the CBC chain and sequence number alone.
        var damaged = bodies[1]
        damaged[damaged.count - 1] ^= 1
        XCTAssertThrowsError(try decryptor.decrypt(contentType: 23, version: 0x0301, body: damaged)) {
            XCTAssertEqual($0 as? DecryptionError, .badRecordMAC)
        }
        XCTAssertEqual(try decryptor.decrypt(contentType: 23, version: 0x0301, body: bodies[1]).plaintext, Array("GET / HTTP/1.1\r\n".utf8))
        XCTAssertEqual(try decryptor.decrypt(contentType: 21, version: 0x0301, body: bodies[2]).plaintext, [1, 0])
        XCTAssertEqual(decryptor.sequenceNumber, 3)
    }

    func testMACThenEncryptCBCWithExplicitIVs() throws {
        let macKey = Array(UInt8(0x30)..<UInt8(0x50)), key = Array(UInt8(0x50)..<UInt8(0x70))
        let sha256 = try RecordDecryptor(keys: DirectionKeys(macKey: macKey, key: key, iv: []), suite: 0x003d, version: 0x0303, encryptThenMAC: false)
        XCTAssertEqual(try sha256.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.mte003dRecords[0])).plaintext,
                       Array("hello, tls 1.2 cbc".utf8))
        XCTAssertEqual(try sha256.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.mte003dRecords[1])).plaintext, [])

        let sha384 = try RecordDecryptor(keys: DirectionKeys(macKey: Array(UInt8(0x90)..<UInt8(0xc0)), key: key, iv: []),
                                         suite: 0xc028, version: 0x0303, encryptThenMAC: false)
        XCTAssertEqual(try sha384.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.mtec028Record)).plaintext, Array("sha384 mac".utf8))
        // The same record read as encrypt-then-MAC does not authenticate.
        let etm = try RecordDecryptor(keys: DirectionKeys(macKey: Array(UInt8(0x90)..<UInt8(0xc0)), key: key, iv: []),
                                      suite: 0xc028, version: 0x0303, encryptThenMAC: true)
        XCTAssertThrowsError(try etm.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.mtec028Record))) {
            XCTAssertEqual($0 as? DecryptionError, .badRecordMAC)
        }
    }

    func testRC4SHAAndNullSHAStreams() throws {
        let rc4 = try RecordDecryptor(keys: DirectionKeys(macKey: Array(UInt8(0xd0)..<UInt8(0xe4)), key: Array(UInt8(0xc0)..<UInt8(0xd0)), iv: []),
                                      suite: 0x0005, version: 0x0303, encryptThenMAC: false)
        let first = hexBytes(Vectors.rc4SHARecords[0]), second = hexBytes(Vectors.rc4SHARecords[1])
        XCTAssertEqual(try rc4.decrypt(contentType: 23, version: 0x0303, body: first).plaintext, Array("first".utf8))
        // A failed record must not consume keystream.
        var damaged = second
        damaged[0] ^= 0x80
        XCTAssertThrowsError(try rc4.decrypt(contentType: 23, version: 0x0303, body: damaged))
        XCTAssertEqual(try rc4.decrypt(contentType: 23, version: 0x0303, body: second).plaintext, Array("second record".utf8))

        let null = try RecordDecryptor(keys: DirectionKeys(macKey: Array(UInt8(0xd0)..<UInt8(0xe4)), key: [], iv: []),
                                       suite: 0x0002, version: 0x0301, encryptThenMAC: false)
        XCTAssertEqual(try null.decrypt(contentType: 23, version: 0x0301, body: hexBytes(Vectors.nullSHARecord)).plaintext, Array("in the clear".utf8))
    }

    func testTLS13AES256GCMWithSHA384AndKeyUpdate() throws {
        let secret = Array(UInt8(1)..<UInt8(0x31))
        let keys = try KeyDerivation.tls13(trafficSecret: secret, suite: 0x1302)
        XCTAssertEqual(keys.key, hexBytes(Vectors.tls13_1302Key))
        XCTAssertEqual(keys.iv, hexBytes(Vectors.tls13_1302IV))
        let decryptor = try RecordDecryptor(keys: keys, suite: 0x1302, version: 0x0304, encryptThenMAC: false)
        let first = try decryptor.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.tls13_1302Records[0]))
        XCTAssertEqual(first.contentType, ContentType.handshake)
        XCTAssertEqual(first.plaintext, [8, 0, 0, 2, 0, 0])
        let second = try decryptor.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.tls13_1302Records[1]))
        XCTAssertEqual(second.contentType, ContentType.applicationData)
        XCTAssertEqual(second.plaintext, Array("GET / HTTP/1.1\r\n".utf8), "zero padding stripped")
        XCTAssertEqual(try KeyDerivation.tls13NextSecret(secret, suite: 0x1302), hexBytes(Vectors.tls13_1302NextSecret))
    }

    func testTLS13ChaCha20Poly1305() throws {
        let keys = try KeyDerivation.tls13(trafficSecret: Array(UInt8(0x40)..<UInt8(0x60)), suite: 0x1303)
        XCTAssertEqual(keys.key, hexBytes(Vectors.tls13_1303Key))
        XCTAssertEqual(keys.iv, hexBytes(Vectors.tls13_1303IV))
        let decryptor = try RecordDecryptor(keys: keys, suite: 0x1303, version: 0x0304, encryptThenMAC: false)
        let first = try decryptor.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.tls13_1303Records[0]))
        XCTAssertEqual(first.contentType, ContentType.applicationData)
        XCTAssertEqual(first.plaintext, Array("chacha in 1.3".utf8))
        let second = try decryptor.decrypt(contentType: 23, version: 0x0303, body: hexBytes(Vectors.tls13_1303Records[1]))
        XCTAssertEqual(second.contentType, ContentType.alert)
        XCTAssertEqual(second.plaintext, [1, 0])
    }

    // MARK: - real captures

    /// Decrypts every record after the first ChangeCipherSpec of a TLS <= 1.2 capture
    /// with the key log's master secret, and checks the conversation.
    private func assertTLS12Capture(_ fixture: CaptureFixture, request: String, response: String,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let (client, server) = try fixture.tls12Decryptors()
        for (decryptor, records, expected) in [(client, fixture.clientRecordList, request), (server, fixture.serverRecordList, response)] {
            let plaintexts = try records.map { try decryptor.decrypt(contentType: $0.type, version: $0.version, body: $0.body) }
            XCTAssertEqual(plaintexts.first?.contentType, ContentType.handshake, fixture.name, file: file, line: line)
            XCTAssertEqual(Array(plaintexts.first?.plaintext.prefix(4) ?? []), [0x14, 0, 0, 0x0c], fixture.name, file: file, line: line)
            XCTAssertEqual(plaintexts.first?.plaintext.count, 16, "Finished with 12 bytes of verify_data", file: file, line: line)
            let application = plaintexts.filter { $0.contentType == ContentType.applicationData }.flatMap { $0.plaintext }
            XCTAssertTrue(application.starts(with: Array(expected.utf8)), "\(fixture.name): \(String(decoding: application, as: UTF8.self))", file: file, line: line)
            XCTAssertEqual(plaintexts.last?.contentType, ContentType.alert, fixture.name, file: file, line: line)
            XCTAssertEqual(plaintexts.last?.plaintext, [1, 0], "close_notify", file: file, line: line)
            XCTAssertEqual(decryptor.sequenceNumber, UInt64(records.count), file: file, line: line)
        }
    }

    func testCaptureRC4MD5TLS10() throws {
        try assertTLS12Capture(DecryptionCaptures.rc4MD5TLS10, request: "hello over tls\n", response: "hello over tls\n")
    }

    func testCaptureAESCBCTLS10EncryptThenMACWithEmptyBEASTRecords() throws {
        let fixture = DecryptionCaptures.aesCBCTLS10
        try assertTLS12Capture(fixture, request: "GET / HTTP/1.1", response: "HTTP/1.1 200 OK")
        let (client, _) = try fixture.tls12Decryptors()
        let plaintexts = try fixture.clientRecordList.map { try client.decrypt(contentType: $0.type, version: $0.version, body: $0.body) }
        XCTAssertEqual(plaintexts.map { $0.contentType }, [22, 23, 23, 21])
        XCTAssertEqual(plaintexts[1].plaintext, [], "the empty record OpenSSL puts before each TLS 1.0 CBC write")
    }

    func testCaptureAESCBCTLS12EncryptThenMAC() throws {
        try assertTLS12Capture(DecryptionCaptures.aesCBCTLS12, request: "GET / HTTP/1.1", response: "HTTP/1.1 200 OK")
    }

    func testCaptureAES256GCMTLS12WithSHA384PRF() throws {
        try assertTLS12Capture(DecryptionCaptures.ecdheTLS12, request: "GET / HTTP/1.1", response: "HTTP/1.1 200 OK")
    }

    func testCaptureChaCha20Poly1305TLS12() throws {
        try assertTLS12Capture(DecryptionCaptures.chacha20TLS12, request: "GET / HTTP/1.1", response: "HTTP/1.1 200 OK")
    }

    /// TLS 1.3 the way a dissector does it: handshake keys until the Finished, then traffic secret 0,
    /// and the next generation after a KeyUpdate.
    private func decryptTLS13Direction(_ fixture: CaptureFixture, records: [(type: UInt8, version: UInt16, body: [UInt8])],
                                       handshake: TLS13SecretLabel, traffic: TLS13SecretLabel) throws -> [(contentType: UInt8, plaintext: [UInt8])] {
        var log = KeyLog()
        log.parse(fixture.keyLog)
        let handshakeSecret = try XCTUnwrap(log.secret(handshake, clientRandom: fixture.clientRandomBytes))
        var trafficSecret = try XCTUnwrap(log.secret(traffic, clientRandom: fixture.clientRandomBytes))
        var decryptor = try RecordDecryptor(keys: KeyDerivation.tls13(trafficSecret: handshakeSecret, suite: fixture.suite),
                                            suite: fixture.suite, version: 0x0304, encryptThenMAC: false)
        var out: [(contentType: UInt8, plaintext: [UInt8])] = []
        var handshakeDone = false
        for record in records {
            let result = try decryptor.decrypt(contentType: record.type, version: record.version, body: record.body)
            out.append(result)
            guard result.contentType == ContentType.handshake, let messageType = result.plaintext.first else { continue }
            if messageType == 20 && !handshakeDone {
                handshakeDone = true
                // The handshake's own Finished: application keys from here on.
                decryptor = try RecordDecryptor(keys: KeyDerivation.tls13(trafficSecret: trafficSecret, suite: fixture.suite),
                                                suite: fixture.suite, version: 0x0304, encryptThenMAC: false)
            } else if messageType == 24 {
                trafficSecret = try KeyDerivation.tls13NextSecret(trafficSecret, suite: fixture.suite)
                decryptor = try RecordDecryptor(keys: KeyDerivation.tls13(trafficSecret: trafficSecret, suite: fixture.suite),
                                                suite: fixture.suite, version: 0x0304, encryptThenMAC: false)
            }
        }
        return out
    }

    func testCaptureTLS13HandshakeThenApplicationKeys() throws {
        let fixture = DecryptionCaptures.tls13
        let client = try decryptTLS13Direction(fixture, records: fixture.clientRecordList, handshake: .clientHandshake, traffic: .clientTraffic0)
        XCTAssertEqual(client.map { $0.contentType }, [22, 23, 21])
        XCTAssertEqual(Array(client[0].plaintext.prefix(4)), [0x14, 0, 0, 0x20])
        XCTAssertTrue(client[1].plaintext.starts(with: Array("GET / HTTP/1.1".utf8)))
        XCTAssertEqual(client[2].plaintext, [1, 0])

        let server = try decryptTLS13Direction(fixture, records: fixture.serverRecordList, handshake: .serverHandshake, traffic: .serverTraffic0)
        XCTAssertEqual(server.map { $0.contentType }, [22, 22, 22, 22, 22, 23, 21])
        XCTAssertEqual(server.prefix(5).compactMap { $0.plaintext.first }, [8, 11, 15, 20, 4])
        XCTAssertTrue(server[5].plaintext.starts(with: Array("HTTP/1.1 200 OK".utf8)))
        XCTAssertEqual(server[6].plaintext, [1, 0])
    }

    func testCaptureTLS13PostHandshakeAuthAndKeyUpdate() throws {
        let fixture = DecryptionCaptures.tls13PHA
        let client = try decryptTLS13Direction(fixture, records: fixture.clientRecordList, handshake: .clientHandshake, traffic: .clientTraffic0)
        XCTAssertEqual(client.map { $0.contentType }, [22, 23, 22, 22, 22, 21])
        XCTAssertEqual(client.compactMap { $0.plaintext.first }, [20, 0x47, 11, 15, 20, 1])
        // The record tshark 4.0 cannot read: the client's close_notify at sequence number 4.
        XCTAssertEqual(client.last?.plaintext, [1, 0])

        let server = try decryptTLS13Direction(fixture, records: fixture.serverRecordList, handshake: .serverHandshake, traffic: .serverTraffic0)
        XCTAssertEqual(server.map { $0.contentType }, [22, 22, 22, 22, 22, 22, 23, 21])
        XCTAssertEqual(server.prefix(6).compactMap { $0.plaintext.first }, [8, 11, 15, 20, 13, 24])
        XCTAssertTrue(server[6].plaintext.starts(with: Array("HTTP/1.1 200 OK".utf8)), "read with the secret after KeyUpdate")
        XCTAssertEqual(server[7].plaintext, [1, 0])

        // OpenSSL logged the server's post-KeyUpdate secret as SERVER_TRAFFIC_SECRET_N: the same as ours.
        var log = KeyLog()
        log.parse(fixture.keyLog)
        let secret0 = try XCTUnwrap(log.secret(.serverTraffic0, clientRandom: fixture.clientRandomBytes))
        let loggedLine = try XCTUnwrap(fixture.keyLog.split(separator: "\n").first { $0.hasPrefix("SERVER_TRAFFIC_SECRET_N ") })
        XCTAssertEqual(try KeyDerivation.tls13NextSecret(secret0, suite: fixture.suite), hexBytes(String(loggedLine.split(separator: " ")[2])))
    }

    func testCaptureIISRenegotiationAcrossTwoKeySets() throws {
        let fixture = DecryptionCaptures.iisRenegotiationTLS10
        var log = KeyLog()
        log.parse(fixture.keyLog)
        let (client, server) = try fixture.tls12Decryptors()
        func untilCCS(_ decryptor: RecordDecryptor, _ records: [(type: UInt8, version: UInt16, body: [UInt8])]) throws
            -> (before: [(contentType: UInt8, plaintext: [UInt8])], rest: ArraySlice<(type: UInt8, version: UInt16, body: [UInt8])>) {
            var out: [(contentType: UInt8, plaintext: [UInt8])] = []
            for (n, record) in records.enumerated() {
                out.append(try decryptor.decrypt(contentType: record.type, version: record.version, body: record.body))
                if record.type == ContentType.changeCipherSpec { return (out, records[(n + 1)...]) }
            }
            return (out, [])
        }
        let (clientOld, clientRest) = try untilCCS(client, fixture.clientRecordList)
        let (serverOld, serverRest) = try untilCCS(server, fixture.serverRecordList)
        XCTAssertEqual(clientOld.compactMap { $0.contentType == 22 ? $0.plaintext.first : nil }, [20, 1, 11, 16, 15])
        XCTAssertEqual(serverOld.compactMap { $0.contentType == 22 ? $0.plaintext.first : nil }, [20, 0, 2, 11, 13, 14])
        XCTAssertEqual(clientOld.last?.plaintext, [1], "the renegotiation's ChangeCipherSpec, still under the old keys")

        // The renegotiation's randoms are in the encrypted hellos.
        let clientHello = try XCTUnwrap(clientOld.first { $0.contentType == 22 && $0.plaintext.first == 1 }?.plaintext)
        let serverHello = try XCTUnwrap(serverOld.first { $0.contentType == 22 && $0.plaintext.first == 2 }?.plaintext)
        let newClientRandom = Array(clientHello[6..<38]), newServerRandom = Array(serverHello[6..<38])
        XCTAssertNotEqual(newClientRandom, fixture.clientRandomBytes)

        // Its premaster, RSA-decrypted from the encrypted ClientKeyExchange, matches the key log.
        let keyExchange = try XCTUnwrap(clientOld.first { $0.contentType == 22 && $0.plaintext.first == 16 }?.plaintext)
        let encrypted = Array(keyExchange.dropFirst(6))
        let premaster = try RSAPremaster.decrypt(encryptedPremaster: encrypted, privateKeyPEM: DecryptionKeys.server1024PKCS8, clientVersion: 0x0301)
        XCTAssertEqual(log.premaster(encryptedPremasterPrefix: encrypted), premaster)

        let master = try XCTUnwrap(log.masterSecret(clientRandom: newClientRandom))
        let keys = try KeyDerivation.tls12(masterSecret: master, clientRandom: newClientRandom, serverRandom: newServerRandom,
                                           suite: fixture.suite, version: fixture.version)
        let newClient = try RecordDecryptor(keys: keys.client, suite: fixture.suite, version: fixture.version, encryptThenMAC: true)
        let newServer = try RecordDecryptor(keys: keys.server, suite: fixture.suite, version: fixture.version, encryptThenMAC: true)
        let clientNew = try clientRest.map { try newClient.decrypt(contentType: $0.type, version: $0.version, body: $0.body) }
        let serverNew = try serverRest.map { try newServer.decrypt(contentType: $0.type, version: $0.version, body: $0.body) }
        XCTAssertEqual(clientNew.map { $0.contentType }, [22, 21])
        XCTAssertEqual(Array(clientNew[0].plaintext.prefix(4)), [0x14, 0, 0, 0x0c])
        XCTAssertEqual(serverNew.map { $0.contentType }, [22, 23, 23, 21])
        XCTAssertTrue(serverNew.flatMap { $0.contentType == 23 ? $0.plaintext : [] }.starts(with: Array("HTTP/1.1 200 OK".utf8)))
        // The old keys do not read the new records.
        XCTAssertThrowsError(try client.decrypt(contentType: clientRest.first!.type, version: clientRest.first!.version, body: clientRest.first!.body))
    }

    // MARK: - RSA premaster

    func testRSAPremasterAndExtendedMasterSecretMatchTheKeyLog() throws {
        for fixture in [DecryptionCaptures.aesCBCTLS10, DecryptionCaptures.iisRenegotiationTLS10] {
            var log = KeyLog()
            log.parse(fixture.keyLog)
            for pem in [DecryptionKeys.server1024PKCS8, DecryptionKeys.server1024PKCS1] {
                let premaster = try RSAPremaster.decrypt(encryptedPremaster: fixture.encryptedPremasterBytes, privateKeyPEM: pem,
                                                         clientVersion: fixture.clientVersion)
                XCTAssertEqual(premaster.count, 48)
                XCTAssertEqual(premaster, log.premaster(encryptedPremasterPrefix: fixture.encryptedPremasterBytes), fixture.name)
                XCTAssertTrue(fixture.extendedMasterSecret)
                let sessionHash = TLSPRF.sessionHash(handshakeMessages: fixture.handshakeMessageBytes, version: fixture.version, sha384: false)
                let master = TLSPRF.masterSecret(premaster: premaster, clientRandom: fixture.clientRandomBytes, serverRandom: fixture.serverRandomBytes,
                                                 version: fixture.version, sha384: false, extendedMasterSecretSessionHash: sessionHash)
                XCTAssertEqual(master, log.masterSecret(clientRandom: fixture.clientRandomBytes), fixture.name)
            }
        }
    }

    func testRSAPremasterWrongKeysAndBadInputAreErrors() {
        let encrypted = DecryptionCaptures.aesCBCTLS10.encryptedPremasterBytes
        func expect(_ error: DecryptionError, _ body: () throws -> [UInt8], line: UInt = #line) {
            XCTAssertThrowsError(try body(), line: line) { XCTAssertEqual($0 as? DecryptionError, error, line: line) }
        }
        expect(.wrongKey) { try RSAPremaster.decrypt(encryptedPremaster: encrypted, privateKeyPEM: DecryptionKeys.other1024, clientVersion: 0x0301) }
        expect(.wrongKey) { try RSAPremaster.decrypt(encryptedPremaster: encrypted, privateKeyPEM: DecryptionKeys.server2048, clientVersion: 0x0301) }
        expect(.wrongKey) { try RSAPremaster.decrypt(encryptedPremaster: encrypted, privateKeyPEM: DecryptionKeys.server1024PKCS8, clientVersion: 0x0303) }
        expect(.wrongKey) { try RSAPremaster.decrypt(encryptedPremaster: Array(encrypted.dropLast()), privateKeyPEM: DecryptionKeys.server1024PKCS8, clientVersion: 0x0301) }
        expect(.wrongKey) { try RSAPremaster.decrypt(encryptedPremaster: [], privateKeyPEM: DecryptionKeys.server1024PKCS8, clientVersion: 0x0301) }
        var flipped = encrypted
        flipped[10] ^= 0x40
        expect(.wrongKey) { try RSAPremaster.decrypt(encryptedPremaster: flipped, privateKeyPEM: DecryptionKeys.server1024PKCS8, clientVersion: 0x0301) }
        XCTAssertThrowsError(try RSAPremaster.decrypt(encryptedPremaster: encrypted, privateKeyPEM: "not a key", clientVersion: 0x0301)) {
            guard case .invalidPrivateKey = $0 as? DecryptionError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try RSAPremaster.decrypt(encryptedPremaster: encrypted, privateKeyPEM: String(DecryptionKeys.server1024PKCS8.prefix(300)), clientVersion: 0x0301))
    }

    // MARK: - failures are errors, never traps or garbage

    func testWrongKeysGiveBadRecordMACForEveryCapture() throws {
        for fixture in DecryptionCaptures.all where fixture.version != 0x0304 {
            var log = KeyLog()
            log.parse(fixture.keyLog)
            var master = try XCTUnwrap(log.masterSecret(clientRandom: fixture.clientRandomBytes))
            master[0] ^= 1
            let keys = try KeyDerivation.tls12(masterSecret: master, clientRandom: fixture.clientRandomBytes, serverRandom: fixture.serverRandomBytes,
                                               suite: fixture.suite, version: fixture.version)
            let decryptor = try RecordDecryptor(keys: keys.client, suite: fixture.suite, version: fixture.version, encryptThenMAC: fixture.encryptThenMAC)
            for record in fixture.clientRecordList {
                XCTAssertThrowsError(try decryptor.decrypt(contentType: record.type, version: record.version, body: record.body), fixture.name) {
                    XCTAssertEqual($0 as? DecryptionError, .badRecordMAC, fixture.name)
                }
            }
            XCTAssertEqual(decryptor.sequenceNumber, 0)
            // The right keys in the wrong direction fail as well.
            let right = try fixture.tls12Decryptors()
            let first = fixture.clientRecordList[0]
            XCTAssertThrowsError(try right.server.decrypt(contentType: first.type, version: first.version, body: first.body), fixture.name)
        }
        for fixture in [DecryptionCaptures.tls13, DecryptionCaptures.tls13PHA] {
            var log = KeyLog()
            log.parse(fixture.keyLog)
            let secret = try XCTUnwrap(log.secret(.serverHandshake, clientRandom: fixture.clientRandomBytes))
            let decryptor = try RecordDecryptor(keys: KeyDerivation.tls13(trafficSecret: secret, suite: fixture.suite), suite: fixture.suite,
                                                version: 0x0304, encryptThenMAC: false)
            let first = fixture.clientRecordList[0]
            XCTAssertThrowsError(try decryptor.decrypt(contentType: first.type, version: first.version, body: first.body)) {
                XCTAssertEqual($0 as? DecryptionError, .badRecordMAC)
            }
        }
    }

    func testTruncatedAndGarbageBodiesAreErrors() throws {
        var generator = SeededGenerator(seed: 0x7e57)
        for fixture in DecryptionCaptures.all {
            let records = fixture.clientRecordList
            for record in records {
                // Every truncation of a real record fails without touching the state.
                for cut in [0, 1, 5, 15, 16, 17, 24, 31, 32, record.body.count / 2, record.body.count - 1] where cut < record.body.count {
                    let decryptor = try fixture.firstClientDecryptor()
                    XCTAssertThrowsError(try decryptor.decrypt(contentType: record.type, version: record.version, body: Array(record.body.prefix(cut))),
                                         "\(fixture.name) cut \(cut)")
                    XCTAssertEqual(decryptor.sequenceNumber, 0)
                }
            }
            let decryptor = try fixture.firstClientDecryptor()
            for _ in 0..<200 {
                let length = Int.random(in: 0..<120, using: &generator)
                let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let type = [UInt8(20), 21, 22, 23, UInt8.random(in: 0...255, using: &generator)].randomElement(using: &generator) ?? 23
                XCTAssertThrowsError(try decryptor.decrypt(contentType: type, version: UInt16.random(in: 0...0xffff, using: &generator), body: body),
                                     fixture.name)
            }
            // After all that noise the real first record still decrypts.
            let first = records[0]
            XCTAssertNoThrow(try decryptor.decrypt(contentType: first.type, version: first.version, body: first.body), fixture.name)
        }
    }

    func testSpecificShortBodyErrors() throws {
        let gcm = try RecordDecryptor(keys: DirectionKeys(macKey: [], key: Array(repeating: 1, count: 16), iv: [1, 2, 3, 4]),
                                      suite: 0xc02f, version: 0x0303, encryptThenMAC: false)
        XCTAssertThrowsError(try gcm.decrypt(contentType: 23, version: 0x0303, body: Array(repeating: 0, count: 23))) {
            XCTAssertEqual($0 as? DecryptionError, .tooShort)
        }
        XCTAssertThrowsError(try gcm.decrypt(contentType: 23, version: 0x0303, body: Array(repeating: 0, count: 24))) {
            XCTAssertEqual($0 as? DecryptionError, .badRecordMAC, "an empty record with a wrong tag")
        }
        let cbc = try RecordDecryptor(keys: DirectionKeys(macKey: Array(repeating: 2, count: 20), key: Array(repeating: 1, count: 16), iv: []),
                                      suite: 0x002f, version: 0x0302, encryptThenMAC: false)
        XCTAssertThrowsError(try cbc.decrypt(contentType: 23, version: 0x0302, body: Array(repeating: 0, count: 56))) {
            XCTAssertEqual($0 as? DecryptionError, .notBlockAligned)
        }
        XCTAssertThrowsError(try cbc.decrypt(contentType: 23, version: 0x0302, body: Array(repeating: 0, count: 32))) {
            XCTAssertEqual($0 as? DecryptionError, .tooShort, "IV plus one block cannot hold a 20-byte MAC and padding")
        }
        let etm = try RecordDecryptor(keys: DirectionKeys(macKey: Array(repeating: 2, count: 20), key: Array(repeating: 1, count: 16), iv: []),
                                      suite: 0x002f, version: 0x0302, encryptThenMAC: true)
        XCTAssertThrowsError(try etm.decrypt(contentType: 23, version: 0x0302, body: Array(repeating: 0, count: 51))) {
            XCTAssertEqual($0 as? DecryptionError, .tooShort)
        }
        XCTAssertThrowsError(try etm.decrypt(contentType: 23, version: 0x0302, body: Array(repeating: 0, count: 60))) {
            XCTAssertEqual($0 as? DecryptionError, .notBlockAligned)
        }
        let tls13 = try RecordDecryptor(keys: DirectionKeys(macKey: [], key: Array(repeating: 1, count: 16), iv: Array(repeating: 0, count: 12)),
                                        suite: 0x1301, version: 0x0304, encryptThenMAC: false)
        XCTAssertThrowsError(try tls13.decrypt(contentType: 23, version: 0x0303, body: Array(repeating: 0, count: 15))) {
            XCTAssertEqual($0 as? DecryptionError, .tooShort)
        }
    }

    func testCBCPaddingBytesAreChecked() throws {
        let key = Array(repeating: UInt8(5), count: 16), macKey = Array(repeating: UInt8(7), count: 20)
        let keys = DirectionKeys(macKey: macKey, key: key, iv: [])
        let plaintext = Array("abc".utf8)
        // 3 bytes of content leave 13 bytes of padding (12 bytes of 0x0c and the length byte).
        let badBytes = Array(repeating: UInt8(0x0c), count: 11) + [0x0b, 0x0c]
        let tooLong = Array(repeating: UInt8(0xff), count: 13)        // says 255 bytes of padding

        let etm = try RecordDecryptor(keys: keys, suite: 0x002f, version: 0x0303, encryptThenMAC: true)
        for padding in [badBytes, tooLong] {
            XCTAssertThrowsError(try etm.decrypt(contentType: 23, version: 0x0303,
                                                 body: sealETMCBC(key: key, macKey: macKey, plaintext: plaintext, sequence: 0, padding: padding))) {
                XCTAssertEqual($0 as? DecryptionError, .badPadding, "authenticated, but badly padded")
            }
        }
        // A longer padding than needed is legal (up to 255 bytes).
        let extraBlock = Array(repeating: UInt8(0x1c), count: 29)
        XCTAssertEqual(try etm.decrypt(contentType: 23, version: 0x0303,
                                       body: sealETMCBC(key: key, macKey: macKey, plaintext: plaintext, sequence: 0, padding: extraBlock)).plaintext, plaintext)

        let mte = try RecordDecryptor(keys: keys, suite: 0x002f, version: 0x0303, encryptThenMAC: false)
        // 3 + 20 bytes of content and MAC leave 9 bytes of padding.
        let mteBad = Array(repeating: UInt8(8), count: 7) + [9, 8]
        XCTAssertThrowsError(try mte.decrypt(contentType: 23, version: 0x0303,
                                             body: sealMTECBC(key: key, macKey: macKey, plaintext: plaintext, sequence: 0, padding: mteBad))) {
            XCTAssertEqual($0 as? DecryptionError, .badRecordMAC, "MAC-then-encrypt reports bad padding as a bad MAC")
        }
        XCTAssertEqual(try mte.decrypt(contentType: 23, version: 0x0303,
                                       body: sealMTECBC(key: key, macKey: macKey, plaintext: plaintext, sequence: 0)).plaintext, plaintext)
    }

    func testTLS13AllZeroInnerPlaintextIsBadPadding() throws {
        // Built with this module's own key schedule plus swift-crypto's AES-GCM seal: the layer under test only opens.
        let key = Array(repeating: UInt8(9), count: 16), iv = Array(repeating: UInt8(3), count: 12)
        let sealed = try sealTLS13GCM(key: key, iv: iv, inner: [0, 0, 0])
        let decryptor = try RecordDecryptor(keys: DirectionKeys(macKey: [], key: key, iv: iv), suite: 0x1301, version: 0x0304, encryptThenMAC: false)
        XCTAssertThrowsError(try decryptor.decrypt(contentType: 23, version: 0x0303, body: sealed)) {
            XCTAssertEqual($0 as? DecryptionError, .badPadding)
        }
        XCTAssertEqual(decryptor.sequenceNumber, 0)
    }

    func testUnsupportedSuitesVersionsAndKeyLengths() {
        let keys = DirectionKeys(macKey: Array(repeating: 0, count: 20), key: Array(repeating: 0, count: 16), iv: Array(repeating: 0, count: 16))
        let cases: [(UInt16, UInt16, DecryptionError)] = [
            (0x0009, 0x0301, .unsupportedSuite("TLS_RSA_WITH_DES_CBC_SHA")),
            (0xc07a, 0x0303, .unsupportedSuite("TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256")),
            (0xc03c, 0x0303, .unsupportedSuite("TLS_RSA_WITH_ARIA_128_CBC_SHA256")),
            (0x0003, 0x0301, .unsupportedSuite("TLS_RSA_EXPORT_WITH_RC4_40_MD5")),
            (0x0041, 0x0301, .unsupportedSuite("TLS_RSA_WITH_CAMELLIA_128_CBC_SHA")),
            (0x0000, 0x0301, .unsupportedSuite("TLS_NULL_WITH_NULL_NULL")),
            (0x00ff, 0x0301, .unsupportedSuite("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")),
            (0xfefe, 0x0301, .unsupportedSuite("SSL_RSA_FIPS_WITH_DES_CBC_SHA")),
            (0x0a0a, 0x0301, .unsupportedSuite("0x0a0a")),   // GREASE: in no table
            (0x002f, 0x0002, .unsupportedVersion(0x0002)),
            (0x002f, 0xfefd, .unsupportedVersion(0xfefd)),
            (0x002f, 0x0304, .unsupportedSuite("TLS_RSA_WITH_AES_128_CBC_SHA")),
            (0x1301, 0x0303, .unsupportedSuite("TLS_AES_128_GCM_SHA256")),
            (0x0035, 0x0301, .wrongKey),      // AES-256 with a 16-byte key
            (0xc02f, 0x0303, .wrongKey),      // a 20-byte MAC key for an AEAD suite
        ]
        for (suite, version, error) in cases {
            XCTAssertThrowsError(try RecordDecryptor(keys: keys, suite: suite, version: version, encryptThenMAC: false)) {
                XCTAssertEqual($0 as? DecryptionError, error, RecordProtection.hexCode(suite))
            }
        }
        XCTAssertThrowsError(try RecordDecryptor(keys: DirectionKeys(macKey: keys.macKey, key: keys.key, iv: []), suite: 0x002f, version: 0x0301,
                                                 encryptThenMAC: false)) {
            XCTAssertEqual($0 as? DecryptionError, .wrongKey, "TLS 1.0 CBC needs its first IV")
        }
    }

    func testRecordProtectionTable() throws {
        let gcm = try RecordProtection.forSuite(0xc030)
        XCTAssertEqual(gcm.cipher, .aesGCM)
        XCTAssertEqual(gcm.keyLength, 32)
        XCTAssertEqual(gcm.fixedIVLength, 4)
        XCTAssertTrue(gcm.usesSHA384)
        XCTAssertFalse(try RecordProtection.forSuite(0xc02f).usesSHA384)
        XCTAssertTrue(try RecordProtection.forSuite(0x1302).usesSHA384)
        XCTAssertTrue(try RecordProtection.forSuite(0xc028).usesSHA384, "CBC suites with a SHA-384 MAC use the SHA-384 PRF")
        let rc4 = try RecordProtection.forSuite(0x0004)
        XCTAssertEqual(rc4.cipher, .rc4)
        XCTAssertEqual(rc4.mac, .md5)
        XCTAssertEqual(try RecordProtection.forSuite(0xcca8).fixedIVLength, 12)
    }

    // MARK: - throughput (opt-in: TLSDUMP_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter testThroughput)

}

// MARK: - sealing helpers for the tests (swift-crypto directly, not the code under test)

import Crypto
import _CryptoExtras

private func sealTLS13GCM(key: [UInt8], iv: [UInt8], inner: [UInt8], sequence: UInt64 = 0) throws -> [UInt8] {
    var nonce = iv
    for k in 0..<8 { nonce[4 + k] ^= UInt8(truncatingIfNeeded: sequence >> (56 - 8 * UInt64(k))) }
    let length = inner.count + 16
    let header: [UInt8] = [23, 3, 3, UInt8(length >> 8), UInt8(length & 0xff)]
    let box = try AES.GCM.seal(inner, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(data: nonce), authenticating: header)
    return Array(box.ciphertext) + Array(box.tag)
}

/// TLS 1.2 AES-CBC with HMAC-SHA1, explicit IV; `padding` (padding bytes and length byte) defaults to the correct one.
private func sealETMCBC(key: [UInt8], macKey: [UInt8], plaintext: [UInt8], sequence: UInt64, padding: [UInt8]? = nil) throws -> [UInt8] {
    let iv = Array(repeating: UInt8(truncatingIfNeeded: sequence), count: 16)
    let encrypted = iv + (try cbcEncrypt(key: key, iv: iv, plaintext + (padding ?? correctPadding(plaintext.count))))
    return encrypted + hmacSHA1(macKey: macKey, sequence: sequence, length: encrypted.count, encrypted)
}

/// The same suite MAC-then-encrypt: MAC over the plaintext, then padding, then encryption.
private func sealMTECBC(key: [UInt8], macKey: [UInt8], plaintext: [UInt8], sequence: UInt64, padding: [UInt8]? = nil) throws -> [UInt8] {
    let iv = Array(repeating: UInt8(truncatingIfNeeded: sequence), count: 16)
    let macked = plaintext + hmacSHA1(macKey: macKey, sequence: sequence, length: plaintext.count, plaintext)
    return iv + (try cbcEncrypt(key: key, iv: iv, macked + (padding ?? correctPadding(macked.count))))
}

private func correctPadding(_ count: Int) -> [UInt8] {
    let padLength = 15 - count % 16
    return Array(repeating: UInt8(padLength), count: padLength + 1)
}

private func cbcEncrypt(key: [UInt8], iv: [UInt8], _ padded: [UInt8]) throws -> [UInt8] {
    Array(try AES._CBC.encrypt(padded, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
}

private func hmacSHA1(macKey: [UInt8], sequence: UInt64, length: Int, _ data: [UInt8]) -> [UInt8] {
    var header: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: sequence >> (56 - 8 * UInt64($0))) }
    header += [23, 3, 3, UInt8(length >> 8), UInt8(length & 0xff)]
    var mac = HMAC<Insecure.SHA1>(key: SymmetricKey(data: macKey))
    mac.update(data: header)
    mac.update(data: data)
    return Array(mac.finalize())
}

// MARK: - fixtures

/// One capture's decryption inputs (see `DecryptionCaptures`).
struct CaptureFixture {
    let name: String
    let keyLog: String
    let clientRandom: String
    let serverRandom: String
    let suite: UInt16
    let version: UInt16
    let clientVersion: UInt16
    let extendedMasterSecret: Bool
    let encryptThenMAC: Bool
    let clientRecords: String
    let serverRecords: String
    let handshakeMessages: String
    let encryptedPremaster: String

    var clientRandomBytes: [UInt8] { hexBytes(clientRandom) }
    var serverRandomBytes: [UInt8] { hexBytes(serverRandom) }
    var clientRecordList: [(type: UInt8, version: UInt16, body: [UInt8])] { splitRecords(hexBytes(clientRecords)) }
    var serverRecordList: [(type: UInt8, version: UInt16, body: [UInt8])] { splitRecords(hexBytes(serverRecords)) }
    var handshakeMessageBytes: [UInt8] { hexBytes(handshakeMessages) }
    var encryptedPremasterBytes: [UInt8] { hexBytes(encryptedPremaster) }

    /// Both directions' decryptors of a TLS <= 1.2 capture, from the key log's master secret.
    func tls12Decryptors() throws -> (client: RecordDecryptor, server: RecordDecryptor) {
        var log = KeyLog()
        log.parse(keyLog)
        let master = try XCTUnwrap(log.masterSecret(clientRandom: clientRandomBytes), name)
        let keys = try KeyDerivation.tls12(masterSecret: master, clientRandom: clientRandomBytes, serverRandom: serverRandomBytes,
                                           suite: suite, version: version)
        return (try RecordDecryptor(keys: keys.client, suite: suite, version: version, encryptThenMAC: encryptThenMAC),
                try RecordDecryptor(keys: keys.server, suite: suite, version: version, encryptThenMAC: encryptThenMAC))
    }

    /// The decryptor of the client's first encrypted record (TLS 1.3: the handshake key).
    func firstClientDecryptor() throws -> RecordDecryptor {
        guard version == 0x0304 else { return try tls12Decryptors().client }
        var log = KeyLog()
        log.parse(keyLog)
        let secret = try XCTUnwrap(log.secret(.clientHandshake, clientRandom: clientRandomBytes))
        return try RecordDecryptor(keys: KeyDerivation.tls13(trafficSecret: secret, suite: suite), suite: suite, version: 0x0304, encryptThenMAC: false)
    }
}

extension DecryptionCaptures {
    static let all = [rc4MD5TLS10, aesCBCTLS10, aesCBCTLS12, ecdheTLS12, chacha20TLS12, tls13, tls13PHA, iisRenegotiationTLS10]
}

/// Expected values from a Python reference (hmac, hashlib and the `cryptography`
/// package implementing RFC 2246/5246/7366/7627/8446 independently of this module); the inputs
/// are the byte ranges written next to each test.
private enum Vectors {
    static let tls10PRF = """
        52324cd1b0228a564954f920b767ab2c767faa352534b52eb057d54bcd98e2a974244405282401aaeefa0ab36f4425b0ee95b5b585ba2f58
        5f551d32e0f39b9460a93761e3b84bab3f82e87e59de4444a56ee63de123f27a3c17e40d0de0d50559aaa94caee008f2
        """
    static let tls12SHA384PRF = """
        02e592b76be3cc688efa27b8fabce6f25d23f667bf8b94fcd88f1d4ac364ef6688b89697466e53d5044a3b0b86b3816dc09fbd1a1c3f4f20
        5e1138b3a361e5cbbb6586bcb7611bd853b1a7792cdf270e50e9c92f427e10d4119d56b19431ddf81a9c59926d201cc6b3f0d8cf39404176
        2d45901cae2dab2db0cb92662ac86de36b7ff958198428f1c6764f0afc791fc7c432c770
        """
    static let masterTLS10 = "5e87fb0b3be86673028349d512d626127d93e2f5e4301e476c303c2e703823b87541fe10dd0cbbe410bc034bf767df43"
    static let masterTLS12EMS256 = "9bffd46c077864d15aa998ad838076267d79d6daeff3d74361f58b02b478a08569bab1e663f68ea65b112da729993623"
    static let masterTLS12EMS384 = "04fdde5e3206bb0d2a0b443de28d964966bfa0c5ebb6652c5198ca892c9dd9be252da8d8abf5d1ff0e74fe7966e2d675"
    static let keyBlock002fTLS10 = """
        d9d8a29b87ffedc46da94edf782b76a48499fc80c2a144a7ddf7566582e583337f058c2c23e279cea9dd06288eb8ca1a4ea4d629b5d5b46e
        f0e1b9fd972298899636122a24bd3df34889e4905b1800e6edcf69b35aa873cfa492c8be7596ec1a25a340e818d144da
        """
    static let keyBlockc030TLS12 = """
        2a2bc4e4239714fa90c6f3df0c4358775ba524e7fe284dd69ece7a5d911196298c6d0b7ee6a3888a8185294122b580cf21e9d4c8701fb28c
        02ecf9ff1f16f78f5f59808f7441fe06
        """
    /// Client records under the TLS 1.0 AES128-SHA key block above, MAC-then-encrypt, chained IVs.
    static let mteTLS10Records = ["09fd090e91437ceaabf63da70c00534b52bc81c459daf2c74bc14bd3d7fc164bf0aacf9cd6e7d1ccd920d086c8968d27367683622031f19289a5c15669f8797b", "dc2b7cad69d7a82968ae35975826e9d6402d422345fa233af8f028c8ab98606fffeb546bee78015825ff56fc1829654d97f9004b8e199d22f4d5839dbfe6e58e", "f71c5a9181266f2b22371c657d49c4bab127a166aab9cec762537de5333707e7dda9d9f7a1008e7c070509594eeecbd7"]
    static let mte003dRecords = ["707172737475767778797a7b7c7d7e7f3670d3fc850a1237eea5591da7a1b23432f7868a8f3fc49ba1431d83b969fa846d6aba8b17b3e1a6e682f0c1efda3d5b2eef52cf52574f705b04766190d02b5c39698e5268c10f108eac18c7b2e56a04", "808182838485868788898a8b8c8d8e8f1045093d07e7834a20f5a90e1f0ce05bb2293ff01e13c54954a419ed2751e75283506413fef764febc95c06011a2720820ca5b5b892a7714d627b388281545f9"]
    static let mtec028Record = "707172737475767778797a7b7c7d7e7fb877c27b8518ae6dec889bbd6f8c72967358d04d0a213237228ce93c6fde3a0d33898b35c2f6581dbd419c750cb2fe38448be0a8e401ec804edda369fba74680d4451745a555935f0739ae49cdff8fca"
    static let rc4SHARecords = ["8c52736325e645b3c80e821ecf1a6a68fd01626bd83429c801", "7f78978011458192400adc76d3ffa07b4467c39b16851edaddaf184bc4f7ba3244"]
    static let nullSHARecord = "696e2074686520636c6561725e94a2acaaa6b80dc5a822d77c40e5a07c82eb1a"
    static let tls13_1302Key = "ab56e7ea07eaef99986a0f0accb58f3ac7db5ce322196d9667722ed2a63d8a64"
    static let tls13_1302IV = "fc4dc87e05fa4337db00ad3d"
    static let tls13_1302Records = ["f80f633c81e7d33864214a0fe6a3053b6536b07e426202", "988543f8c4f6f5a703c1251f37b91b12c4580003544f1687c245c59a08a7dc7524e5cf392bf3aefb"]
    static let tls13_1302NextSecret = "9e4bc452eeb9e7499109414487d6da7ce8db5b1aa75c7ef63008edb44e0dfbe3f7e1d8689e00d4e5859bb784f637fb74"
    static let tls13_1303Key = "c38a77665cc2c3e5ee40f5a93e41e3766d1096763860b329865168833b5d337e"
    static let tls13_1303IV = "380b541dc252b1f0618aea80"
    static let tls13_1303Records = ["99a1c673d3c4041904b780d86478d79f9a740eeb9d0b3cc0fc4fc7725eff7484f4", "7f7d7a2636bf477cc528761772b1ce35d5a88b"]
}

/// Test RSA keys: the capture PKI's 1024-bit server key (captures/pki/server1024.key, PKCS#8),
/// the same key in PKCS#1 form, and an unrelated 1024-bit key.
enum DecryptionKeys {
    static let server1024PKCS8 = """
        -----BEGIN PRIVATE KEY-----
        MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAJ3nil9PpSlPw/mm
        k7zz+evsA8FHmJL3Ifpx5AazK3Vf1iLjb3VPVdFNKjw1StqQ5wJH+nFH+Ro2FEoP
        JeQQdYtK1oq/i4WbLXaEXOI7IqrKk9xvT+wphEg+XrGWz5egzE9zLKSwrtT8cWIj
        1mUr5RGMr/PIWFzgioA4745fDy5LAgMBAAECgYBEYE4oBZoUcIkBYyOYb+GqSpI5
        sOIdycw54fWG/TD1a6GTi/7owoj70DlYxw755ENUVozZXvw8YGyawUJ8JrBvCaCt
        j4P7MTIb3d21C9qxAKaoeA/RieF38HIcSoH5ArhKlu0o2znu0VEdJuCuVb/Cchdo
        fJ+kAuXr6wLgsZgLMQJBAND2buD3YTSlLs9HA1fDeV6P2kDx/TnvSWCBz2m2zY3Z
        6MtWqNc7PM68+Ag+b2ji76IZdQpwvkVn2ZLtSwAAK4kCQQDBcttXnUF7WXrYo9uu
        RN8tN1qDzxWTEKmoScHioxvi0YR+iobyK5lyvb8qIKZLRmZZYdFTmBGdonxZy1j0
        J/IzAkA81GA2sQzlDGjyAhQhClBcjLfWTBuRL+1GYMOGXKa98n9oIhQIg8AR1sTF
        cZdxCw8DOzHtFiDth2u478bzexkxAkEAhEAFfExh6/Ysadb75JPpD3x8QQhd84C8
        u/RQvKRN+C7MqcYCo6Ty7uKRwjc3+NZUOl8JQGECCgZ/hNPkKGb2yQJAUx08ktKy
        ZnTtJmpwGL202IS9iJaq15Y4muD9tBU3eyR+kKOlOV2IdhxarEpwTNyl9h6cTfNz
        x7YS7fGl5OSIRw==
        -----END PRIVATE KEY-----
        """
    static let server1024PKCS1 = """
        -----BEGIN RSA PRIVATE KEY-----
        MIICXAIBAAKBgQCd54pfT6UpT8P5ppO88/nr7APBR5iS9yH6ceQGsyt1X9Yi4291
        T1XRTSo8NUrakOcCR/pxR/kaNhRKDyXkEHWLStaKv4uFmy12hFziOyKqypPcb0/s
        KYRIPl6xls+XoMxPcyyksK7U/HFiI9ZlK+URjK/zyFhc4IqAOO+OXw8uSwIDAQAB
        AoGARGBOKAWaFHCJAWMjmG/hqkqSObDiHcnMOeH1hv0w9Wuhk4v+6MKI+9A5WMcO
        +eRDVFaM2V78PGBsmsFCfCawbwmgrY+D+zEyG93dtQvasQCmqHgP0Ynhd/ByHEqB
        +QK4SpbtKNs57tFRHSbgrlW/wnIXaHyfpALl6+sC4LGYCzECQQDQ9m7g92E0pS7P
        RwNXw3lej9pA8f0570lggc9pts2N2ejLVqjXOzzOvPgIPm9o4u+iGXUKcL5FZ9mS
        7UsAACuJAkEAwXLbV51Be1l62KPbrkTfLTdag88VkxCpqEnB4qMb4tGEfoqG8iuZ
        cr2/KiCmS0ZmWWHRU5gRnaJ8WctY9CfyMwJAPNRgNrEM5Qxo8gIUIQpQXIy31kwb
        kS/tRmDDhlymvfJ/aCIUCIPAEdbExXGXcQsPAzsx7RYg7YdruO/G83sZMQJBAIRA
        BXxMYev2LGnW++ST6Q98fEEIXfOAvLv0ULykTfguzKnGAqOk8u7ikcI3N/jWVDpf
        CUBhAgoGf4TT5Chm9skCQFMdPJLSsmZ07SZqcBi9tNiEvYiWqteWOJrg/bQVN3sk
        fpCjpTldiHYcWqxKcEzcpfYenE3zc8e2Eu3xpeTkiEc=
        -----END RSA PRIVATE KEY-----
        """
    static let other1024 = """
        -----BEGIN PRIVATE KEY-----
        MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBAK586lxHu3eFo/zL
        xFZPyrzJDQ2HEeB0qnGXXUpfjhUo0fWKZzaKRaAhYXVDvi6RP11tPE/6pcBLWv57
        PJukcbvtS55aGe1VGIrNd5HVzanbSW+sIOzpiVxssEcPYB5mZjvVKyO/b+3l5Nn9
        +oWHh5odMrFwkQL/YwkTeHHlk7ZNAgMBAAECgYA2zFg13vlLEhdsPvpMOQbsvx9w
        TikZGsqknerYfqX6kzVNLcg4Yrh3D8SxtTK3ITqLNtEoNQl1GLVdEor4Pm7RFzpn
        W3KizZGO/xEI6unZIJ8ouoMKBfseZ8l/HW2E+7EwBMHyR1cnPueCOWax0wezbLPL
        +MoBw1mncc3MKtX8wQJBAOBQL64Zu1vrXin4gJ0Y88dytkzb4QZdulcVVyD/M9wp
        vpWfuLUFyDP60YweBO5anhhHcS2ZrSpNEAN1pSBifeUCQQDHIudF6Mie2MmfvVtz
        0651peaAYfh/B6hRKOs31G+Jll7GkpHOeGTazRaJx91jv2ynOGiHWdAbPmL94rwl
        KZBJAkBBVtosqo4q3kqViy9bk3MfO8jiZoILqq2mxC6XC/99OCOtzdKt2DtS+NKl
        L/FbxMWcaOMM12Dbm4r4lwI8hrQJAkEAg37c0SEiOSJWIZFcrmN9tFpUlzoaaWeZ
        Ed6/VCKHdIdDFkT62yhNEN6Un27HFnL1QIbTH22DKjpMC/KI4tFLYQJBAKhm/NEW
        gxea3+kysViFTO+oVh6MLurqRV0puR4yFIhedcWiRCqYVja7J/+p4t2H4vpxeJay
        TeGiDZyhP+YQgX8=
        -----END PRIVATE KEY-----
        """
    static let server2048 = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDIzTjDXUkNCKLj
        3zk+5Cpr3FHb9BNapeGlpxZFIga/ByI6W0A2NqsF9y6GwkgHMCrgKWjH8IcxDlZO
        VsM927QoFtgBPErpNnRJWwDJUPmcUi3TaSeI0jfhLBPl3mLilUrE42LG1C0S5N5u
        lYKS/37N2weQRP2l8+QRz4gAP3VAdqmb63ZQTLUI0VY+4waOiXBjC7KiQdQ2FtZ4
        M8zQaTyMxQ6AQYMfGQDZ/2HxF0zh8T7V/1O/b7hewgR3EEKr5L7zwFL3Ci2VJMDz
        EXstxV3TLOTq3utLc4WmKO1MfG+vRlHJaf81Rxx3Z3aK6F3Mil1M7lxixBw3o9hv
        KdgtdnIdAgMBAAECggEALvMW5MzsreS5S0zP0nXgOlBs/l/i35S9/fCjix4B1Evr
        c5gO2y4sjixFf2IxG6cmOzvLYUZKocxvnwj3xQCX7rCqqB1MCZu/FEC4Hhn2BtgL
        GW1yfjHiuV4IN/yng8Fy1jaxS3pkIJENNe90tICTCjg+XDvZT6JHDugGbUJpHJ1H
        nOVTcw3r+AxsCJAu/tW6w4wXhMQ7sgUQlzd9u4Lq1+1k9AZWkdXJddt5uA7Vbu6t
        YXtTEej2yo3SiR0woNaGMQUVy5ua+JH5WGZpihDNjejgxVZdi+d8NILos0g0PMdu
        gwZ3Ot0fzLivtw/x1QxUpXBrrxsXM4yEWkkN6x5ZAQKBgQD5AodhLrPdjePgYV3S
        B5GbhKPUSnP/wxqO/JKw83XnSwFWF5vvbs8GyidKuuTx21FfC16YINz5h7T0BVeW
        sUkqhbOA72JYBJ51Z7T1mycboHuwx+rzWhNox2Wji+hu2MJgZB7rwCwRh1ayAW7R
        Kb50T6MrpwYWFnaA2h7NClv7AQKBgQDOcEB6prA+P1UoOtTmJ/QkUifqFxHn6H3O
        4aBMpo4tQFLjz07yfeIdc9atfMPA612jwOjWfxn9nn40SyZ8Enqd+y3QoKPT10DI
        y9DEf6eVQ5ilZDPiyarbQC+KFhncV7NqB+Y8EeiBr9uiITS8icRrCanyx9EMNE11
        RfBSbxoDHQKBgGLxj0udXBkH/Wk2JyqCmWf7T4HWR7t0EgSI9dzcEJhkJFbKMMr1
        88tV3kECfGBh7jZe9SprvIJmWw+vY7tcHJ+J2ua7uA8TXsd1+uCw0txWa2+2MHSb
        8SRsPsW6nRQWiz3z6plwldItPdSjXx47gRMEZei9iFyUdmgCw8RjfmMBAoGBAJlx
        lGvWRIAwQRLjD+Z3YiAxNNvqA/Q1unWw/Z6b2mhGPJZ6PDtAWHb96F8RsstN509V
        j3wIA4ChcztZdKSac6vDzN0a2ksW31+hJ283V5A6K1ccMPjsX2QSxINGRDiks4Yn
        kvmpcgIbfgx31CQj3uyUxU7hOUByC/UUZDpRvKr9AoGAe1bpkPOomIvwCNOc37Y1
        zNZtLejwXk+FJGItG91ZyIdkxuwo/eRHEI7tZUoNSqsn9opi+lpGlpmhuN4WaUdg
        7fnHmWVPtHEEyza2X95KOqrIZ4O3vp3wINvj1DWbPIuJA0I6y9Qjagj/qWT4S3Iz
        MWFHzOqebIheDk6VjXxfC6Q=
        -----END PRIVATE KEY-----
        """
}

/// Cut from captures/*.pcap by a tshark script: the randoms and suite of the first
/// handshake, the key log, and every record each side sent after its first
/// ChangeCipherSpec (TLS 1.3: every application_data record), whole, in order.
enum DecryptionCaptures {
    static let rc4MD5TLS10 = CaptureFixture(
        name: "rc4-md5-tls10-gnutls",
        keyLog: """
            CLIENT_RANDOM ab8d224b72e260d529f35f9ff15a940ddd8f08e2309ad61a2e205aae34838679 727a613bf856819a15f21f0494aca401ce1d0e6210abd84799d01f69786ae19c29881b04aaae8bf1611e62ed71e4e03d
            """,
        clientRandom: "ab8d224b72e260d529f35f9ff15a940ddd8f08e2309ad61a2e205aae34838679",
        serverRandom: "7ab50e2cfaa747bb06d2940cce5ff9b9f69d03799999ad97c4f73496dd49464a",
        suite: 0x0004, version: 0x0301, clientVersion: 0x0301,
        extendedMasterSecret: false, encryptThenMAC: false,
        clientRecords: """
        160301002055ae5b483e4f641acc5356b651f0b01bb6cf119e3666e6552a270434f62d00bd170301001f7b4c0cdb668957b19a97abe0b941
        8b9d8aec6ad42dd1efd6e251e57f06f0e71503010012b9edc5b3768fa0e7ec0cfad8a073cfb24c2d
        """,
        serverRecords: """
        160301002087a7d129a5ebb9b2cae6a3500ba3d23be4d1bfc2613be3a3587c8999c729c705170301001f6f95ca376cd7cd05a17d5398388e
        d4d3f260880d586d520d02cbd1f2bbff731503010012ac802bc05cebc21d30bfacb4d3711228fbf0
        """,
        handshakeMessages: """

        """,
        encryptedPremaster: "")

    static let aesCBCTLS10 = CaptureFixture(
        name: "aes-cbc-tls10",
        keyLog: """
            # SSL/TLS secrets log file, generated by OpenSSL
            RSA 78fea4e8d59d9ac6 0301fbdbd693972155e88d1abf099beafa61a0c46a3d110df029602147adf6c089a1f75d60f16341d0fe38065d7340fa
            CLIENT_RANDOM 5f28c661f196bf4716daee57ad5762e7bdfb3da550875f73ab8ac488b84931cd fb1eef04a471d72abef6553063b22ca99b2ac4ac17b30d1855b275f176897e0f70b7f5b5aaf351f538305635fe9b3212
            """,
        clientRandom: "5f28c661f196bf4716daee57ad5762e7bdfb3da550875f73ab8ac488b84931cd",
        serverRandom: "5d0b4c7d5ad5a702a39c3ea78f1ff79293aec0e85adf823313dfdcf5097cf0a7",
        suite: 0x002f, version: 0x0301, clientVersion: 0x0301,
        extendedMasterSecret: true, encryptThenMAC: true,
        clientRecords: """
        16030100342fa694eca813d7cd605e6d45dc7ce8bcb00f7bf257545e795ff08935453784a8ee6aeb703aa7117b520b48f584846c5d5f976c
        cc17030100246d1dad119190f2bccabc8a7bb71450469a3a611bd07a593610ca678a3b9521ca513616ee170301004404fa98218d4d4b606e
        5f5e821e7ac9eca4bf6442555b7b4e82ad57a00b332a55fbfd835265527bce5e4c25047ca5d3aceb2b3aa1ee368aa894757c7dfcc1a2dd88
        139b93150301002443f8b55ddfba08b03ad879f860d1cd24e01600e6bf82e4d94e141ae9e4352c89cf7e052e
        """,
        serverRecords: """
        16030100346d43ee4038e441b4b80bab9cce9bf33ec9805c10b87ae31f4a27905a0975f3af729a95f50fda398e6c35d95658cd36de9fb77c
        ac1703010024a814c93ec21fc9589ecc0a235277cf9764a857bc39504e843b6eb6035ab6c3207bac621a1703010064919005100d70963d65
        5c95f2b969f35f258e241893d90b4e15a40ee420b9eb2894f92b8b9c1e2ef6e5e44be815a7d8e4f23ba3f0e8a635652db4060eba4792e91a
        96abd3744c53f67b5e6b01af100ef0dd65a46554c48caec90f0ea81a98239056520f84150301002467470df7d9ea5216c4350f00fb8cd23a
        13c2d8177b3864b9a1cd7d50475101406f7d5b39
        """,
        handshakeMessages: """
        0100004d03015f28c661f196bf4716daee57ad5762e7bdfb3da550875f73ab8ac488b84931cd000004002f00ff0100002000000010000e00
        000b7365727665722e746573740023000000160000001700000200003503015d0b4c7d5ad5a702a39c3ea78f1ff79293aec0e85adf823313
        dfdcf5097cf0a700002f00000dff0100010000160000001700000b00030a00030700030430820300308201e8a003020102021413374c4b97
        28390bc6af8031d8529b86ad616325300d06092a864886f70d01010b0500302c3110300e060355040a0c07746c7364756d70311830160603
        5504030c0f746c7364756d7020746573742043413020170d3236313132393031353832365a180f32313236313130353031353832365a3028
        3110300e060355040a0c07746c7364756d703114301206035504030c0b7365727665722e7465737430819f300d06092a864886f70d010101
        050003818d00308189028181009de78a5f4fa5294fc3f9a693bcf3f9ebec03c1479892f721fa71e406b32b755fd622e36f754f55d14d2a3c
        354ada90e70247fa7147f91a36144a0f25e410758b4ad68abf8b859b2d76845ce23b22aaca93dc6f4fec2984483e5eb196cf97a0cc4f732c
        a4b0aed4fc716223d6652be5118caff3c8585ce08a8038ef8e5f0f2e4b0203010001a3819f30819c300c0603551d130101ff04023000300e
        0603551d0f0101ff0404030205a030130603551d25040c300a06082b0601050507030130270603551d110420301e820b7365727665722e74
        65737482096c6f63616c686f737487047f000001301d0603551d0e0416041413f4d3d20a593fbe73ac387817f1afb3ac61062e301f060355
        1d23041830168014d1b72fb4dfcf0a9a08021398509195c4eef2a801300d06092a864886f70d01010b050003820101004e047f7fae918b99
        1dde9d8fcfc92bfc00a2488f71f82e9374da7c401a953eba49ccbfc419bcf363149c0051514fcf5b758eda4a90e217db6028ab2f7c1c1c17
        23facd34535b648cf1c13d124ebbc00db686dda58bf3f7df98b49c362bde4d7467d3b3e2386505552fd6dacee06052727acf55958bf241c7
        8753cd9f2700632604965faae917fb67b51c8c74400e4d8546008f094db4d828d2fb4763edeb9200370f805937c2df6a9d948ab74fb4d62e
        98463b5495b949dbd5108b07e4eabdd47797e54634f83c731023e7978a8ed9b7ee81ad7e7d83cb58646e738acc9c0cc554e1d033d223410d
        a20317b703c2168c16d44826ebcfb3a1940501f6122fef980e00000010000082008078fea4e8d59d9ac6edd5d296eed200858ca01767e4bd
        70365af8d2b2db851fcc9f6953d68c17f06108b5f1aea3799dd89dc408376ee63d62f49f0dd6c87e91853f5d0c9fb4876996023e2541d2a8
        2c977346a6fc7a599c2c26e255e8a7112ee019acef71e0aee1a04322fe20eb9b0cd387d41d5589ae9481a4cbcd7b09a9a529
        """,
        encryptedPremaster: "78fea4e8d59d9ac6edd5d296eed200858ca01767e4bd70365af8d2b2db851fcc9f6953d68c17f06108b5f1aea3799dd89dc408376ee63d62f49f0dd6c87e91853f5d0c9fb4876996023e2541d2a82c977346a6fc7a599c2c26e255e8a7112ee019acef71e0aee1a04322fe20eb9b0cd387d41d5589ae9481a4cbcd7b09a9a529")

    static let aesCBCTLS12 = CaptureFixture(
        name: "aes-cbc-tls12",
        keyLog: """
            # SSL/TLS secrets log file, generated by OpenSSL
            RSA 80209a14457dcdba 03038983db52d7b3b1fca15e2637eb28c667bf471b50ad408bee6e785a2881fad16d8df932b9b2a51f31e69552a874b6
            CLIENT_RANDOM 8a1a36c1bcdb744e82b6c87279db6a58c2be33fece7ff1af23d61dc8aaef1174 f77d6b429104e03406b9f20e20b91cb15cb94a4da52be2dd686298dc0dd4d537d589bacf609e0bb1b39c739d181f96cf
            """,
        clientRandom: "8a1a36c1bcdb744e82b6c87279db6a58c2be33fece7ff1af23d61dc8aaef1174",
        serverRandom: "3101b9e4e127f57201d2923091156bf7e27f296defe236f0bafadb586b7311c5",
        suite: 0x003d, version: 0x0303, clientVersion: 0x0303,
        extendedMasterSecret: true, encryptThenMAC: true,
        clientRecords: """
        1603030050586eecea8e9ad5f16154e78be038a4bd5b7800e0b62eee06edc0f9eb900e064ae47732c4cb6bbd97327d8e7de6f3d92569e02b
        a8a57a6bfdaab969206d7c5ca4be679a7e2fd38d4ac4e7e7a813a80346170303006011fefe45819287ce314d567ae8e6010f04586d7ecb2e
        16b4f31f66924433f52db1f8e510fbf0e5a30e29952691776d6f566d2f141e61bed5cfae81370bd5f310a5b5a254c5da85d8a8fd8c0a7cff
        1b8b45c873507b94e7f878c8736fa35ef6751503030040f6007b9b042ec6e9aa2309e98d481f78baa550f9c4491a8a828b6433ca1d0340d7
        d0035a6b08507530f1ebf9535ac1ffd5f4809e9b4377ef4cad5d881ec1f45f
        """,
        serverRecords: """
        1603030050251d8af269d88dbb5b8a57289de46f10a654236c4a48e17ee44cb27162e20393dfca274c90e5156ab3008ccf3bb1ce52d9a814
        8909980008c86b7c146f49b19187b81518b0330e10f6f5c80edb4c8728170303008009416e7ff59b0204a7d211b983ba0b9fbeb3f2c646e4
        5b7079d95f4d3112319207e805290dde7674b6cb1d482d129ec67b93ca246b07303cb00e00243d2b72bc95ee47dbda6833c3f3f1fcd0cdd3
        b1bfee4510e753da4772abf6d1686c299e02f36d399c82bc7af432082aef352e1e25bd8cdcc92b436ece44b1cf9053e89f3a15030300401d
        cab10babf201b3d1a811556af4901684cf97b72400830c4c560d96fa874e653493df6170a49b2b41a0224e0a386c4905460d80994dd5e48a
        0272181d844517
        """,
        handshakeMessages: """

        """,
        encryptedPremaster: "")

    static let ecdheTLS12 = CaptureFixture(
        name: "ecdhe-tls12",
        keyLog: """
            # SSL/TLS secrets log file, generated by OpenSSL
            CLIENT_RANDOM bb882fc05040c54bb1583dfbb80e584272e65051aca1f63ae5e1a8cde5faac69 d032f8a7374d499992c2d775878fc64f426bb07453d5bb8b00965bbbac43cc012e362904205cc19a8e5f600f346afdf1
            """,
        clientRandom: "bb882fc05040c54bb1583dfbb80e584272e65051aca1f63ae5e1a8cde5faac69",
        serverRandom: "df6047f0c0799e65429aad66464a8ca31fcfffe1c01543090ad98756cddeac83",
        suite: 0xc030, version: 0x0303, clientVersion: 0x0303,
        extendedMasterSecret: true, encryptThenMAC: false,
        clientRecords: """
        160303002869951c26d884a734262b41d3d4657770e1b81f69e64789008a1240a34ae2ec09d4c8fbed8ef16302170303003d69951c26d884
        a7355ba710185723baf54da8c9724ef80d7e4b4c470e57e80e04b17466389e15a0e9e39d168eeca920db2fd43c059a76bc57727b7434c615
        0303001a69951c26d884a736873f771c87de9399f56cd543a32298381fa1
        """,
        serverRecords: """
        1603030028e25fece4ae7bba72ec98512ac2b0bd68d8b96bba5b175ee2ee5d34dbeb59ff2fb38a33c44c0541d5170303005ee25fece4ae7b
        ba73838107c53a31f260bbbd15486879c7b0780e3f1f9b45b668ea0df0944508190bff81a22044ebaf94c499aba4d186c2f6ef32d606ffbd
        160966ee6d93645325b305a769d4c34e45f29c67704802d5b0efffc6b5cbedbc150303001ae25fece4ae7bba745a45e9cc556a1bb5ecaba4
        0e4a496d38b12c
        """,
        handshakeMessages: """

        """,
        encryptedPremaster: "")

    static let chacha20TLS12 = CaptureFixture(
        name: "chacha20-tls12",
        keyLog: """
            # SSL/TLS secrets log file, generated by OpenSSL
            CLIENT_RANDOM c9be8dff1a2bf306ae39f374ddea03f687784c26fb89fc79bafd67437c18760a 1032d0832d1ef8428ca7e099ea83568f5376281eb2995cabab69e7744558054e157bef43a122f131e1619fe97fb91cb4
            """,
        clientRandom: "c9be8dff1a2bf306ae39f374ddea03f687784c26fb89fc79bafd67437c18760a",
        serverRandom: "2f70b5c5024e9ceeb64f8230f9508e5a6a618321c9d6da08746b2f6fc53d3067",
        suite: 0xcca8, version: 0x0303, clientVersion: 0x0303,
        extendedMasterSecret: true, encryptThenMAC: false,
        clientRecords: """
        16030300203b86f93e12867a9faf1a26d4e5aed12e56592acf076bd0d7969c91cd1e3ac8d817030300355656cd30ee23c5a7c218576a58bc
        4d9d7e65a1b4f8fd36a243b4728e0ecdd1b40a7709ba61b53d50d00267f67cfc8a31fdc2b3955f1503030012e90e6cf6479e4c90ded75d20
        d2d9acc2f762
        """,
        serverRecords: """
        16030300205281f7449dbc95bfabef7b335eb78775a0ea45fac38d147c9dcf0e064cc0434b17030300566b41581a740fd553f47b2ca7aa7d
        d254d57814e3a7147ce9615a578b37d46c00987705340a4a45f7fdafcc035ac54b33fcb1b2f2c31802403f4a0c79a0b2af8cd0f127544f5d
        a8aff63601383bb95849c16bfc9247de1503030012536bbd28999d7b7727115fdf9c24cd4cdc59
        """,
        handshakeMessages: """

        """,
        encryptedPremaster: "")

    static let tls13 = CaptureFixture(
        name: "tls13",
        keyLog: """
            # SSL/TLS secrets log file, generated by OpenSSL
            SERVER_HANDSHAKE_TRAFFIC_SECRET 04250bd89105733863b7ee2e4c745cc9f4ae8c6ea66910084e9e0785217175bf e5453cb7973d9f9dc2911b510e8a27153fed313b0909305a327c420aa6724e5e
            EXPORTER_SECRET 04250bd89105733863b7ee2e4c745cc9f4ae8c6ea66910084e9e0785217175bf 04eefbdfe0d3dd5d1411900529fe24ed730753462cb674cedc880a43e96c1371
            SERVER_TRAFFIC_SECRET_0 04250bd89105733863b7ee2e4c745cc9f4ae8c6ea66910084e9e0785217175bf ea7d92e7406eaedab758e0bf518e9f9217c6eb252c677129f3cee8e8de2f38a4
            CLIENT_HANDSHAKE_TRAFFIC_SECRET 04250bd89105733863b7ee2e4c745cc9f4ae8c6ea66910084e9e0785217175bf 42c74befa4e6074ef4fa232e0b1a8164d90781f4483abb9fc7508a933b2bf26b
            CLIENT_TRAFFIC_SECRET_0 04250bd89105733863b7ee2e4c745cc9f4ae8c6ea66910084e9e0785217175bf acc3694e55c9663fa0f751c405d7d76e7c9ecd24a6afa257cfe156b1686abc3a
            """,
        clientRandom: "04250bd89105733863b7ee2e4c745cc9f4ae8c6ea66910084e9e0785217175bf",
        serverRandom: "7cc2ad2ffcc35d8319de1878052a05aa70c15ae33957c1f1f61ecfa63c9de6cd",
        suite: 0x1301, version: 0x0304, clientVersion: 0x0303,
        extendedMasterSecret: false, encryptThenMAC: false,
        clientRecords: """
        1703030035aa3781d4422a22cbcb8299635b7642d59636ab1dee865cc715131d5995f68cea75b03dcd2cba28540cef431a728780ee7bca4e
        4fc21703030036664987b430f3c160cc0ae615a602385774c4b7ee81b8e1de6d68ad85eb06ef0dc3ea35dd804b0bd7458f8074d73eece633
        a64400d3411703030013801483bce955b272b86ddf8de8a5f68c0a1904
        """,
        serverRecords: """
        17030300174b1bc533167b93d2fe2d269dd6eb18257cbb8bb1e3e5ef17030303a667bb425aacb2e0d70bb5f1412a163743cb5a14a9c6cef9
        611cdd73a6e164e7f01a2bc442e70841e4052f85315da354fe56c063dfdab71015c1c1b952d605442b4da29bea201bf339c050a0836d8091
        d6b5be6b142c354fd2b16cfdc560cf7294df93a5fc9274c30373960bcfee8deb99784b5aee7c32aed8aef6ad0cda935d4b504af0a011b7db
        50833f26c905a8f5d895bc3d71a4832044fceb3d234dadf3172327675afd70be0196bdde3112a45c4afef1627aefb3f5cbc151080efad43b
        c66bd860f32194c7c1e24158cdcd7ef4d72ede9e86c188decb3713b03f0941ba0b321d622160f1681f0560fde81a57c3c908b5c91923b4ff
        bb84280719b6864c8c82c41be546aa513147d03cff09d8827c96f2f7473d245d86626133d13737c2d4b446d5d70c6fbe400fd7a252bcfa02
        64eb984161d06dfffe0780b319ce33ede8700c9f9d51fef79831f5684ea08295476ac3eeaf7c0a1634c1c73ba09922a1173d59e44baecd1a
        853a5727c9bd1dab03d99133691218f255b2e0a062b1da99003e65b5db3a20b97afd8575a999028fbec1f1e1189b887f28aad43f66068559
        3df971432f53ada82f1b1ec66314bdfaaeba13b39d2bf2c768c627d9aff14cb37e1f1e5af6f4f6cbc887d01378af4af1bd002bb12de19041
        abfc5f6d52b14920baa84707d4495feff855f46e146055aa38a48fcc817f9e313e9a9ec1697a77bdb2f22a9039e6931519ee187abbab2374
        3d10d43abd5a53c7cc572563560ec7ab53ac3831b660053d8319474f395c840f0513dd7db2cf21e850a46756adc288ecc8ac9dc83210eb29
        8ec729ed2115b93e02336d0bf3b9145955d7874f6c6aa3a0a5d2bf7211b54f5626469f60ab8fec23ef304999dadd67b409bded767115681b
        72fc1abcb19dbebd0689ca844e8d2ed7174ef8b4339c49772f22b8487d723fc57db7b38c9e498da7d4152b3546d417d3fe225e2ec99bf755
        ca509deb612040b52309554a964b877e994f8bfc39b4fe707bb00cd927499c7027bb554cdde35d127811f60113bb5e53f995950c6340a3f5
        8ff0fabeec334256663b28ce6334f8ecd015fae22fa22d989e8183c81caff299da1c3982e4ddaedc1d598de9261d14b9fc72b743a5d6a062
        5494fcb60bf2a673351d1c7b5de01df42a2d27630d5214867ba55b0af97b9ae22bf9f29b9b8c2403b977c7dbaddb82416dcef449ba402a49
        0b45fee9c6426a4292a15c3faa6e4b6017940f044c0bffb632201224e294a460f325d8c7da4fb846df667e33222f53a77e33e7a1ad29e540
        e1cadaab01b78a5a90fb26cacd0bd617030301192cf60c619e5f99793fe81559f512bf31a5587c315a9fb7382dcae5f7f369072e60129d69
        6496212f5b4a7ee61909b968cdb688195be120bb9fca7bfd90ca3c019b42379141fc1bb42f05256f4d5e5646a54f2b1c75aa954c931d21ce
        53c4e3d7d502b52b01d7721fb3870f9e6e40e55686afe0ae544cdf4cb65b72e9d8fc79381b1c654b14fb0bf6e53281fbc963ff9993a3d975
        b110d21d09625f1b1a1c9c5681fa8e4802183d16c80d3875b6a6bceabab2cb63b2f5991bda0a8379a843100591bf05a3005faa9beb36f47a
        bcd4ed83412c6d8562c23d0de27e7025fcc2b17c5e65e5e2911d38938bd2f18e97f2e35353610ff0b6a12ec78527f95ecb6c5a2a4ef7e194
        cea0ff39d184dfcea5d397faf5916d845df5545d23170303003511f84dce1fdd5241a3dc27a593e6d71ebc5b50af5370c4a98ff6d5638156
        1e8c3b6c87b0761edb82ca99895d32b32c97c84b02711217030300eadc046917f5f4fd95a33669d7230dc852c37f400e42ab48759c3f012e
        09d760ed9af4e520311b187426b99c737dba5e15ac433733e08df108b67c2612e0ad59be6a7e5513da918874dfa3e54b9beb9eadeabf683b
        fb0cc5c9008865a5933d27cedff470b513586898d1e928e040ffbdc14ff44c2ffd8c89ab272f8ed3b76ace9bfd96a49b3687477c323cb8bc
        e84bdc0ba0ff8e573dae96f6560a38ffa4e351dbe878393fe6cdcd3880b1ae2d8210477120ddbee733872d56f4dce6b62ee12f556d8a4113
        2c67f3c7fc8f79f43591e7b4fe2577bcb8cfcf21437f8fa3488001212ef2042508093f04cbe91703030057088cfc1c74d94b9912507cee49
        5fc24f14317292d7b18611b9cb77afed00ff16dce56518c253fc72d2eece06d0f8361be9baff2884ca3beded5ebccd321e60e856bf87b056
        1e2785bc9aee78525340de842b6b2308c3cd170303001393a4a9927379c0e1f29058d54f9dd52be43173
        """,
        handshakeMessages: """

        """,
        encryptedPremaster: "")

    static let tls13PHA = CaptureFixture(
        name: "tls13-pha",
        keyLog: """
            # SSL/TLS secrets log file, generated by OpenSSL
            SERVER_HANDSHAKE_TRAFFIC_SECRET 6b44b00d6a9b3a81ebd70fd05cc305b1ef8d77225b3aff0356a7fecf158235b5 c854f980f603d1164049102b75ea0522fabf7211fd4ba9ebb2a0f8ceb2dd2594
            EXPORTER_SECRET 6b44b00d6a9b3a81ebd70fd05cc305b1ef8d77225b3aff0356a7fecf158235b5 446cdb92b7ca099d058a5f919e10ae5a1c13b4aafb1dffecd1af9f468a9b971f
            SERVER_TRAFFIC_SECRET_0 6b44b00d6a9b3a81ebd70fd05cc305b1ef8d77225b3aff0356a7fecf158235b5 38ae66f6d5087c5f987f7556150fd0a0ee08dc5300fdc0d39d228ecc723e3f76
            CLIENT_HANDSHAKE_TRAFFIC_SECRET 6b44b00d6a9b3a81ebd70fd05cc305b1ef8d77225b3aff0356a7fecf158235b5 82b1444afdbf787bbf5da90392277ad05aa55299bf673dc0fa3d9a3a30b73a31
            CLIENT_TRAFFIC_SECRET_0 6b44b00d6a9b3a81ebd70fd05cc305b1ef8d77225b3aff0356a7fecf158235b5 3389e7d63b142e41ac59b1e3e6e965904250458f29e4fabd4912fbab678122f9
            SERVER_TRAFFIC_SECRET_N 6b44b00d6a9b3a81ebd70fd05cc305b1ef8d77225b3aff0356a7fecf158235b5 1ad5d4d4edea2d5acbfd5d60b2c7425e289bbe4d3a96103b70558ada3cd1c70c
            """,
        clientRandom: "6b44b00d6a9b3a81ebd70fd05cc305b1ef8d77225b3aff0356a7fecf158235b5",
        serverRandom: "e3ddc4f7b01bac1c8b285bd214baa7856960c0071732406370c36a221e543943",
        suite: 0x1301, version: 0x0304, clientVersion: 0x0303,
        extendedMasterSecret: false, encryptThenMAC: false,
        clientRecords: """
        17030300357c83369ab03e7d88e5257520b40ec4d50ce0df7529d9696328515930865b99f1c129e695606a31456c19f7e345a4c94d30da2b
        9f3a170303003666b1e02349e16cdda15b82e367e95f7970f0187ea482ef6f139cc897b7db6cc8e900ced7c4b40302712724c369f72098c3
        056c426ba717030306ef6fb55e782ab15d060d15b5f887f3e7acf25b61e7434c394b51e8154c2d1707f7421deb67d5aefbe30f00c94f09bc
        b616beb1fdbc59843e4b9feca90f807bcc43ee918e5831fffc2a23019158475f20fb063e0ecbd321eb36fb54fe69ed45d3a28d948f7340e9
        26c8a8573fa35f5d0c1c2f434bf10019410b4f88a3e23fcea588114b55c2d3d1fc3b917af8a623ae05399d6d2fe3ffe3ec21003a8885df1f
        17d48b13775677c1e8026d368224e7f80034349820a6748a9a15c64bde34159d8770f5f028ca24dabd1d4607a8d492312acfac3322c9a7f0
        565e8efaf548951a37c3f4277166ec30ac1a503331a726b5c446ae9cc5fab4ee0d9cdfb02d9c9debdd5e1fc591a781f6e215e6c31cb5bacd
        74b8b0226e9174c685293b31c30706906ab073e7691e5f6abc922c7b00e3f778b7381aa1420b09e92308e07102c5ed0d2e78e36c06c5d0ad
        c64dc2bc84c8bcc175c8f87210059e1fb8ace404584c68090922f1b6f45113a1c6d3fdef0c42d16407e52b4716822e0f79c679074af31fb8
        efabd25ca840821f4aff69c8941318a51199d17516284f2e5f81ade41effbbbc8bf8cc82fb5ea1a23a7f8c9746abf74ce535bae110145297
        0f0398a252359f85ef54cbf22a3ac1123b4b4f758b612e2c0f843799cd48288376122ca94a7d999c9ee426b2a7af1235265bc3e81da4011c
        c289f9abcd5da7b44cf8a8c35e5fa1b5749184f13b7e42fe68ac4b690caa718042969300999b25136b805ec6d8fb129685c5e157f83765d2
        b8d3c3057d88d76661275a5510b4f89a6a936f0a067c319a3b8fdcb0222170356817c3069a24373086a180c8964837d1ec4e3f29c138efe9
        7ec7002243162c84feb33cbf44e129ae6cec4ca72f50fea3f019575d323db2c4548eb209e1832c9f3f8447d07ff1f12cd466f904a3bb1a87
        70255491f8e436c5fcd2125104865bbefcddc5751f14b1cb519e20b41ac1f71a39b8782834b624470209ca7fed372c82af15eed439d7d2fd
        afeb79aad92c9e82eb6cb522dc624123dcf06d9207e45d1b63a979ec79a20bee0b7513bad0544b2a62e658aea7d023bba25337fb162e4c39
        4c231e161b55ac158913b0b431c3635b5b9b5507a50d90e93a87de55823a72e26bd23ae18b23c95807e56f62b11c81508bfa9ffb946a41f0
        e69d1c20c212de5394dc3436bf4bed0f41d8f5423ef990890d5bb8d7f5340b6371cb069e7a056e263e3b01da78dc088ebf4f191da358ab05
        a819a6d4cc2195d387d27c0ab182992607348b2bec70546c421279eab1fb9b90bd44544e8953dea72ada05afc427eec0948a1cda02a58f43
        8a1fbfa4ccf25a08b6ab969eee6a6063a9353bd325328bb7bee0037b19624323c9e53e7987248a1c2ffe94877b87cd67f13b2f861fc457e4
        c3e4fef34af28a9f92693490b0a149754ba5933b638558df41fab2a6e9684dd6c0f0faae67d93b0f5f2670568f973b28f9ea6c43ebbbb51b
        4e05b9569d4fd2eeb15b2bad7b5309d22c8abeb9d17d7a1aa9e175735d3b289648e455f1cc1373015e32a8609d012b42c39465dc1c3ed2ca
        3ed5f56d7e725d50f6f9c237a9e69f4de601341da318a12e42c225bbd04b3dabb3a8f5780428a2d38ea7f103dd4ef105d30b0d6c899f3e60
        67798f69ed3046db79dc145dc0f32d68452773272aaa2f2c33f77350c9e2a0de321a0aa45d3084230fcd955ef95a629c32229ed66574f001
        9edfecf4d544779ddaca368114c61fc9c86bc8ef191f5805c273ce2b504b76652aafaa6d9c5804e65b032115c9347a8621e881bd7e4227b0
        da52de3ca06fbfc81f83bff16f678993edc71ed3d2b0182e7414dcd74d17925f0e8f01aa39fc5948480b0f2bb489f9e4370bfe2cedf9f5ec
        27dda5b3f0fec4ca8bad77d022d2256ea50c9a8c83322adfba3d0402232c2b6806af3ad233d69eefbd0d204a22c88e3b8a292ec8bbcdc41c
        2e0db333367e7ae0d258495c9d88edf540e75ee4870832689505393c38f4fc7d772b77e35938ac4820cd3d154d4236c225f282d3760dd8da
        c9aaf2053e8041bc1789f6c84ddbb5b5203048722537eea43a5e417bcf11e73b05ece32dba06963b6abe05424a7a2f35bcd8df49b5dd313c
        f9358f1f2653e57244da54d568287f46f5a727e44bb4c47a5aea8dc5146ddba2ed560f5f2034402e2f71895f5b90f1c17619b838819a52eb
        c2d3ae2c39bb7c15ecd754f600154b0a80b6d0e67501b4f5c5f48c3d0cb93392fad1478eef4db402238bb1ed3b84496910c59ddaf406c8e7
        5de9333ca4689c21f6fccda9ef449170750650e8ab80b2dbb4dacf14345dd27aa959f0fddd752d48b7829b8faf80b8fab496e13617acc88f
        971a80b44937c42a49e133070e77fa573c2675f0c18e9a50121571a22e937ef98a99a5895a0c669ae0cb53feb9322e80d2f559170fa5ec48
        0e71b0d8a306d8f3fc48911c1b4c8ebbcac8ecb96a64537b482d48c91c50212083dd65b60872a45b55292079e956f756fa17030301193fcd
        e485ce557b219d43173e56318e792c5f1f037c46a8fa1b06c194a227dd366ee1ffe1a26a002424383c87b5c3d83e706675cf4d80d5dd48a4
        c965e16ea95a5899b389c3c3084bfc98f7dd32322f1a1b2939d2a1a148eebb64d9fbd4a04aab64e11c3b452c9fffaa91828e2c749b7b7c3d
        e7930fa5fdcf829b8d417cf722a8d4182f72eff0928804a63fd82a4d4106d4d4d58db4f319c0191d88a4ede61abf47df8cc9ff25437003bd
        a1a255d4b09bc6bec638b3c3e980f9f47ec4b3360a72a33028cf9cb32b752d30f33789f3d38c838df84e3b641d7608651f6e994e2eeb88be
        97309113e51012edc776e7aad364fe6f5beb80f172e671c37a1245462178822b60609a0bee9545b67a2ff44aa9be84c59a14f945c53a5d17
        03030035d48bcff1e09971c12581551a6ff886186457fd26df6f18c373d26f64314993f344d5b841782c906d7e0e36eb260d43cdcf853775
        2d1703030013f262f9205315dd7205aaec5e8b1944e912d289
        """,
        serverRecords: """
        1703030017ec3de8cf067c06bf5a585598a2530367e11d79105234ff17030306fae98e3d1f1c5df059996654409882636c5960707d2701fe
        5237285a0143404fbcfdc966243542bcf9de947f1f25b1185c77e3d0f3ed5a775871a86bd92f03bdf19b108f923afe11e082c231a8a94d8f
        9c82206b4ba814e8ba2d2b4c7f89b5454f02f47f9a685201e78c7aecae77b26387c27bd3e8436ff5199440cfa61ad923914fc7afd35c031f
        067965fc10681bba8f0788132c11b08eea5ed8aa2e266d18465ed67389633cfa2879888960f5cad69787db4e086e95d6f361f9736ac172d1
        d0162fa5429baf7fed63b81c834da9f2ba7eab74f1ed0b982830a3bcdd9ce41156120876bb4596c68d790607d3f9569df965515eb77d8e6b
        71b294cd4f8fa016eddbfcf66af658ebd1877df960670428cfa81a296ee90c4108a6d1057000744e9f468c7161c0e5926b75bdefb4deed09
        91f1667d366a0d10fd67a30fea98cfe77453bc763679094f3b0617a1f9f26c21c3b237b8fbf0457a85fd806f8b4c90eeccd0c81b90e3a082
        cd7a65d74a1ce2a25d0b9e250520296fe78848963a09a7834b5538a0d792e8f8347827f25ddb6bddd3ddd9eb42df5784c2e891384c3135af
        7d92bb30ef8240aa3fdc9047b47b8df1c7f12a1c7b238a19074bfe6b55593ccc2821fb27af46c65c910c1f5cd74736464388dec98cd8cdd8
        ddf71d6a9275b3c22fc6d1635187f585eb9f5ee376ee998be698166f7c8d41575e977d12c43ba0e4c91f5d32555f4f473147f0fcaeea3d20
        df3d97d54ef590c8eb567907bd68fa2659822d1c69f8639cb86dafdf8c3ba0e230f1fe422d32e4941d0251fe906236ebf36cbb56a6e9994b
        d99dcf9f7ed8c25457c4b92f159477821db29beaf6e4851d9b43eb33d460e68e1490a841303c8b4852df1713a65a0e276d1be79693f403c3
        55a6e3e83b6dc08d7ff971361e32632210abc1210ea63371e4ae8be527a0d89a148dad8edd54ef0f03f268fea417d3ccdf142bb03c31f577
        002f3e4015d3efc13711dd3b8c593cb3e3ecaf5300cfec793f4bd16e08422ee4ca0c60057f2b74be244a91f415ce5458482395816a757ce7
        a6fcfe1d8905e27264e019c57d4d3533165c01e7d34e431d324e60b980facecec58b48ea2d904de429c1802449df06673ac1c286597ee316
        14886b95d3fb508fd273cb9a6237545c961b4078445cfcfdfabe3595d9364f7a3c78e24e568e6fc6b935b6d9057f23b775257851101eeedd
        96cbf21d24626d0b72045b3c5e61c06911d2216e9f85b65739f7ab7cb6f732f5d22c9ed31e9f47ce14029b2a7cab9a777a2e195f3c36c7a1
        12e05c092fabcbfdfe34c0c624e37b39d274c6212bc9997addcfc2d0e9727a9c75911daec8f6c9eb3841dc41855b35ed4bdc3e6d1d415778
        c91c9d51f999e81dab8adf341c1c66856a7cb22b8930f9758cfffde8ed266aa7dbf6533d2c1e3be82826e622136b73a5bba59e42cfb485bf
        697d621aa9483c55cac8247e7e87f3147a3ddb99d31d9c77b6a227445640273b0a676db98c16001dd6c981b5aa8a9ecc42443c39441b3e93
        73fad7aa5f797cfe8d4a64c4694f64713cd7958d35a889d71425b34e2c7142fafc7da56cba481b093ab49cb2694a7e401214dd938bd201e3
        8e77dc6ae65cd90afa2b98b9f3386db9ccc2a461fdebfc34472d73765a8bb201f40fb2c2dfb60f212087151c264761c81fe9777dbfdad4aa
        1ef6ac94107971c8a00c86a482ec307d9d58efa253fc4629a772487c37bb6223ac01a39a6952276bf5e9b6da3f4ff268c7f41bcfcd711a5d
        580a7a0783bd03895aa1c6d3dc5cbf9ad489c9a197d78420173567fe1677667cb424b908f2b53cf5332e1acc85f3e82d818312040c458f83
        16f381ce36ba8f1fa67f2eb6a4240a4267807d5c0d28ab0a4fba36bf59ae5a4dbd738cef126577bf3a59b6c5d7c14ea6ee04f32c2df8efbc
        f226d238b056a74cf41aced752bedc7ddcd8caced03b428e247e03aa2d132dc3e892eda737b1bde12936b6ff692132e2d1d0262e7703c5d7
        1b1019e88cadfcca449d5c7621c4e06c328bbf576ff890cef982e65555d05a8818916d3c9e8ffae7069d46d622e04df89fab9446a8adb659
        cbb32aec59b75b65cbe204c831b3c8915cdfc1721de3196dd9312fa549c9a90daff1bc1bb5ae33ab6742a7a078aa471fce71502c7234dae8
        ed8101d37226c5805028df2b57e22dad8d6bfa21e6cfef29253fb3b2a03eedd58f72ba3ca5032e9a50c9f070c1167064f6a084fd9db7dd01
        c65f83b91b3bd30a783b92297e981ccfa91e6ca93fcdb700c03485c78598fb7128578d530e4c774093a876701b253f7cd6628bdcb5396f36
        1e85f916e76e833fbc16f3993ad545d2345868c9f18aa85473e56367c7684560db8adcf0951b9fee483b78b3ca2fac618e7468484d22d13f
        38b9e3b366e3c2e189a868b430542101d23df4ab849ff04f6c8c8ce6b3e095a5f11716719ca7a9f528c4ac39acb284685eb7bdbc3ab5c46c
        25d7856bfe415a14d09ee947a847d31880a165d97c529bbc8786e417030301199c5003d833c3ddb683cbdc1f4d2f6a5787584c21644910c0
        432bd906f5b66624aa5ac5a9db26da5f4b1e702010ef6ff7661d64ed4154a4069f14dcc38c3efdc4e87959225d40b13a75fd919500b10106
        5fd5ae86d0bf1cab5da734af393f0feb99f5ccb5823a622e346593d4b1196e331f91984da85de4e5a70ae8f61e136944ab11a3d8cdff19d1
        13ecac2772f4959d9f26cd270eee75d8cce76fdf71d6ed7bda29672b20b20e7652338f295b784513ba2f99595e7e2ab462ad0b645d67d359
        f302c2db5cdfc6a3692a344bb7ac087159b4f283975139cd8c6d2025aab4f173d1624dcf5c4f7a2a4322d3b3a920c4eace4451e3055fec3d
        b90646498fd6f6f852f0a4b62cbea4dec12cf074c05dd4ab061f044c829e5c69561703030035b2445525364502fe809a395e4faf8c14c0c8
        40488d5ada75132d9eb10806682d66e3cdcd229f89ca21542525452e794ce49e5ec87c1703030094add9a82e31b2ae163d236a826a47d21c
        9ca7b105f6d7c48986c1a66d0f4def4b566b51885262fe44dcddd49c32cec5ac74a9b17acf56414c84310fb8afb95c266682f324c0788126
        de114329937d6c33300a4073da3a2d6b215741163c1a246566253f33c8a9dfaf42e1fad6730710eb561096808b5ceba421763fc3687fbd45
        6a085aea827b8715b0a8916ec20a66e04096654d17030300160d258bc2fc1da2658345b714dd20d6fdc7bbd01a5ef11703030057f12f139f
        d8b4b2c0cb5adf838496b91b223a4f923031e3659e927d6f975d1bc0558efb125a0fe11143393dd327d79cbc88a5fc2be7ffe0d252d49a91
        bd4a64b783994de32cdb1357c44b67774c405a7c1bf7ec00ac53a41703030013d5818d785a702d3620f134313881b910beb22b
        """,
        handshakeMessages: """

        """,
        encryptedPremaster: "")

    static let iisRenegotiationTLS10 = CaptureFixture(
        name: "iis-renegotiation-tls10",
        keyLog: """
            # SSL/TLS secrets log file, generated by OpenSSL
            RSA 87ad80d99826cbad 030172b8e324799136d42b6e918fabf799b958922402d7acf85e1d9c197e3ebd6fef42e85fe96690118bcab4b7b2b631
            CLIENT_RANDOM 63674f768b77344aae770e1f2f5ae381980b2dbed52a3ddc29961344ff758c67 ded64652f698ba42b9c391cd25c6b0bfe0f92d0cd32eaa36eeab40a90df64a95c9e0ae55e2353ea8fc56302a1b26cc9c
            RSA 98b60cd54a824f9d 0301aa7650f63d31f29bd73e96c85ff90473453fe0197c7a7db17eeed0f52a241d18a55def14111233eb741c3cd7f4f7
            CLIENT_RANDOM 8550909d80a37a25a2cd5ad53ef1576c053d3fbb97c7e05e941818cab3d1c2ac a42a9f447cf1d6acf0989cca5cc14ce2ed4d06e87c271ff94c76e64e6dbd76b10c87e09cebc2a98c4bc28753dd49185d
            """,
        clientRandom: "63674f768b77344aae770e1f2f5ae381980b2dbed52a3ddc29961344ff758c67",
        serverRandom: "61f3f2cec35a41dd272c03b00069dd7c59c12f5b99377c2dc43854c9214c3b99",
        suite: 0x002f, version: 0x0301, clientVersion: 0x0301,
        extendedMasterSecret: true, encryptThenMAC: true,
        clientRecords: """
        16030100343f868613a7d86f08b27cf422221573b704e0ed88fc944215b62e4724fabe849fc35700e5ca0f3431dc0bb25db625d5ca32586b
        1c170301002442a36bf64ba02709681471cdd8f1714f1fa1984a3f8be540ea2ef0778ad082810aa6bdab170301004475b605452d5af54ce6
        344c18cc58ed3da9dac9eb217230b83e66eeddca8f436b49460c2cb77fe8439ed6e148b69663daa9f899e9e05c44a170e73b0111ebc4e34b
        c6411a1603010084bfdb983cc4fc68b6a62633b747c658cb016d3edb328514aa8baa93468cffef6ceee34e4c2a096fb030551a22e0bcbcee
        9482109fb6cb4a3475ea8b71b3cffb45fb98b1318c936c541d953fa32045a512874a45054b1647cfd7e3ae38b09dd18eaf8af06a0929571f
        f2cb6e6c49f2e80ad9794bc2937e37c0291ad228652b9a5b8aeb0c7516030106d4ea6ca8f6a0894c048619ab739c2d38a808f64b2e888e27
        7e502a103c3e10feb9bfce3ec0b7bda71509c87958ca8e8badddfef622c741329c453435c25edd6611b7a11cd7e83c16c0bcf59b4f935476
        ace38c58c8059b7988e865e3f7a076acc9c15621395dfc32101e816753a36349682c5a12ae05ccfc5f8e2edfbf88b8af86a443b5cf110fa9
        4660e48b8e596b7b0e2f23daadd0a3cf26cb3a6fbfab1a0234359bf7824a6535056d1a2e16448fa2f01fbb41b8362ee80e909ca3f392ca7e
        aaa183f85ada7aa83645a95edc087fc0b97eaa4e98a61eedb760e88b33ea2f1889d04cd23f79e97daf6fa4403444f94bd95b6d30d4044731
        4a333b39f5a3ebc52fa2c50ae8bf57c9521fbae0b979f2b1dd6372d7fe8363da5379f388fc516356452a1e9d668e832f7fb704c60244cc36
        820966e880a0906498aa8979be37d807fea726c5433f92d63925a0190bb021d983d439e7f0111e1080a79e79df3a8250ac1c86403dd9cf8d
        8af366cc2683263ea2cad133abfd14272fa8209eab1bf2df559393932d7f235bc02dab0ed4bb6b38c5c44c04c00e321eaa7e74a3c59f7fe4
        c3040a830eae8da394762471276a7c87a11ae763f421e8b80bd5271acc0236a47a391a9090c5a00ae639cb89d56bed24fcdfbeafe5f8ae21
        3c14edf415005705a8f39e9f51104bf717c29ce11b7b5d4b2a7955592f50ab45b04726ed7d89292af688b53ef790a4c3a1db7a8c89e7a12e
        9e4d19bc65e21f75920de1a13eac0cf02c84bb0735c57950eff9ca2ce0eaa0a4f7e3254e88934a31d8f2dab2b8a5f2f98bc23ce31da76ed6
        6d3409d3fbe0c42ed5bd13c1da6a5fc093ae0f2bb6f6f90f0dbe5af9efb87f763993195a0758e1a1cbeab0002942a4ecb94186c7b882c31d
        a0d19613daadf2fc81abdb4d5dbed89b6623b7d192a456a1f19944dbb2d3283b56da79b72ac9850455c3e99217d9e9ea22f3f4a1e0c5ec81
        c7619649dc85ded78e2b72f523f58eab4854cb72e8e805723aea0911686b1d090d3f1e9e42d087ead3ea517ccbb5706e52da4c148c95ebca
        480374c61f5267aa63a072475aadae1052986c8b39658d8d4cce8e661426d642195cf9657c1611663722ff6db9a9091ac9a6ef9bfd05a793
        9f6bd6427d7683e0d1ceae8ded8176a0f39af4e91c777a27f56e57151217683f35928f051ed01520d91dad39bb67726e9521a75817623960
        724473643b6e4a63cf68e6d4064f27c356557b15d7e3d54ac3b794f7dfef4a00bf820d23400380768ce01995bc241cb9c64c3a7c5cf44896
        8134e1c39f50168eec12959bb5ed27710a490d87329e50c7cebcfc1c55a6537bf8d8e9d5ee5b2b4f2232ebb1021b6a5fd3ffbe2b4ac5146f
        64795750b475d781ff4df05e0229f96c6217f3fb9b4498315c74b56a6e5b14a3c5a60f48a0e51168e454531e9ae14474aeb68bae107f3f63
        56bac5960efc74179e7e91b6529dd6350d5ce94c30d149b9d37ca6dfb04a14fd0199ccbd42bb43a7fe04ff54b0fd4796d0bd12e727ccbe0b
        57857d525eeb00cc00f104d82d34f60af59942ff524bfc6c02e1f6805c7f885450bceb68c28758e21b98409fe8d3b4610eae8d2a190a7431
        2623986a2f152cd7476cb8be40e64dedbcf56929a261456e619eb3f4d4e9534ebc7014efa5701d2c337b71ff303709ca7ba08398e1c5ad9c
        5bc4936aa64e9619d5cb9bfa7ad6561a69d9e0d4291bde4bc4cbba45cf4f8f154bc10ee7963d9d0f2c34f94688f175ef0b102d5b9617ec98
        dcb0d9e160a54ba6428cfb4162df015da9f3f4c688662816575eb8f5269f5021a33ab66b11e322bd3a3ad49f3a357b3637966e9a82717a8c
        827abd3c3885c2748989be3c2986e06d2e4bdb3bc3aa6d6b9eeaef1529b455a928ce54b0f7eecc1b28b7698c65605c85d9df6d8ddd32a806
        f5dd5182a618bbb6cb5b9575eb0b38bde9b9a5933316f362661032b37bfded0cdf3da0c37e756a7f95b7895f2820fe1a1c3a4282b22adb5d
        b22f9b2a19b8181f3477dc7c8422382cfbea26fd8e91dec66dc16789a2c69bf50e377752f80d15f296ca4fb1ebef06acaf469d60d7160179
        03964287f61172e6e00cb8b79eecfa802078eb94d639667124b819498c66db35ecc95553aeb71911696c90940a98449cba0b62142f7984ea
        ceaa324710e1d03f6efeb760a2c8c2caa2055d3c1891725dd5dd0019cfa97d6ec3cfdcdefae934359428368e230de360b41e99fe9a1712c0
        bcdf15aa14d7d5d9bed93cb6705d4bb7f7cbbe9a413b6a4e29764e9113b056a6fc240be10fc9d01adfa05d14f71b9f64f5a4593b3badd920
        2a5cf499771da50d510352efac43f23bfaf2e157a2865024653c3713d31422c41e5175ed9d5ada080f5ea1c9a4609c664b3701f5a929f170
        c2ad32e3ba8c7bd564ce43818e70c157ba1b85d1c87942deaec175557113fe29b3fe72198b7718aa966415a90f16030100a423e7124bcbf6
        6bdd33d11147d2ba392ff55f3bd130497bb337da4dd66ef80d1c8c56b55b1e104589db4c7bfe8bb919416e8dbe7ea4d25ecbce9624682177
        85c7dfb575a1c7ae69bf8b40c6d8c39b879e73fce38465dad5ac10a4376fa3971535ff2f67c3e5d7deb107a4d56c5c26f309edc266d930c1
        5d6c2b6e24d0697762b962e8a7ff212b519c29b85d797553c347e9d2d900e22527c2474218316b611aa1c78d78091603010124b37311a272
        2aec81194b23049ccb1d3c88e5460adc06cddf1a262571b29f433cbbd4713c015156d4d84700ce6b5da0196f70b0bb622ed780857334d228
        31722d6df57feebde3a4afa96670e844eced9db3762413527cbd15eca96b3ea42bbd3f4c16492a2e7cd751e2c59192853f3b270059c5e3e2
        7a75fbbad2c728e42b7a96a493c045099ec165133ba5f40f356d20333fa4f674ac954b37a5f402f767998678047f2b40399b5ebef5a50458
        b785fc128eeee8611bf22cecc7d6e55fa6e89e963f231635644efe5470138e0e23430c6428ad011c89bfbefb8eb2bab9ad02b19f091193a3
        99294c1c85f0c33262aecfdeef2d8f25a89c2daa21ad8fbfd2e248eee4bb43fd97700dd3b290c916562587f039ea717056ff73178f249d2a
        3ae4886615f81914030100240aa3b4802d9d71e9d82d4a714d23996654dedec0ade4fc3de79d515346fe762badeb127716030100342b42c7
        fe4e213fb95cb422a821044ad985d3360b158f17e9b96167e766763161086c2c094adcf0e32ca0040b329ce0eb33c179221503010024fb8b
        c6a78b88f380f5133beac7ce799430cd44701be55dd261110b9a3c0f0d229f50d5bb
        """,
        serverRecords: """
        16030100347fe3eb1f3eaceb9a88bbb39dff1ab08e8491b6bab821b2651ac6ceac4fb34d9cde0a225e5fc1bd5ae9d456fdb8cf06a8220de0
        a91603010024c46d7971b8bd6e9bd80326df1f6ab71722268d3a3966ba84e57ee1258b6866f6476709ea16030100747f10d7d26af11b9b08
        10c851910007cf443d7107d0d358456688f02a1055aa74ee7c15f7196cb9c57d61a80d7a506d23f4f51f618d704c653a07f62c6fb691d06c
        30f214f0a7b91d0b97b9cf2e66c4f93c82324a3c7d42fabcbf06402e21253b22a62d599ba37a0d8b7a2e7e1948e0771e92f35e1603010684
        ba733bd39c5ce2f1d398e3cd86de7563462231a0318ff5cf1b809e65d84374ac58c9a4ea1f0c5b83e7b9e77c3d5ec578391c975cc02a302e
        b7c0b3f6b7c6d00abe27d39d4c59d9906c44726bc09d209e2e7826d77a99a3fed3f464159a284e957685bdf143ae15b4cd0239aae50e611f
        774a8fc5be876016c6a5ef8375c7da943cf301420e4763cfe35872b8952aa3286078db7453358809cff12da855843ee220e6ac7b62f8269c
        24111c063ad200ec621092fb35986c7377642d9c8e0e1d207ddd18a506dba59273b0c579758c11befca5b2231f0cefeda48cfe6088c685b1
        67d10c4228450e6e9247f7b0a72bb66b738d216b5391015755e2fdd1aefc8c815bcbe2b761b5cc1c0cd3acc5d11133972d9a2541effab733
        ddb21423e1c7dc87c225c36e0c0ebf4d2f47b2d49d1d82ce8a07238c634ab1b9432cb9f7af7c754031e7345f9ccd733e1f31849a6b007437
        2d0b402a3506dbae52b1432f4629617ea2ee71863b41c314ebc904573a216c4070cb68c6ac4ccda4938f90a164f04fcd3c41ca64f3e432fc
        d5962cd0380e05279ca4f66620ca46cc85be295e5205fd992195e6caddc8d8b66eb13ade71cf879aa2fa53bb23372f33655c8f781b34b7fd
        08115c75c469892106eb7d1c7a3f1d7e56bf6c120fe0064afe35d3d9b8df038cb4810e57dea6cebfd80bf83a10a3a7fee82d7c6fe6acd3fa
        8787716c9a0178d8e3e43847779216cd96bc02c91b1362fa172911c014debe3dabae6c2b0fbeab94e0a0acf68c2167913b03108c731e1055
        4257b280e75ee852b890aee308b3447bf328eb4da4e2a57ae98ab127acf2edb385d5e7b948f3d3db2eecf307fad37902fb413d7d542b3a63
        0257de71b0b21a3c3376a30e062b31b0d06af266b8febc4582b1e75552bd0f0256a5125fe57f96af5c0a6af358e63bd095b9e248595dc373
        3800c98b564aeff71a5939b8c1931db2f989d22d8b09df93994cafec030bb5ad5a98564be18465c9ea4a108194a851efd884fba469b8807b
        aceac5642fd4a3d6c6bd9d409582fbc40a5a1212e4e8ae16cdb20e4d5dcb1bb5592e69de8a3a441866dff4a2da13aa6d03fd14adb99ee97c
        854316608c5a79b4052a7a093212e52c80715cce6913c8035dd9a219013429f3ba5c713dd408945acdf4423d78a4d96d652917988ad05955
        15c0c13da8b2e1d67fbb9f81e25de9055e88b7b154f90e56a0ae2ba5fd410eb37ddfa35470752a7601993dc6ee790f2f48ea041bd124cc10
        0f0e7dc378da81fb760dbb83f215026171fb5f4e3bb2c2bde5e747e4dcae8982fa44a7cfec0bce4a9434d1b45ca4f846ff165daffbc106a4
        b5ccad9d02816f85297e350944c451f1210998176347a512a2a979732126c8aee7f951c32bce083a2fa3ef7fd0c62a09f88b776e0a7ccc4d
        1d8c72fa7427d18e18b82268a7b606c77ce984230bfa9a9463ece2255722c922e1320ef25bf2de5cdc0773cedd011df8999aecc89e9a9905
        a07f3c1a74d70a522c3968dc25393959164e8cbda2c6ff8ea9c0e565bfa20ec10dc1a4ab9183a79343731f3c0c123691dc8dea7da104b45c
        188e4ce2e5ba188489a7b44294d4129a970848296c2a1782a23b350ccb78612b69d502c17d516ba4d0b199242dfe24dfa6bb334ef8958dba
        7f33adf37e2137feddb5627513042ff5a1c8d54601d5330306e19ff8dd96e071a13c425d592f9710c9be76d479890f88fc21e2ecddc26398
        0f5a1377fcc68d7d621b1d4d6a58459f52fcc17ddbff50c0527061a398a7c105dcfd7b223fc9de85fb3b3ecce85a2e8643eed31676ae920c
        79d50ca242a40636645c61afb5deca745b96420c1c609eb35fe36fa5703716703bf2c39717a4a8769f168c836c9a1c952165dc7470509281
        bef54d0b5f932803dbd4029dd0c7e574f37b86092abf694dd5368e64c0c120d3c8d67edd3d2c045be6770adf3f11950ea4574ceafa86a42b
        2a3037b9a7b46039e4938b97536058f4f1bdd07389d2476a937f074ce598dd6a1a2e190af97ebb0a797956f2106c75cb2f1a795f092cacb2
        8936fa912b16fda411683cd3293ca5d5b336a1e7404a08921f5b8971b5b5bde2ae47c8c1de6a7a45b82131afd6ee1a29e849f6a6bfdaef92
        77b53479c045a4fe36ffdcdf870d789fd79cf3d6e1c01d8b1ca274194dc27440c961b74af60e204eecced0431322e553caabd998c5537ed8
        c7e74c408f4e30d701aefec2a1ddfe5e0200b9023183e9f9c8f06cb0500a8095aa08e4936dee40b69094429f121bc83cdf4612b259ef8a79
        931d50f613be3eec54fe9cac8b58801bff1de4d6c1a20c0117c4a63c30128d444d3e20cc461ed0cf1039cbc31603010054067c9f510651c4
        bfdc412e341c86f3126bf735b90aabbdda56e6e4bab4520059b87c31cd619fbed0fde5a1d0c78cdb02f682d6540b140e8d4ffcaa027f3b0e
        fe4d6f1132d1788ac9c5bf97c3a3e7828adc8a369916030100243107e2a59252fcfb13396cbbd7694a63d988991272591da9ef5d972cbedd
        43c88d8297d0140301002406427dcd47aab06aac93b27c8b0c5d7d1452daae9483f8206c191cc9cdf385d071083d11160301003433adb354
        971f39ec8a100c6cc8c08b54c9a96983ab7730a6dcba264b321cb73f4ad507dc7e6a05ef0a68692a767c3bf44aa4bed8170301002484f753
        b842401a0d061c96ecd27e4d09285c3f9885eae6214571bfb406622888b652569e170301006485e6f0ba7e301e6994114a13f8230f376eb4
        3e2d81d45ddd301cb63af6e057ed88f8e73377ed78195c3de9c2b2510e22323f7be3d8190cf318ab7fcb3e5ffb496f6f639486cf08466a8c
        332739728b974a85aae0fd16f3ee6320ed4c0c60c1a4ce553fbb15030100244e34dac5a00faa7d01253f48d57c3ce38f5d749e78d6e74edb
        ca8284ffc349565d22fc92
        """,
        handshakeMessages: """
        0100004d030163674f768b77344aae770e1f2f5ae381980b2dbed52a3ddc29961344ff758c67000004002f00ff0100002000000010000e00
        000b7365727665722e7465737400230000001600000017000002000035030161f3f2cec35a41dd272c03b00069dd7c59c12f5b99377c2dc4
        3854c9214c3b9900002f00000dff0100010000160000001700000b00065c00065900030430820300308201e8a003020102021413374c4b97
        28390bc6af8031d8529b86ad616325300d06092a864886f70d01010b0500302c3110300e060355040a0c07746c7364756d70311830160603
        5504030c0f746c7364756d7020746573742043413020170d3236313132393031353832365a180f32313236313130353031353832365a3028
        3110300e060355040a0c07746c7364756d703114301206035504030c0b7365727665722e7465737430819f300d06092a864886f70d010101
        050003818d00308189028181009de78a5f4fa5294fc3f9a693bcf3f9ebec03c1479892f721fa71e406b32b755fd622e36f754f55d14d2a3c
        354ada90e70247fa7147f91a36144a0f25e410758b4ad68abf8b859b2d76845ce23b22aaca93dc6f4fec2984483e5eb196cf97a0cc4f732c
        a4b0aed4fc716223d6652be5118caff3c8585ce08a8038ef8e5f0f2e4b0203010001a3819f30819c300c0603551d130101ff04023000300e
        0603551d0f0101ff0404030205a030130603551d25040c300a06082b0601050507030130270603551d110420301e820b7365727665722e74
        65737482096c6f63616c686f737487047f000001301d0603551d0e0416041413f4d3d20a593fbe73ac387817f1afb3ac61062e301f060355
        1d23041830168014d1b72fb4dfcf0a9a08021398509195c4eef2a801300d06092a864886f70d01010b050003820101004e047f7fae918b99
        1dde9d8fcfc92bfc00a2488f71f82e9374da7c401a953eba49ccbfc419bcf363149c0051514fcf5b758eda4a90e217db6028ab2f7c1c1c17
        23facd34535b648cf1c13d124ebbc00db686dda58bf3f7df98b49c362bde4d7467d3b3e2386505552fd6dacee06052727acf55958bf241c7
        8753cd9f2700632604965faae917fb67b51c8c74400e4d8546008f094db4d828d2fb4763edeb9200370f805937c2df6a9d948ab74fb4d62e
        98463b5495b949dbd5108b07e4eabdd47797e54634f83c731023e7978a8ed9b7ee81ad7e7d83cb58646e738acc9c0cc554e1d033d223410d
        a20317b703c2168c16d44826ebcfb3a1940501f6122fef9800034f3082034b30820233a003020102021416534ed00336ec95dd6dce4de29f
        22aada513e5f300d06092a864886f70d01010b0500302c3110300e060355040a0c07746c7364756d703118301606035504030c0f746c7364
        756d7020746573742043413020170d3236313132393031353832365a180f32313236313130353031353832365a302c3110300e060355040a
        0c07746c7364756d703118301606035504030c0f746c7364756d70207465737420434130820122300d06092a864886f70d01010105000382
        010f003082010a02820101009f6a3e244097b4115d185f17522e20bb8c28d0a0357737d9e5a5c165e19d9e8eeecedfa2efeec0cf323de209
        946b0db065b9bbdb3160fae3855e2c7e3f3cccd6a0725cf63032707457e28d29c7fcbad63deb2cd1d8b610f017031f2cdbe95f47719bbcce
        9a5f0647b763d94c2f52d8556aa018996acd2f7a37234e8086773f99e0f07a7f79e6964ed909b95d0ac03fcc0eff5d5054ba7222e67d2cc9
        9c55b3fc3b52fe0a0b85fc90933cd534ff08504c89c2661782153bfc1d0543cc3b079826e184d4696e47c0219d9b00184673378bc1d4d82c
        bc686204fc5e2daaa6a035985aa002ab368ee0e3c349ce9b01e105a7f58c92c39e2155a01e67515cc3af2aa50203010001a3633061301d06
        03551d0e04160414d1b72fb4dfcf0a9a08021398509195c4eef2a801301f0603551d23041830168014d1b72fb4dfcf0a9a08021398509195
        c4eef2a801300f0603551d130101ff040530030101ff300e0603551d0f0101ff040403020106300d06092a864886f70d01010b0500038201
        01001916bf97b8ad605f59c0e8249bfa3486a667fbfd9015387bdbeba1247821c3c4cb47afff83444cf3698d728a223bc222d5aca517bb2b
        0a089c33e5829c660e9bafe0d4ce4be35d91ae1d57582f8fa8cdc0be12ac4b99dcac5f6766a959beb179f7f29848d9e331c5b2273d95626e
        a29378230a6d4626279ef317cb735caf4913087f7074034d355318d58c967a2dc2445e37aed93a2bd969bebf19de6e68593fda1ebba5f58d
        f2d0d2e6a85d0b74152cb334723d9d10d84fbccb973167ed5b4e64f8b22cf2eb2b62af416d995aa61351053e8d99bc847aa2112f58b8a9c9
        5c2899fcdc744be92533e7c2c11aab80c4cf5209c0a1a653e7577df9b7d0471604110e00000010000082008087ad80d99826cbad91ec1c56
        c004de63ca9d878bf4d843f392fb60fb868d72a6d542d6a68ca56e2d48adf243c9d2bd0ec0090f5266bf78026ad33834ce5846875f45d223
        370c0b9541b3522bcf5f25aebd66453da661b649c144f2d7c0ae59ab89a1624c635961d6862fddd1e73858a28cb41ff307ffaf995b514098
        0d2aa9dd
        """,
        encryptedPremaster: "87ad80d99826cbad91ec1c56c004de63ca9d878bf4d843f392fb60fb868d72a6d542d6a68ca56e2d48adf243c9d2bd0ec0090f5266bf78026ad33834ce5846875f45d223370c0b9541b3522bcf5f25aebd66453da661b649c144f2d7c0ae59ab89a1624c635961d6862fddd1e73858a28cb41ff307ffaf995b5140980d2aa9dd")

}
