import TLSDumpBase
/// How a cipher suite protects records, as far as decryption cares: the
/// cipher and its key/IV sizes, the MAC, and the PRF hash. Built from
/// `CipherSuiteRegistry` so a suite is described in one place.
public struct RecordProtection: Sendable, Equatable {
    /// The record cipher constructions this layer decrypts.
    public enum Cipher: Sendable, Equatable {
        /// NULL cipher: MAC only.
        case null
        case rc4
        case aesCBC
        case aesGCM
        case chacha20Poly1305
        /// AES-CCM (RFC 6655, RFC 8446): 16-byte tag; CCM_8: 8-byte tag.
        case aesCCM
        case aesCCM8
        /// 3DES-EDE-CBC (SSL 3.0, TLS 1.0-1.2 legacy suites): 8-byte blocks.
        case tripleDESCBC

        /// The cipher authenticates itself (no separate MAC).
        public var isAEAD: Bool {
            switch self {
            case .aesGCM, .chacha20Poly1305, .aesCCM, .aesCCM8: true
            case .null, .rc4, .aesCBC, .tripleDESCBC: false
            }
        }

        /// The AEAD tag length (0 for MAC-then-encrypt ciphers).
        public var tagLength: Int {
            switch self {
            case .aesCCM8: 8
            case .aesGCM, .chacha20Poly1305, .aesCCM: 16
            case .null, .rc4, .aesCBC, .tripleDESCBC: 0
            }
        }
    }

    public enum MAC: Sendable, Equatable {
        case md5, sha1, sha256, sha384
        /// The cipher authenticates (AEAD); no separate MAC.
        case aead

        /// MAC output and key length in bytes.
        public var length: Int {
            switch self {
            case .md5: return 16
            case .sha1: return 20
            case .sha256: return 32
            case .sha384: return 48
            case .aead: return 0
            }
        }
    }

    public let suite: UInt16
    public let name: String
    public let cipher: Cipher
    public let mac: MAC
    /// Bytes of the write key.
    public let keyLength: Int
    /// Bytes of the write IV taken from the key block (TLS <= 1.2): the CBC IV
    /// (used only by TLS 1.0), the 4-byte GCM salt, the 12-byte ChaCha20 IV.
    /// TLS 1.3 always uses a 12-byte IV.
    public let fixedIVLength: Int
    /// The PRF / HKDF hash is SHA-384 (else SHA-256; TLS 1.0/1.1 ignore it).
    public let usesSHA384: Bool
    /// A TLS 1.3 suite.
    public let isTLS13: Bool

    /// Per bulk cipher: construction, key length, key-block IV length. Ciphers
    /// absent here (3DES, CCM, Camellia, ARIA, export RC4, ...) are unsupported.
    private static let ciphers: [BulkCipher: (cipher: Cipher, keyLength: Int, fixedIVLength: Int)] = [
        .null: (.null, 0, 0),
        .rc4_128: (.rc4, 16, 0),
        .aes128CBC: (.aesCBC, 16, 16),
        .aes256CBC: (.aesCBC, 32, 16),
        .aes128GCM: (.aesGCM, 16, 4),
        .aes256GCM: (.aesGCM, 32, 4),
        .chacha20Poly1305: (.chacha20Poly1305, 32, 12),
        .tripleDES: (.tripleDESCBC, 24, 8),
        .aes128CCM: (.aesCCM, 16, 4),
        .aes256CCM: (.aesCCM, 32, 4),
        .aes128CCM8: (.aesCCM8, 16, 4),
        .aes256CCM8: (.aesCCM8, 32, 4),
    ]

    private static let macs: [MACAlgorithm: MAC] = [
        .md5: .md5, .sha1: .sha1, .sha256: .sha256, .sha384: .sha384, .aead: .aead,
    ]

    /// The protection of `suite`, or `.unsupportedSuite(name)` when this layer
    /// cannot decrypt it (unknown code, export suite, cipher or MAC not supported).
    public static func forSuite(_ suite: UInt16) throws(DecryptionError) -> RecordProtection {
        guard let info = CipherSuiteRegistry.info(suite) else {
            throw .unsupportedSuite(hexCode(suite))
        }
        guard !info.isExport, !info.isSignalling,
              let (cipher, keyLength, fixedIVLength) = ciphers[info.cipher],
              let mac = macs[info.mac],
              cipher.isAEAD == (mac == .aead),
              !(info.isTLS13 && mac != .aead),
              suite != 0x0000                                     // TLS_NULL_WITH_NULL_NULL: nothing to do
        else {
            throw .unsupportedSuite(info.name)
        }
        return RecordProtection(
            suite: suite, name: info.name, cipher: cipher, mac: mac,
            keyLength: keyLength, fixedIVLength: fixedIVLength,
            // RFC 5288/5289/7905/8446: SHA-384 suites say so in their name;
            // every other TLS 1.2 suite uses the SHA-256 PRF.
            usesSHA384: mac == .sha384 || info.name.hasSuffix("_SHA384"),
            isTLS13: info.isTLS13)
    }

    static func hexCode(_ suite: UInt16) -> String { hexNumber(suite, digits: 4) }
}
