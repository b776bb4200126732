import Crypto
import TLSDumpTLS

/// The keys protecting one direction at one encryption level: AEAD key and IV,
/// header protection key (RFC 9001 5.1).
public struct QUICPacketKeys: Sendable, Equatable {
    public var key: [UInt8]
    public var iv: [UInt8]
    public var hp: [UInt8]
    public var aead: QUICAEAD

    public init(key: [UInt8], iv: [UInt8], hp: [UInt8], aead: QUICAEAD) {
        self.key = key
        self.iv = iv
        self.hp = hp
        self.aead = aead
    }

    /// Initial keys of both directions, derived from the client's first
    /// Destination Connection ID (RFC 9001 5.2; RFC 9369 3.3.1 for v2):
    /// initial_secret = HKDF-Extract(salt, dcid), then "client in"/"server in",
    /// then the version's key/iv/hp labels; always AES-128-GCM.
    public static func initial(dcid: [UInt8], version: QUICVersionInfo) -> (client: QUICPacketKeys, server: QUICPacketKeys) {
        let secrets = initialSecrets(dcid: dcid, version: version)
        return (derive(secrets.client, aead: .aes128gcm, version: version),
                derive(secrets.server, aead: .aes128gcm, version: version))
    }

    /// The client and server Initial secrets (exposed for tests and key logs).
    public static func initialSecrets(dcid: [UInt8], version: QUICVersionInfo) -> (client: [UInt8], server: [UInt8]) {
        let initialSecret = hkdfExtractSHA256(salt: version.initialSalt, inputKeyMaterial: dcid)
        let expander = QUICLabelExpander<SHA256>(secret: initialSecret)
        return (expander.expand("client in", length: 32), expander.expand("server in", length: 32))
    }

    /// Handshake, 0-RTT or 1-RTT keys from a traffic secret (e.g. a key log's
    /// CLIENT_HANDSHAKE_TRAFFIC_SECRET) of a TLS 1.3 suite: 0x1301 AES-128-GCM,
    /// 0x1302 AES-256-GCM (SHA-384 labels), 0x1303 ChaCha20-Poly1305.
    public static func fromTrafficSecret(_ secret: [UInt8], cipherSuite: UInt16,
                                         version: QUICVersionInfo) throws(QUICKeyError) -> QUICPacketKeys {
        guard let aead = QUICAEAD(cipherSuite: cipherSuite) else { throw .unsupportedCipherSuite(cipherSuite) }
        guard secret.count == aead.secretLength else { throw .wrongSecretLength(expected: aead.secretLength, got: secret.count) }
        return derive(secret, aead: aead, version: version)
    }

    /// The next 1-RTT secret after a key update (RFC 9001 6.1): the version's
    /// "quic ku" label over the current secret. The hp key does not change.
    public static func nextTrafficSecret(_ secret: [UInt8], cipherSuite: UInt16,
                                         version: QUICVersionInfo) throws(QUICKeyError) -> [UInt8] {
        guard let aead = QUICAEAD(cipherSuite: cipherSuite) else { throw .unsupportedCipherSuite(cipherSuite) }
        guard secret.count == aead.secretLength else { throw .wrongSecretLength(expected: aead.secretLength, got: secret.count) }
        return KeyDerivation.expandLabel(secret: secret, label: version.keyUpdateLabel, context: [],
                                         length: aead.secretLength, sha384: aead.usesSHA384)
    }

    private static func derive(_ secret: [UInt8], aead: QUICAEAD, version: QUICVersionInfo) -> QUICPacketKeys {
        aead.usesSHA384 ? derive(QUICLabelExpander<SHA384>(secret: secret), aead: aead, version: version)
                        : derive(QUICLabelExpander<SHA256>(secret: secret), aead: aead, version: version)
    }

    private static func derive<H>(_ expander: QUICLabelExpander<H>, aead: QUICAEAD, version: QUICVersionInfo) -> QUICPacketKeys {
        QUICPacketKeys(key: expander.expand(version.keyLabel, length: aead.keyLength),
                       iv: expander.expand(version.ivLabel, length: 12),
                       hp: expander.expand(version.hpLabel, length: aead.keyLength),
                       aead: aead)
    }
}
