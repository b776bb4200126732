import Crypto

/// The keys protecting one direction of a connection.
public struct DirectionKeys: Sendable, Equatable {
    /// HMAC key (empty for AEAD suites and TLS 1.3).
    public var macKey: [UInt8]
    /// Cipher key.
    public var key: [UInt8]
    /// TLS 1.0 CBC: the first record's IV. GCM (TLS 1.2): the 4-byte salt.
    /// ChaCha20-Poly1305 and TLS 1.3: the 12-byte IV XORed with the sequence number.
    public var iv: [UInt8]

    public init(macKey: [UInt8], key: [UInt8], iv: [UInt8]) {
        self.macKey = macKey
        self.key = key
        self.iv = iv
    }
}

/// Key schedules: the TLS <= 1.2 key block and the TLS 1.3 traffic keys.
public enum KeyDerivation {
    /// Expands the master secret into the key block (RFC 5246 6.3:
    /// PRF(master, "key expansion", server_random + client_random)) and cuts it
    /// into client-write and server-write MAC keys, keys and IVs.
    public static func tls12(masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8],
                             suite: UInt16, version: UInt16) throws(DecryptionError) -> (client: DirectionKeys, server: DirectionKeys) {
        guard (0x0300...0x0303).contains(version) else { throw .unsupportedVersion(version) }
        let protection = try RecordProtection.forSuite(suite)
        guard !protection.isTLS13 else { throw .unsupportedSuite(protection.name) }
        guard masterSecret.count == 48 else { throw .wrongKey }
        let macLength = protection.mac.length
        let total = 2 * (macLength + protection.keyLength + protection.fixedIVLength)
        let block = version == SSL3.version
            ? SSL3.keyBlock(masterSecret: masterSecret, clientRandom: clientRandom, serverRandom: serverRandom, count: total)
            : TLSPRF.prf(version: version, secret: masterSecret, label: "key expansion",
                         seed: serverRandom + clientRandom, count: total, sha384: protection.usesSHA384)
        guard block.count == total else { throw .unsupportedSuite(protection.name) }
        var offset = 0
        func take(_ n: Int) -> [UInt8] {
            defer { offset += n }
            return Array(block[offset..<(offset + n)])
        }
        let clientMAC = take(macLength), serverMAC = take(macLength)
        let clientKey = take(protection.keyLength), serverKey = take(protection.keyLength)
        let clientIV = take(protection.fixedIVLength), serverIV = take(protection.fixedIVLength)
        return (DirectionKeys(macKey: clientMAC, key: clientKey, iv: clientIV),
                DirectionKeys(macKey: serverMAC, key: serverKey, iv: serverIV))
    }

    /// TLS 1.3 (RFC 8446 7.3): key = HKDF-Expand-Label(secret, "key", "", key length),
    /// iv = HKDF-Expand-Label(secret, "iv", "", 12).
    /// Drafts before 20 prefix the labels "TLS 1.3, " (`TLS13DraftRules.labelPrefix`).
    public static func tls13(trafficSecret: [UInt8], suite: UInt16, rules: TLS13DraftRules = .final) throws(DecryptionError) -> DirectionKeys {
        let protection = try tls13Protection(suite)
        guard trafficSecret.count == hashLength(protection) else { throw .wrongKey }
        let prefix = rules.labelPrefix
        return DirectionKeys(
            macKey: [],
            key: expandLabel(secret: trafficSecret, label: "key", context: [], length: protection.keyLength,
                             sha384: protection.usesSHA384, prefix: prefix),
            iv: expandLabel(secret: trafficSecret, label: "iv", context: [], length: 12, sha384: protection.usesSHA384, prefix: prefix))
    }

    /// The traffic secret after a KeyUpdate (RFC 8446 7.2):
    /// HKDF-Expand-Label(secret, "traffic upd", "", Hash.length).
    public static func tls13NextSecret(_ secret: [UInt8], suite: UInt16, rules: TLS13DraftRules = .final) throws(DecryptionError) -> [UInt8] {
        let protection = try tls13Protection(suite)
        guard secret.count == hashLength(protection) else { throw .wrongKey }
        return expandLabel(secret: secret, label: "traffic upd", context: [],
                           length: hashLength(protection), sha384: protection.usesSHA384, prefix: rules.labelPrefix)
    }

    /// HKDF-Expand-Label(secret, label, context, length) with the "tls13 " prefix.
    /// `length` is at most 255 hash lengths (callers pass key, IV and hash sizes).
    public static func expandLabel(secret: [UInt8], label: String, context: [UInt8], length: Int, sha384: Bool,
                                   prefix: String = "tls13 ") -> [UInt8] {
        let fullLabel = Array(prefix.utf8) + Array(label.utf8)
        var info: [UInt8] = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        info.append(UInt8(truncatingIfNeeded: fullLabel.count))
        info += fullLabel
        info.append(UInt8(truncatingIfNeeded: context.count))
        info += context
        let key = sha384
            ? HKDF<SHA384>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
            : HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
        return key.withUnsafeBytes { Array($0) }
    }

    private static func tls13Protection(_ suite: UInt16) throws(DecryptionError) -> RecordProtection {
        let protection = try RecordProtection.forSuite(suite)
        guard protection.isTLS13 else { throw .unsupportedSuite(protection.name) }
        return protection
    }

    private static func hashLength(_ protection: RecordProtection) -> Int {
        protection.usesSHA384 ? 48 : 32
    }
}
