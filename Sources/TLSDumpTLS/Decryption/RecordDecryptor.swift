import Crypto
import Foundation

/// Decrypts and authenticates the records of one direction of a connection,
/// keeping that direction's state: the sequence number, the RC4 keystream,
/// the TLS 1.0 CBC chain.
///
/// A record that fails (bad MAC, bad padding, too short) leaves the state as
/// it was, so a caller may try another key on the same record (TLS 1.3
/// handshake vs. application keys) without losing its place.
public final class RecordDecryptor {
    public let protection: RecordProtection
    /// The negotiated version (0x0301...0x0304).
    public let version: UInt16
    /// RFC 7366 encrypt-then-MAC is in force (meaningful for CBC suites only).
    public let encryptThenMAC: Bool
    /// TLS 1.3: the draft's record rules (the additional data changed in draft 25).
    public let tls13Rules: TLS13DraftRules
    /// The sequence number of the next record.
    public private(set) var sequenceNumber: UInt64 = 0

    private enum Engine {
        /// NULL (nil) or RC4 with MAC-then-encrypt.
        case stream(RC4?)
        /// AES-CBC; `chainIV` is the next implicit IV on TLS 1.0, nil when each
        /// record carries its own IV (TLS 1.1+).
        case cbc(CBCCipher, chainIV: [UInt8]?)
        /// TLS 1.2 AES-GCM: 4-byte salt + 8-byte explicit nonce per record.
        case gcm12(SymmetricKey, salt: [UInt8])
        /// TLS 1.2 ChaCha20-Poly1305 (RFC 7905): IV XOR sequence number.
        case chacha12(SymmetricKey, iv: [UInt8])
        /// TLS 1.3: IV XOR sequence number, record header as AAD, inner content type.
        case tls13GCM(SymmetricKey, iv: [UInt8])
        case tls13ChaCha(SymmetricKey, iv: [UInt8])
        /// TLS 1.2 AES-CCM / CCM_8 (RFC 6655): 4-byte salt + 8-byte explicit nonce, as GCM.
        case ccm12(SymmetricKey, salt: [UInt8], tagLength: Int)
        /// TLS 1.3 AES-CCM / CCM_8: IV XOR sequence number.
        case tls13CCM(SymmetricKey, iv: [UInt8], tagLength: Int)
    }

    /// The block ciphers of CBC suites.
    private enum CBCCipher {
        case aes(SymmetricKey)
        case tripleDES(TripleDES)

        var blockSize: Int {
            switch self {
            case .aes: AESCBC.blockSize
            case .tripleDES: TripleDES.blockSize
            }
        }
    }

    private var engine: Engine
    private let macKey: SymmetricKey

    private static let tagLength = 16
    private static let gcmExplicitNonceLength = 8

    /// Sets up one direction. Throws `.unsupportedSuite(name)` for suites this
    /// layer cannot decrypt (3DES, CCM, Camellia, export, ...),
    /// `.unsupportedVersion` for SSL 3.0 and unknown versions, `.wrongKey` when
    /// the key lengths do not fit the suite.
    public init(keys: DirectionKeys, suite: UInt16, version: UInt16, encryptThenMAC: Bool,
                tls13Rules: TLS13DraftRules = .final) throws(DecryptionError) {
        let protection = try RecordProtection.forSuite(suite)
        self.protection = protection
        self.version = version
        self.tls13Rules = tls13Rules
        self.encryptThenMAC = encryptThenMAC && protection.cipher == .aesCBC
        self.macKey = SymmetricKey(data: keys.macKey)

        guard keys.key.count == protection.keyLength else { throw .wrongKey }
        let key = SymmetricKey(data: keys.key)
        if version == 0x0304 {
            guard protection.isTLS13 else { throw .unsupportedSuite(protection.name) }
            guard keys.iv.count == 12 else { throw .wrongKey }
            switch protection.cipher {
            case .aesGCM: engine = .tls13GCM(key, iv: keys.iv)
            case .chacha20Poly1305: engine = .tls13ChaCha(key, iv: keys.iv)
            case .aesCCM, .aesCCM8: engine = .tls13CCM(key, iv: keys.iv, tagLength: protection.cipher.tagLength)
            default: throw .unsupportedSuite(protection.name)
            }
            return
        }
        guard (0x0300...0x0303).contains(version) else { throw .unsupportedVersion(version) }
        guard !protection.isTLS13 else { throw .unsupportedSuite(protection.name) }
        guard keys.macKey.count == protection.mac.length else { throw .wrongKey }
        switch protection.cipher {
        case .null:
            engine = .stream(nil)
        case .rc4:
            engine = .stream(RC4(key: keys.key))
        case .aesCBC, .tripleDESCBC:
            let cipher: CBCCipher
            if protection.cipher == .aesCBC {
                cipher = .aes(key)
            } else {
                guard let des = TripleDES(key: keys.key) else { throw .wrongKey }
                cipher = .tripleDES(des)
            }
            if version <= 0x0301 {   // SSL 3.0 and TLS 1.0 chain the IV from record to record
                guard keys.iv.count == cipher.blockSize else { throw .wrongKey }
                engine = .cbc(cipher, chainIV: keys.iv)
            } else {
                engine = .cbc(cipher, chainIV: nil)
            }
        case .aesGCM:
            guard keys.iv.count == 4 else { throw .wrongKey }
            engine = .gcm12(key, salt: keys.iv)
        case .chacha20Poly1305:
            guard keys.iv.count == 12 else { throw .wrongKey }
            engine = .chacha12(key, iv: keys.iv)
        case .aesCCM, .aesCCM8:
            guard keys.iv.count == 4 else { throw .wrongKey }
            engine = .ccm12(key, salt: keys.iv, tagLength: protection.cipher.tagLength)
        }
    }

