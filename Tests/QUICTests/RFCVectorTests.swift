import XCTest
import TLSDumpQUIC

/// RFC 9001 Appendix A (QUIC v1) and RFC 9369 Appendix A (QUIC v2) test vectors.
final class RFCVectorTests: XCTestCase {
    static let dcid = hex("8394c8f03e515708")
    static let v1 = QUICVersion.known(QUICVersion.v1)
    static let v2 = QUICVersion.known(QUICVersion.v2)

    /// A.2's CRYPTO frame (the ClientHello), padded to 1162 bytes by PADDING.
    static let clientPayload: [UInt8] = {
        var p = hex("""
            060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c\
            00000413011302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006\
            001d0017001800100007000504616c706e000500050100000000003300260024001d00209370b2c9caa4\
            7fbabaf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b0003020304000d0010000e040305\
            0306030203080408050806002d00020101001c00024001003900320408ffffffffffffffff05048000ff\
            ff07048000ffff0801100104800075300901100f088394c8f03e51570806048000ffff
            """)
        p += [UInt8](repeating: 0, count: 1162 - p.count)
        return p
    }()

    /// A.3's server payload: ACK + CRYPTO(ServerHello).
    static let serverPayload = hex("""
        02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf73988cfc79825df566dc5430b9a04\
        5a1200130100002e00330024001d00209d3c940d89690b84d08a60993c144eca684d1081287c834d5311bcf3\
        2bb9da1a002b00020304
        """)

    func version(_ raw: UInt32) throws -> QUICVersionInfo {
        try XCTUnwrap(QUICVersion.known(raw))
    }

    // MARK: - A.1 keys

