import TLSDumpBase
import TLSDumpTLS

/// Where keys come from: a key log (SSLKEYLOGFILE, OpenSSL's RSA lines) and
/// server RSA private keys (PEM) for static RSA key exchange.
public struct KeyMaterial: Sendable {
    public var keyLog: KeyLog
    public var rsaPrivateKeysPEM: [String]
    /// `--psk`: pre-shared keys for the TLS 1.2 PSK and RSA-PSK suites (RFC 4279).
    public var preSharedKeys: [PreSharedKey] = []
    /// Live capture: key log files to read again when a client random is not in them yet
    /// (browsers and `s_client -keylogfile` append while the capture runs).
    public var reloadableKeyLogPaths: [String] = []
    /// Sessions whose master secret was found, for the handshakes that resume them (one per run).
    public var resumableSessions = ResumableSessions()

    public init(keyLog: KeyLog = KeyLog(), rsaPrivateKeysPEM: [String] = []) {
        self.keyLog = keyLog
        self.rsaPrivateKeysPEM = rsaPrivateKeysPEM
    }

    public var isEmpty: Bool { keyLog.count == 0 && rsaPrivateKeysPEM.isEmpty && preSharedKeys.isEmpty }
}