    /// Decrypts one protected record body (the bytes after the 5-byte header).
    /// `contentType` and `version` are the record header's. TLS <= 1.2 returns
    /// the header's content type and the plaintext fragment; TLS 1.3 returns
    /// the inner content type and the plaintext with its padding removed (pass
    /// only outer `application_data` records there: the middlebox
    /// ChangeCipherSpec travels in clear). On success the sequence number
    /// advances; on failure nothing changes.
    public func decrypt(contentType: UInt8, version: UInt16, body: UnsafeRawBufferPointer) throws(DecryptionError) -> (contentType: UInt8, plaintext: [UInt8]) {
        let result: (contentType: UInt8, plaintext: [UInt8])
        switch engine {
        case .stream(let rc4):
            result = try decryptStream(rc4, contentType: contentType, version: version, body: body)
        case .cbc(let key, let chainIV):
            result = try decryptCBC(key, chainIV: chainIV, contentType: contentType, version: version, body: body)
        case .gcm12(let key, let salt):
            result = try decryptGCM12(key, salt: salt, contentType: contentType, version: version, body: body)
        case .chacha12(let key, let iv):
            guard body.count >= Self.tagLength else { throw .tooShort }
            let aad = pseudoHeader(contentType: contentType, version: version, length: body.count - Self.tagLength)
            let plaintext = try openChaCha(key, nonce: xorNonce(iv), aad: aad, body: body)
            result = (contentType, plaintext)
        case .tls13GCM(let key, let iv):
            result = try decryptTLS13(contentType: contentType, version: version, body: body) { aad, body throws(DecryptionError) in
                try Self.openGCM(key, nonce: self.xorNonce(iv), aad: aad, ciphertextAndTag: body)
            }
        case .tls13ChaCha(let key, let iv):
            result = try decryptTLS13(contentType: contentType, version: version, body: body) { aad, body throws(DecryptionError) in
                try self.openChaCha(key, nonce: self.xorNonce(iv), aad: aad, body: body)
            }
        case .ccm12(let key, let salt, let tagLength):
            let explicit = Self.gcmExplicitNonceLength
            guard body.count >= explicit + tagLength else { throw .tooShort }
            let aad = pseudoHeader(contentType: contentType, version: version, length: body.count - explicit - tagLength)
            let plaintext = try Self.openCCM(key, nonce: salt + body[0..<explicit], aad: aad,
                                             ciphertextAndTag: UnsafeRawBufferPointer(rebasing: body[explicit...]), tagLength: tagLength)
            result = (contentType, plaintext)
        case .tls13CCM(let key, let iv, let tagLength):
            result = try decryptTLS13(contentType: contentType, version: version, body: body, tagLength: tagLength) { aad, body throws(DecryptionError) in
                try Self.openCCM(key, nonce: self.xorNonce(iv), aad: aad, ciphertextAndTag: body, tagLength: tagLength)
            }
        }
        sequenceNumber &+= 1
        return result
    }

