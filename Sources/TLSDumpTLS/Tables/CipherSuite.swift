// Cipher suites and their parts. The table itself is generated
// (GeneratedCipherSuites.swift, by tools/gen-tables.py); the parts are parsed
// from the IANA names there so the analysis can judge a suite by its fields.

/// How the premaster secret is agreed.
public enum KeyExchangeAlgorithm: String, Sendable {
    case rsa, dh, dhe, ecdh, ecdhe, psk, dhePSK, ecdhePSK, rsaPSK, srp, krb5, gost
    /// TLS 1.3 suites name no key exchange; it is negotiated by extensions.
    case tls13
    /// RFC 8492 secure password suites.
    case eccpwd
    case null, unknown
}

/// How the server (and key exchange) is authenticated.
public enum AuthenticationAlgorithm: String, Sendable {
    case rsa, dss, ecdsa
    /// `*_anon_*` suites: no authentication at all.
    case anonymous
    /// Authenticated by a shared secret and no certificate: a pre-shared key,
    /// or a password (SRP_SHA, ECCPWD, ECJPAKE suites).
    case psk
    case krb5, gost, null
    /// TLS 1.3 suites name no authentication; certificates and signature
    /// schemes decide it.
    case tls13
    case unknown
}

/// The record protection cipher, with its key size and mode.
public enum BulkCipher: String, Sendable {
    case null, rc4_40, rc4_56, rc4_128, rc2_40, rc2_56, des40, des, tripleDES, idea
    case aes128CBC, aes256CBC, aes128GCM, aes256GCM, aes128CCM, aes128CCM8, aes256CCM, aes256CCM8
    case camellia128CBC, camellia256CBC, camellia128GCM, camellia256GCM
    case aria128CBC, aria256CBC, aria128GCM, aria256GCM
    case seedCBC, chacha20Poly1305, sm4GCM, sm4CCM
    /// GOST 28147-89, Magma or Kuznyechik.
    case gost
    case unknown
}

/// The record MAC; `aead` when the cipher authenticates (the suite's hash then
/// only names the PRF).
public enum MACAlgorithm: String, Sendable {
    case null, md5, sha1, sha256, sha384, aead, gost, sm3, unknown
}

/// One registered cipher suite code point and what it is made of.
public struct CipherSuiteInfo: Sendable, Hashable {
    public let code: UInt16
    /// IANA name, e.g. "TLS_RSA_WITH_RC4_128_MD5".
    public let name: String
    public let keyExchange: KeyExchangeAlgorithm
    public let authentication: AuthenticationAlgorithm
    public let cipher: BulkCipher
    public let mac: MACAlgorithm
    /// An export-grade suite (`*_EXPORT_*`, `*_EXPORT1024_*`).
    public let isExport: Bool

    init(_ code: UInt16, _ name: String, _ keyExchange: KeyExchangeAlgorithm,
         _ authentication: AuthenticationAlgorithm, _ cipher: BulkCipher, _ mac: MACAlgorithm,
         export isExport: Bool) {
        self.code = code
        self.name = name
        self.keyExchange = keyExchange
        self.authentication = authentication
        self.cipher = cipher
        self.mac = mac
        self.isExport = isExport
    }

    public var isAEAD: Bool { mac == .aead }
    /// A TLS 1.3 suite (TLS_AES_128_GCM_SHA256 style).
    public var isTLS13: Bool { keyExchange == .tls13 }
    /// A signalling value rather than a suite: TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    /// (RFC 5746) or TLS_FALLBACK_SCSV (RFC 7507).
    public var isSignalling: Bool { code == 0x00ff || code == 0x5600 }
}

public enum CipherSuiteRegistry {
    /// The suite registered at `code`, or nil (GREASE values included: test
    /// `TLSRegistry.isGREASE`).
    public static func info(_ code: UInt16) -> CipherSuiteInfo? {
        let table = GeneratedTables.cipherSuites
        guard let index = table.indexOfEntry(code: code) else { return nil }
        return table[index]
    }

    /// The IANA name of the suite at `code`, or nil when unknown.
    public static func name(_ code: UInt16) -> String? {
        info(code)?.name
    }

    /// Every known suite, ascending by code.
    public static var all: [CipherSuiteInfo] { GeneratedTables.cipherSuites }
}
