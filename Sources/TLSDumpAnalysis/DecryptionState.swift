import TLSDumpBase
import TLSDumpTLS

/// Where keys come from: a key log (SSLKEYLOGFILE, OpenSSL's RSA lines) and
/// server RSA private keys (PEM) for static RSA key exchange.
public struct KeyMaterial: Sendable {
    public var keyLog: KeyLog
    public var rsaPrivateKeysPEM: [String]
    /// Live capture: key log files to read again when a client random is not in them yet
    /// (browsers and `s_client -keylogfile` append while the capture runs).
    public var reloadableKeyLogPaths: [String] = []

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

#if canImport(Glibc)
import Glibc
#endif

/// The key material of a run, shared by its connections; re-reads growing key logs.
final class KeyStore {
    private(set) var material: KeyMaterial
    private var sizes: [String: Int] = [:]
    private(set) var reloads = 0

    init(_ material: KeyMaterial) {
        self.material = material
        for path in material.reloadableKeyLogPaths { sizes[path] = KeyStore.fileSize(path) }
    }

    var keyLog: KeyLog { material.keyLog }

    /// Reads the key logs again if any grew; true when something new was read.
    func reloadIfGrown() -> Bool {
        guard !material.reloadableKeyLogPaths.isEmpty else { return false }
        var grown = false
        for path in material.reloadableKeyLogPaths {
            let size = KeyStore.fileSize(path)
            if size != sizes[path] { grown = true; sizes[path] = size }
        }
        guard grown else { return false }
        var log = KeyLog()
        for path in material.reloadableKeyLogPaths {
            if let bytes = readSmallFile(path) { log.parse(bytes: bytes) }
        }
        material.keyLog = log
        reloads += 1
        return true
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : -1
    }
}