    /// `decrypt` for a body held in an array.
    public func decrypt(contentType: UInt8, version: UInt16, body: [UInt8]) throws(DecryptionError) -> (contentType: UInt8, plaintext: [UInt8]) {
        do {
            return try body.withUnsafeBytes { raw in try decrypt(contentType: contentType, version: version, body: raw) }
        } catch let error as DecryptionError {
            throw error
        } catch {
            throw .badRecordMAC   // unreachable: `decrypt` throws only DecryptionError
        }
    }

    // MARK: - stream (NULL, RC4), MAC-then-encrypt

    private func decryptStream(_ rc4: RC4?, contentType: UInt8, version: UInt16, body: UnsafeRawBufferPointer) throws(DecryptionError) -> (UInt8, [UInt8]) {
        let macLength = protection.mac.length
        guard body.count >= macLength else { throw .tooShort }
        var data = Array(body)
        var trial = rc4
        trial?.apply(&data)
        let contentLength = data.count - macLength
        let ok = data.withUnsafeBytes { raw in
            macMatches(contentType: contentType, version: version,
                       content: UnsafeRawBufferPointer(rebasing: raw[0..<contentLength]),
                       expected: UnsafeRawBufferPointer(rebasing: raw[contentLength...]))
        }
        guard ok else { throw .badRecordMAC }
        if let trial { engine = .stream(trial) }
        data.removeLast(macLength)
        return (contentType, data)
    }

    // MARK: - AES-CBC, MAC-then-encrypt or encrypt-then-MAC

    private func decryptCBC(_ key: CBCCipher, chainIV: [UInt8]?, contentType: UInt8, version: UInt16,
                            body: UnsafeRawBufferPointer) throws(DecryptionError) -> (UInt8, [UInt8]) {
        let block = key.blockSize
        let macLength = protection.mac.length
        let ivLength = chainIV == nil ? block : 0

        if encryptThenMAC {
            guard body.count >= ivLength + block + macLength else { throw .tooShort }
            let encryptedLength = body.count - macLength
            guard (encryptedLength - ivLength) % block == 0 else { throw .notBlockAligned }
            let encrypted = UnsafeRawBufferPointer(rebasing: body[0..<encryptedLength])
            guard macMatches(contentType: contentType, version: version, content: encrypted,
                             expected: UnsafeRawBufferPointer(rebasing: body[encryptedLength...]))
            else { throw .badRecordMAC }
            var plaintext = try cbcDecrypt(key, chainIV: chainIV, ivLength: ivLength, encrypted: encrypted)
            guard let padding = Self.paddingLength(plaintext, reserved: 0) else { throw .badPadding }
            plaintext.removeLast(padding + 1)
            commitChain(chainIV, encrypted: encrypted)
            return (contentType, plaintext)
        }

        // MAC-then-encrypt: the smallest record is the MAC plus one padding-length byte, in whole blocks.
        guard body.count >= ivLength + (macLength + 1 + block - 1) / block * block else { throw .tooShort }
        guard (body.count - ivLength) % block == 0 else { throw .notBlockAligned }
        var plaintext = try cbcDecrypt(key, chainIV: chainIV, ivLength: ivLength, encrypted: body)
        // A bad padding is reported as a bad MAC: under a wrong key both are noise.
        guard let padding = version == SSL3.version
            ? Self.ssl3PaddingLength(plaintext, reserved: macLength, blockSize: block)
            : Self.paddingLength(plaintext, reserved: macLength) else { throw .badRecordMAC }
        let contentLength = plaintext.count - padding - 1 - macLength
        let ok = plaintext.withUnsafeBytes { raw in
            macMatches(contentType: contentType, version: version,
                       content: UnsafeRawBufferPointer(rebasing: raw[0..<contentLength]),
                       expected: UnsafeRawBufferPointer(rebasing: raw[contentLength..<(contentLength + macLength)]))
        }
        guard ok else { throw .badRecordMAC }
        plaintext.removeLast(plaintext.count - contentLength)
        commitChain(chainIV, encrypted: body)
        return (contentType, plaintext)
    }

