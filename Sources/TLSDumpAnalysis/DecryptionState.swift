import TLSDumpTLS

/// Where keys come from: a key log (SSLKEYLOGFILE, OpenSSL's RSA lines) and
/// server RSA private keys (PEM) for static RSA key exchange.
public struct KeyMaterial: Sendable {
    public var keyLog: KeyLog
    public var rsaPrivateKeysPEM: [String]

    public init(keyLog: KeyLog = KeyLog(), rsaPrivateKeysPEM: [String] = []) {
        self.keyLog = keyLog
        self.rsaPrivateKeysPEM = rsaPrivateKeysPEM
    }

    public var isEmpty: Bool { keyLog.count == 0 && rsaPrivateKeysPEM.isEmpty }
}

/// The decryptors of one connection: those in force per side, and those
/// waiting for that side's ChangeCipherSpec (TLS 1.2 and older).
final class DecryptionState {
    var active: [RecordDecryptor?] = [nil, nil]
    var pending: [RecordDecryptor?] = [nil, nil]
    /// TLS 1.3 application traffic secrets, switched in after each side's Finished.
    var applicationSecrets: [[UInt8]?] = [nil, nil]
    /// The current traffic secret per side (for KeyUpdate).
    var currentSecrets: [[UInt8]?] = [nil, nil]
    var tls13Suite: UInt16?
    var used = false
    var failedSides: [Bool] = [false, false]
    var unsupportedReported = false
    var noKeyReported = false
    /// Handshake messages (with headers) of the current handshake up to the
    /// ClientKeyExchange: the RFC 7627 session hash needs them for RSA decryption.
    var transcript: [UInt8] = []
    static let transcriptLimit = 512 * 1024

    static func index(_ side: Side) -> Int { side == .client ? 0 : 1 }
}
