/// The AEAD protecting QUIC packets (the TLS 1.3 cipher suite's), which also
/// picks the header protection cipher (RFC 9001 5.4.3, 5.4.4).
public enum QUICAEAD: Sendable, Equatable {
    case aes128gcm
    case aes256gcm
    case chacha20poly1305

    /// The AEAD of a TLS 1.3 cipher suite; nil for others (e.g. AES-CCM).
    public init?(cipherSuite: UInt16) {
        switch cipherSuite {
        case 0x1301: self = .aes128gcm
        case 0x1302: self = .aes256gcm
        case 0x1303: self = .chacha20poly1305
        default: return nil
        }
    }

    public var keyLength: Int { self == .aes128gcm ? 16 : 32 }
    /// The hash of the suite's HKDF: SHA-384 for AES-256-GCM, SHA-256 otherwise.
    public var usesSHA384: Bool { self == .aes256gcm }
    public var secretLength: Int { usesSHA384 ? 48 : 32 }
}