    /// Decrypts IV-prefixed (TLS 1.1+) or chained (TLS 1.0) CBC bytes.
    private func cbcDecrypt(_ key: CBCCipher, chainIV: [UInt8]?, ivLength: Int,
                            encrypted: UnsafeRawBufferPointer) throws(DecryptionError) -> [UInt8] {
        let ciphertext = UnsafeRawBufferPointer(rebasing: encrypted[ivLength...])
        let iv = chainIV ?? Array(encrypted[0..<ivLength])
        switch key {
        case .aes(let aes): return try AESCBC.decrypt(key: aes, iv: iv, ciphertext: ciphertext)
        case .tripleDES(let des): return des.decryptCBC(iv: iv, ciphertext: ciphertext)
        }
    }

    /// TLS 1.0: the next record's IV is this record's last ciphertext block.
    private func commitChain(_ chainIV: [UInt8]?, encrypted: UnsafeRawBufferPointer) {
        guard chainIV != nil, case .cbc(let key, _) = engine else { return }
        engine = .cbc(key, chainIV: Array(encrypted[(encrypted.count - key.blockSize)...]))
    }

    /// SSL 3.0 (RFC 6101 5.2.3.2): the padding's bytes are arbitrary; its length (the last byte)
    /// must be shorter than a block and leave room for the MAC.
    private static func ssl3PaddingLength(_ plaintext: [UInt8], reserved: Int, blockSize: Int) -> Int? {
        guard let last = plaintext.last, Int(last) < blockSize, Int(last) + 1 + reserved <= plaintext.count else { return nil }
        return Int(last)
    }

    /// The TLS padding length (the last byte) when every padding byte equals
    /// it and it leaves room for `reserved` bytes (the MAC), else nil.
    private static func paddingLength(_ plaintext: [UInt8], reserved: Int) -> Int? {
        guard let last = plaintext.last else { return nil }
        let padding = Int(last)
        guard padding + 1 + reserved <= plaintext.count else { return nil }
        var difference: UInt8 = 0
        for k in (plaintext.count - 1 - padding)..<(plaintext.count - 1) { difference |= plaintext[k] ^ last }
        return difference == 0 ? padding : nil
    }

    // MARK: - AEAD

    private func decryptGCM12(_ key: SymmetricKey, salt: [UInt8], contentType: UInt8, version: UInt16,
                              body: UnsafeRawBufferPointer) throws(DecryptionError) -> (UInt8, [UInt8]) {
        let explicit = Self.gcmExplicitNonceLength
        guard body.count >= explicit + Self.tagLength else { throw .tooShort }
        let nonce = salt + body[0..<explicit]
        let aad = pseudoHeader(contentType: contentType, version: version, length: body.count - explicit - Self.tagLength)
        let plaintext = try Self.openGCM(key, nonce: nonce, aad: aad,
                                         ciphertextAndTag: UnsafeRawBufferPointer(rebasing: body[explicit...]))
        return (contentType, plaintext)
    }

    private func decryptTLS13(contentType: UInt8, version: UInt16, body: UnsafeRawBufferPointer, tagLength: Int = RecordDecryptor.tagLength,
                              open: ([UInt8], UnsafeRawBufferPointer) throws(DecryptionError) -> [UInt8]) throws(DecryptionError) -> (UInt8, [UInt8]) {
        guard body.count >= tagLength else { throw .tooShort }
        // RFC 8446 5.2 (draft 25 on): the additional data is the record header itself; before draft 25, none.
        let aad: [UInt8]
        switch tls13Rules.additionalData {
        case .empty: aad = []
        case .recordHeader:
            aad = [contentType, UInt8(truncatingIfNeeded: version >> 8), UInt8(truncatingIfNeeded: version),
                   UInt8(truncatingIfNeeded: body.count >> 8), UInt8(truncatingIfNeeded: body.count)]
        }
        var inner = try open(aad, body)
        // TLSInnerPlaintext: content, then the real type, then zero padding.
        while let last = inner.last, last == 0 { inner.removeLast() }
        guard let innerType = inner.popLast() else { throw .badPadding }
        return (innerType, inner)
    }