    func testV1InitialSecretsAndKeys() throws {
        let v1 = try version(QUICVersion.v1)
        let secrets = QUICPacketKeys.initialSecrets(dcid: Self.dcid, version: v1)
        XCTAssertEqual(hexString(secrets.client), "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea")
        XCTAssertEqual(hexString(secrets.server), "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b")
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: v1)
        XCTAssertEqual(hexString(keys.client.key), "1f369613dd76d5467730efcbe3b1a22d")
        XCTAssertEqual(hexString(keys.client.iv), "fa044b2f42a3fd3b46fb255c")
        XCTAssertEqual(hexString(keys.client.hp), "9f50449e04a0e810283a1e9933adedd2")
        XCTAssertEqual(hexString(keys.server.key), "cf3a5331653c364c88f0f379b6067e37")
        XCTAssertEqual(hexString(keys.server.iv), "0ac1493ca1905853b0bba03e")
        XCTAssertEqual(hexString(keys.server.hp), "c206b8d9b9f0f37644430b490eeaa314")
        XCTAssertEqual(keys.client.aead, .aes128gcm)
    }

    func testV2InitialKeys() throws {
        let v2 = try version(QUICVersion.v2)
        let secrets = QUICPacketKeys.initialSecrets(dcid: Self.dcid, version: v2)
        XCTAssertEqual(hexString(secrets.client), "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b")
        XCTAssertEqual(hexString(secrets.server), "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1")
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: v2)
        XCTAssertEqual(hexString(keys.client.key), "8b1a0bc121284290a29e0971b5cd045d")
        XCTAssertEqual(hexString(keys.client.iv), "91f73e2351d8fa91660e909f")
        XCTAssertEqual(hexString(keys.client.hp), "45b95e15235d6f45a6b19cbcb0294ba9")
        XCTAssertEqual(hexString(keys.server.key), "82db637861d55e1d011f19ea71d5d2a7")
        XCTAssertEqual(hexString(keys.server.iv), "dd13c276499c0249d3310652")
        XCTAssertEqual(hexString(keys.server.hp), "edf6d05c83121201b436e16877593c3a")
    }

    func testHeaderProtectionMasks() throws {
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: try version(QUICVersion.v1))
        let clientMask = hex("d1b1c98dd7689fb8ec11d242b123dc9b").withUnsafeBytes {
            QUICHeaderProtection.mask(sample: $0, hp: keys.client.hp, aead: .aes128gcm)
        }
        XCTAssertEqual(clientMask.map(hexString), "437b9aec36")
        let serverMask = hex("2cd0991cd25b0aac406a5816b6394100").withUnsafeBytes {
            QUICHeaderProtection.mask(sample: $0, hp: keys.server.hp, aead: .aes128gcm)
        }
        XCTAssertEqual(serverMask.map(hexString), "2ec0d8356a")
        // Wrong sample or key sizes are nil, not a trap.
        XCTAssertNil([UInt8](repeating: 0, count: 15).withUnsafeBytes { QUICHeaderProtection.mask(sample: $0, hp: keys.server.hp, aead: .aes128gcm) })
        XCTAssertNil([UInt8](repeating: 0, count: 16).withUnsafeBytes { QUICHeaderProtection.mask(sample: $0, hp: [1, 2], aead: .aes128gcm) })
    }

    // MARK: - A.2 client Initial

    func testV1ClientInitialSealMatchesRFCAndOpens() throws {
        let v1 = try version(QUICVersion.v1)
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: v1)
        let header = hex("c300000001088394c8f03e5157080000449e00000002")
        let packet = try XCTUnwrap(QUICPacketProtection.seal(header: header, pnOffset: 18, packetNumber: 2,
                                                              payload: Self.clientPayload, keys: keys.client))
        XCTAssertEqual(packet.count, 1200)
        // The RFC's protected header, first sample and final 48 bytes (the tag covers everything).
        XCTAssertEqual(hexString(packet.prefix(38)), "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9b")
        XCTAssertEqual(hexString(packet.suffix(48)),
                       "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934")

        // The splitter delimits it; open recovers the CRYPTO frame.
        let split = QUICDatagramSplitter.split(packet)
        XCTAssertNil(split.error)
        let view = try XCTUnwrap(split.packets.first)
        XCTAssertEqual(view.type, .initial)
        XCTAssertEqual(view.version, 1)
        XCTAssertEqual(view.range, 0..<1200)
        XCTAssertEqual(QUICPacketView.bytes(view.dcid, in: packet), Self.dcid)
        XCTAssertEqual(view.scid.count, 0)
        XCTAssertEqual(view.token.count, 0)
        XCTAssertEqual(view.pnOffset, 18)
        let opened = try QUICPacketProtection.open(packet: packet, pnOffset: 18, keys: keys.client, largestPacketNumber: nil).get()
        XCTAssertEqual(opened.packetNumber, 2)
        XCTAssertEqual(opened.packetNumberLength, 4)
        XCTAssertNil(opened.keyPhase)
        XCTAssertEqual(opened.firstByte, 0xc3)
        XCTAssertEqual(opened.payload, Self.clientPayload)

        let (frames, error) = opened.payload.withUnsafeBytes { QUICFrameReader.frames($0) }
        XCTAssertNil(error)
        XCTAssertEqual(frames.count, 2)
        guard case .crypto(let offset, let data)? = frames.first else { return XCTFail("no CRYPTO frame: \(frames)") }
        XCTAssertEqual(offset, 0)
        XCTAssertEqual(data.count, 241)
        XCTAssertEqual(opened.payload[data.lowerBound], 0x01, "ClientHello")
        XCTAssertEqual(frames.last, .padding(count: 1162 - 245))

        // The server's keys, or one flipped bit, fail authentication.
        XCTAssertEqual(QUICPacketProtection.open(packet: packet, pnOffset: 18, keys: keys.server, largestPacketNumber: nil),
                       .failure(.authenticationFailed))
        var corrupt = packet
        corrupt[600] ^= 1
        XCTAssertEqual(QUICPacketProtection.open(packet: corrupt, pnOffset: 18, keys: keys.client, largestPacketNumber: nil),
                       .failure(.authenticationFailed))
    }

    func testV2ClientInitialMatchesRFC() throws {
        let v2 = try version(QUICVersion.v2)
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: v2)
        let packet = try XCTUnwrap(QUICPacketProtection.seal(header: hex("d36b3343cf088394c8f03e5157080000449e00000002"),
                                                              pnOffset: 18, packetNumber: 2, payload: Self.clientPayload,
                                                              keys: keys.client))
        XCTAssertEqual(hexString(packet), hexString(RFC9369.clientInitial))
        let view = try XCTUnwrap(QUICDatagramSplitter.split(RFC9369.clientInitial).packets.first)
        XCTAssertEqual(view.type, .initial, "v2 Initial is type code 1")
        XCTAssertEqual(view.version, QUICVersion.v2)
        let opened = try QUICPacketProtection.open(packet: RFC9369.clientInitial, pnOffset: try XCTUnwrap(view.pnOffset),
                                                   keys: keys.client, largestPacketNumber: nil).get()
        XCTAssertEqual(opened.packetNumber, 2)
        XCTAssertEqual(opened.payload, Self.clientPayload)
        // v1 keys do not open a v2 packet.
        let v1Keys = QUICPacketKeys.initial(dcid: Self.dcid, version: try version(QUICVersion.v1))
        XCTAssertEqual(QUICPacketProtection.open(packet: RFC9369.clientInitial, pnOffset: 18, keys: v1Keys.client, largestPacketNumber: nil),
                       .failure(.authenticationFailed))
    }

    // MARK: - A.3 server Initial

    func testV1ServerInitial() throws {
        let v1 = try version(QUICVersion.v1)
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: v1)
        let expected = hex("""
            cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a5816b6394100f37a1c69797554780bb3\
            8cc5a99f5ede4cf73c3ec2493a1839b3dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84\
            022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc42158407dd074ee
            """)
        let sealed = QUICPacketProtection.seal(header: hex("c1000000010008f067a5502a4262b50040750001"), pnOffset: 18,
                                               packetNumber: 1, payload: Self.serverPayload, keys: keys.server)
        XCTAssertEqual(sealed.map(hexString), hexString(expected))
        try checkServerInitial(expected, keys: keys.server, scid: "f067a5502a4262b5")
    }

    func testV2ServerInitial() throws {
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: try version(QUICVersion.v2))
        try checkServerInitial(RFC9369.serverInitial, keys: keys.server, scid: "f067a5502a4262b5")
    }

    private func checkServerInitial(_ packet: [UInt8], keys: QUICPacketKeys, scid: String) throws {
        let split = QUICDatagramSplitter.split(packet)
        let view = try XCTUnwrap(split.packets.first)
        XCTAssertEqual(view.type, .initial)
        XCTAssertEqual(view.dcid.count, 0)
        XCTAssertEqual(hexString(QUICPacketView.bytes(view.scid, in: packet)), scid)
        XCTAssertEqual(view.range, 0..<packet.count)
        let opened = try QUICPacketProtection.open(packet: packet, pnOffset: try XCTUnwrap(view.pnOffset), keys: keys,
                                                   largestPacketNumber: nil).get()
        XCTAssertEqual(opened.packetNumber, 1)
        XCTAssertEqual(opened.payload, Self.serverPayload)
        let (frames, error) = opened.payload.withUnsafeBytes { QUICFrameReader.frames($0) }
        XCTAssertNil(error)
        XCTAssertEqual(frames.first, .ack(largest: 0, ecn: false))
        guard case .crypto(0, let data)? = frames.last else { return XCTFail("\(frames)") }
        XCTAssertEqual(opened.payload[data.lowerBound], 0x02, "ServerHello")
    }

    // MARK: - A.4 Retry

    func testRetryIntegrity() throws {
        let v1Retry = hex("ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba")
        let v2Retry = hex("cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d955543665dcc7b6")
        let v1 = try version(QUICVersion.v1), v2 = try version(QUICVersion.v2)
        XCTAssertTrue(QUICRetry.verifyIntegrity(originalDCID: Self.dcid, packet: v1Retry, version: v1))
        XCTAssertTrue(QUICRetry.verifyIntegrity(originalDCID: Self.dcid, packet: v2Retry, version: v2))
        XCTAssertFalse(QUICRetry.verifyIntegrity(originalDCID: Self.dcid, packet: v2Retry, version: v1))
        XCTAssertFalse(QUICRetry.verifyIntegrity(originalDCID: hex("8394c8f03e515709"), packet: v1Retry, version: v1))
        XCTAssertFalse(QUICRetry.verifyIntegrity(originalDCID: Self.dcid, packet: Array(v1Retry.prefix(10)), version: v1))

        for (packet, raw) in [(v1Retry, QUICVersion.v1), (v2Retry, QUICVersion.v2)] {
            let split = QUICDatagramSplitter.split(packet)
            let view = try XCTUnwrap(split.packets.first)
            XCTAssertEqual(view.type, .retry)
            XCTAssertEqual(view.version, raw)
            XCTAssertEqual(String(decoding: QUICPacketView.bytes(view.token, in: packet), as: UTF8.self), "token")
            XCTAssertEqual(view.retryIntegrityTag, 20..<36)
            XCTAssertNil(view.pnOffset)
        }
    }

    // MARK: - A.5 ChaCha20-Poly1305 short header

    func testChaCha20ShortHeaderV1() throws {
        let secret = hex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b")
        let v1 = try version(QUICVersion.v1)
        let keys = try QUICPacketKeys.fromTrafficSecret(secret, cipherSuite: 0x1303, version: v1)
        XCTAssertEqual(keys.aead, .chacha20poly1305)
        XCTAssertEqual(hexString(keys.key), "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8")
        XCTAssertEqual(hexString(keys.iv), "e0459b3474bdd0e44a41c144")
        XCTAssertEqual(hexString(keys.hp), "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4")
        XCTAssertEqual(hexString(try QUICPacketKeys.nextTrafficSecret(secret, cipherSuite: 0x1303, version: v1)),
                       "1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9")
        let mask = hex("5e5cd55c41f69080575d7999c25a5bfb").withUnsafeBytes {
            QUICHeaderProtection.mask(sample: $0, hp: keys.hp, aead: .chacha20poly1305)
        }
        XCTAssertEqual(mask.map(hexString), "aefefe7d03")

        let packet = hex("4cfe4189655e5cd55c41f69080575d7999c25a5bfb")
        let view = try XCTUnwrap(QUICDatagramSplitter.split(packet, shortHeaderDCIDLength: 0).packets.first)
        XCTAssertEqual(view.type, .short)
        XCTAssertEqual(view.pnOffset, 1)
        let opened = try QUICPacketProtection.open(packet: packet, pnOffset: 1, keys: keys, largestPacketNumber: 654_360_563).get()
        XCTAssertEqual(opened.packetNumber, 654_360_564)
        XCTAssertEqual(opened.payload, [0x01])
        XCTAssertEqual(opened.keyPhase, false)
        XCTAssertEqual(opened.firstByte, 0x42)
        XCTAssertEqual(QUICPacketProtection.seal(header: hex("4200bff4"), pnOffset: 1, packetNumber: 654_360_564,
                                                 payload: [0x01], keys: keys), packet)
    }

    func testChaCha20ShortHeaderV2() throws {
        let secret = hex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b")
        let v2 = try version(QUICVersion.v2)
        let keys = try QUICPacketKeys.fromTrafficSecret(secret, cipherSuite: 0x1303, version: v2)
        XCTAssertEqual(hexString(keys.key), "3bfcddd72bcf02541d7fa0dd1f5f9eeea817e09a6963a0e6c7df0f9a1bab90f2")
        XCTAssertEqual(hexString(keys.iv), "a6b5bc6ab7dafce30ffff5dd")
        XCTAssertEqual(hexString(keys.hp), "d659760d2ba434a226fd37b35c69e2da8211d10c4f12538787d65645d5d1b8e2")
        XCTAssertEqual(hexString(try QUICPacketKeys.nextTrafficSecret(secret, cipherSuite: 0x1303, version: v2)),
                       "c69374c49e3d2a9466fa689e49d476db5d0dfbc87d32ceeaa6343fd0ae4c7d88")
        let opened = try QUICPacketProtection.open(packet: hex("5558b1c60ae7b6b932bc27d786f4bc2bb20f2162ba"), pnOffset: 1,
                                                   keys: keys, largestPacketNumber: 654_360_563).get()
        XCTAssertEqual(opened.packetNumber, 654_360_564)
        XCTAssertEqual(opened.payload, [0x01])
    }

    func testTrafficSecretErrorsAndAES256() throws {
        let v1 = try version(QUICVersion.v1)
        XCTAssertThrowsError(try QUICPacketKeys.fromTrafficSecret([UInt8](repeating: 1, count: 32), cipherSuite: 0x1304, version: v1)) {
            XCTAssertEqual($0 as? QUICKeyError, .unsupportedCipherSuite(0x1304))
        }
        XCTAssertThrowsError(try QUICPacketKeys.fromTrafficSecret([UInt8](repeating: 1, count: 32), cipherSuite: 0x1302, version: v1)) {
            XCTAssertEqual($0 as? QUICKeyError, .wrongSecretLength(expected: 48, got: 32))
        }
        let keys = try QUICPacketKeys.fromTrafficSecret([UInt8](repeating: 7, count: 48), cipherSuite: 0x1302, version: v1)
        XCTAssertEqual(keys.key.count, 32)
        XCTAssertEqual(keys.hp.count, 32)
        // AES-256-GCM round trip through seal/open with a 1-RTT header (DCID of 4 bytes, 2-byte pn).
        let header: [UInt8] = [0x41 | 0x04, 1, 2, 3, 4, 0x12, 0x34]
        let payload: [UInt8] = [0x01] + [UInt8](repeating: 0, count: 30)
        let packet = try XCTUnwrap(QUICPacketProtection.seal(header: header, pnOffset: 5, packetNumber: 0x1234,
                                                              payload: payload, keys: keys))
        let opened = try QUICPacketProtection.open(packet: packet, pnOffset: 5, keys: keys, largestPacketNumber: 0x1200).get()
        XCTAssertEqual(opened.packetNumber, 0x1234)
        XCTAssertEqual(opened.keyPhase, true)
        XCTAssertEqual(opened.payload, payload)
    }

    func testReservedBitsAreReportedAfterDecryption() throws {
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: try version(QUICVersion.v1))
        // Reserved bits 0x0c set in the unprotected first byte.
        let packet = try XCTUnwrap(QUICPacketProtection.seal(header: hex("cf00000001088394c8f03e5157080000449e00000002"),
                                                              pnOffset: 18, packetNumber: 2, payload: Self.clientPayload,
                                                              keys: keys.client))
        guard case .failure(.reservedBitsSet(let opened)) = QUICPacketProtection.open(packet: packet, pnOffset: 18, keys: keys.client,
                                                                                      largestPacketNumber: nil) else {
            return XCTFail("reserved bits not reported")
        }
        XCTAssertEqual(opened.payload, Self.clientPayload)
    }

    func testOpenRejectsShortPacketsAndBadOffsets() throws {
        let keys = QUICPacketKeys.initial(dcid: Self.dcid, version: try version(QUICVersion.v1))
        let packet = [UInt8](repeating: 0xc0, count: 40)
        for pnOffset in [-1, 0, 21, 40, 41, Int.max] {
            XCTAssertEqual(QUICPacketProtection.open(packet: packet, pnOffset: pnOffset, keys: keys.client, largestPacketNumber: nil),
                           .failure(.tooShort), "pnOffset \(pnOffset)")
        }
        var badKeys = keys.client
        badKeys.key = [1, 2, 3]
        XCTAssertEqual(QUICPacketProtection.open(packet: packet, pnOffset: 1, keys: badKeys, largestPacketNumber: nil),
                       .failure(.unsupportedCipher))
        for largest in [Int64.min, -5, Int64.max, 1 << 62] {
            XCTAssertEqual(QUICPacketProtection.open(packet: packet, pnOffset: 1, keys: keys.client, largestPacketNumber: largest),
                           .failure(.authenticationFailed))
        }
    }

    func testPacketNumberDecoding() {
        // RFC 9000 A.3 example.
        XCTAssertEqual(QUICPacketNumber.decode(truncated: 0x9b32, length: 2, largest: 0xa82f30ea), 0xa82f9b32)
        XCTAssertEqual(QUICPacketNumber.decode(truncated: 0, length: 1, largest: nil), 0)
        XCTAssertEqual(QUICPacketNumber.decode(truncated: 0xff, length: 1, largest: 0x100), 0xff)
        XCTAssertEqual(QUICPacketNumber.decode(truncated: 0x01, length: 1, largest: 0xff), 0x101)
        XCTAssertEqual(QUICPacketNumber.decode(truncated: 0xffff_ffff, length: 4, largest: QUICPacketNumber.max),
                       QUICPacketNumber.max, "no step past 2^62 - 1")
        XCTAssertEqual(QUICPacketNumber.decode(truncated: 5, length: 9, largest: Int64.min), 5)
    }
}