    private static func openGCM(_ key: SymmetricKey, nonce: [UInt8], aad: [UInt8],
                                ciphertextAndTag: UnsafeRawBufferPointer) throws(DecryptionError) -> [UInt8] {
        guard ciphertextAndTag.count >= tagLength else { throw .tooShort }
        let split = ciphertextAndTag.count - tagLength
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce),
                                            ciphertext: UnsafeRawBufferPointer(rebasing: ciphertextAndTag[0..<split]),
                                            tag: UnsafeRawBufferPointer(rebasing: ciphertextAndTag[split...]))
            return Array(try AES.GCM.open(box, using: key, authenticating: aad))
        } catch {
            throw .badRecordMAC
        }
    }

    private static func openCCM(_ key: SymmetricKey, nonce: [UInt8], aad: [UInt8], ciphertextAndTag: UnsafeRawBufferPointer,
                                tagLength: Int) throws(DecryptionError) -> [UInt8] {
        do {
            return try AESCCM.open(key: key, nonce: nonce, aad: aad, ciphertextAndTag: ciphertextAndTag, tagLength: tagLength)
        } catch {
            throw .badRecordMAC
        }
    }

    private func openChaCha(_ key: SymmetricKey, nonce: [UInt8], aad: [UInt8],
                            body: UnsafeRawBufferPointer) throws(DecryptionError) -> [UInt8] {
        guard body.count >= Self.tagLength else { throw .tooShort }
        let split = body.count - Self.tagLength
        do {
            let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce),
                                               ciphertext: UnsafeRawBufferPointer(rebasing: body[0..<split]),
                                               tag: UnsafeRawBufferPointer(rebasing: body[split...]))
            return Array(try ChaChaPoly.open(box, using: key, authenticating: aad))
        } catch {
            throw .badRecordMAC
        }
    }

    /// The per-record nonce of RFC 7905 / RFC 8446 5.3: the 12-byte IV XOR the
    /// sequence number, left-padded to 12 bytes.
    private func xorNonce(_ iv: [UInt8]) -> [UInt8] {
        var nonce = iv
        for k in 0..<8 { nonce[4 + k] ^= sequenceNumber.bigEndianByte(k) }
        return nonce
    }

    // MARK: - MAC

    /// seq_num || type || version || length: the MAC input prefix (TLS <= 1.2)
    /// and the AEAD additional data (TLS 1.2).
    private func pseudoHeader(contentType: UInt8, version: UInt16, length: Int) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 13)
        for k in 0..<8 { header[k] = sequenceNumber.bigEndianByte(k) }
        header[8] = contentType
        header[9] = UInt8(truncatingIfNeeded: version >> 8)
        header[10] = UInt8(truncatingIfNeeded: version)
        header[11] = UInt8(truncatingIfNeeded: length >> 8)
        header[12] = UInt8(truncatingIfNeeded: length)
        return header
    }

    private func macMatches(contentType: UInt8, version: UInt16, content: UnsafeRawBufferPointer,
                            expected: UnsafeRawBufferPointer) -> Bool {
        if self.version == SSL3.version {
            let secret = macKey.withUnsafeBytes { Array($0) }
            let code: [UInt8]
            switch protection.mac {
            case .md5: code = SSL3.mac(Insecure.MD5.self, secret: secret, sequence: sequenceNumber, contentType: contentType, content: content)
            case .sha1: code = SSL3.mac(Insecure.SHA1.self, secret: secret, sequence: sequenceNumber, contentType: contentType, content: content)
            default: return false
            }
            return code.withUnsafeBytes { ConstantTime.equal($0, expected) }
        }
        let header = pseudoHeader(contentType: contentType, version: version, length: content.count)
        switch protection.mac {
        case .md5: return Self.hmacMatches(Insecure.MD5.self, key: macKey, header: header, content: content, expected: expected)
        case .sha1: return Self.hmacMatches(Insecure.SHA1.self, key: macKey, header: header, content: content, expected: expected)
        case .sha256: return Self.hmacMatches(SHA256.self, key: macKey, header: header, content: content, expected: expected)
        case .sha384: return Self.hmacMatches(SHA384.self, key: macKey, header: header, content: content, expected: expected)
        case .aead: return false
        }
    }

    private static func hmacMatches<H: HashFunction>(_: H.Type, key: SymmetricKey, header: [UInt8],
                                                     content: UnsafeRawBufferPointer, expected: UnsafeRawBufferPointer) -> Bool {
        var hmac = HMAC<H>(key: key)
        hmac.update(data: header)
        hmac.update(data: content)
        let code = hmac.finalize()
        return code.withUnsafeBytes { ConstantTime.equal($0, expected) }
    }
}
