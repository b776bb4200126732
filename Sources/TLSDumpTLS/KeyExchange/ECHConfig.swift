import TLSDumpBase

/// One ECHConfig (RFC 9849 section 4) as a server's retry_configs list it:
/// enough to tell a reader which public name and keys the server offers.
public struct ECHConfig: Sendable, Equatable {
    public var version: UInt16
    /// The fields below are read only for version 0xfe0d (RFC 9849); other
    /// versions are listed with their version and length alone.
    public var length: Int
    public var configID: UInt8?
    public var kemID: UInt16?
    public var publicKeyLength: Int?
    /// (kdf, aead) pairs.
    public var cipherSuites: [ECHCipherSuite] = []
    public var maximumNameLength: UInt8?
    public var publicName: String?
    public var extensionTypes: [UInt16] = []

    public static let rfc9849Version: UInt16 = 0xfe0d
    /// A config lists a few suites and extensions; more is a hostile list.
    public static let maxCipherSuites = 32
    public static let maxExtensions = 32

    public init(version: UInt16, length: Int) {
        self.version = version
        self.length = length
    }

    /// ECHConfigContents of version 0xfe0d.
    static func parseContents(_ body: UnsafeRawBufferPointer, into config: inout ECHConfig) throws(ParseError) {
        var r = ByteReader(body)
        config.configID = try r.u8()
        config.kemID = try r.u16()
        config.publicKeyLength = try r.vector(lengthBytes: 2).remaining
        var suites = try r.vector(lengthBytes: 2)
        guard suites.remaining % 4 == 0 else { throw .malformed("ECHConfig cipher_suites length \(suites.remaining) is not a multiple of 4") }
        while !suites.isAtEnd {
            let suite = ECHCipherSuite(kdf: try suites.u16(), aead: try suites.u16())
            if config.cipherSuites.count < maxCipherSuites { config.cipherSuites.append(suite) }
        }
        config.maximumNameLength = try r.u8()
        let name = try r.vector(lengthBytes: 1)
        config.publicName = String(decoding: name.bytes, as: UTF8.self)
        var extensions = try r.vector(lengthBytes: 2)
        while !extensions.isAtEnd {
            let type = try extensions.u16()
            _ = try extensions.vector(lengthBytes: 2)
            if config.extensionTypes.count < maxExtensions { config.extensionTypes.append(type) }
        }
        guard r.isAtEnd else { throw .malformed("\(r.remaining) bytes after the ECHConfig contents") }
    }
}

/// An HPKE symmetric suite: key derivation and AEAD ids (RFC 9180 7.2, 7.3).
public struct ECHCipherSuite: Sendable, Equatable {
    public var kdf: UInt16
    public var aead: UInt16

    public init(kdf: UInt16, aead: UInt16) {
        self.kdf = kdf
        self.aead = aead
    }
}

/// ECHConfigList: the server's retry_configs in EncryptedExtensions (RFC 9849 7.1).
public enum ECHConfigList {
    /// A server sends one or two; more is a hostile list (the rest are counted, not kept).
    public static let maxConfigs = 16

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> (configs: [ECHConfig], dropped: Int) {
        var r = ByteReader(body)
        var list = try r.vector(lengthBytes: 2)
        guard r.isAtEnd else { throw .malformed("\(r.remaining) bytes after the ECHConfigList") }
        var configs: [ECHConfig] = []
        var dropped = 0
        while !list.isAtEnd {
            let version = try list.u16()
            let contents = try list.vector(lengthBytes: 2)
            guard configs.count < maxConfigs else {
                dropped += 1
                continue
            }
            var config = ECHConfig(version: version, length: contents.remaining)
            if version == ECHConfig.rfc9849Version {
                try ECHConfig.parseContents(contents.bytes, into: &config)
            }
            configs.append(config)
        }
        return (configs, dropped)
    }
}

/// Names of the HPKE ids ECH uses (RFC 9180 section 7; ML-KEM from draft-ietf-hpke-pq).
public enum HPKENames {
    public static func kem(_ id: UInt16) -> String? {
        switch id {
        case 0x0010: "DHKEM(P-256, HKDF-SHA256)"
        case 0x0011: "DHKEM(P-384, HKDF-SHA384)"
        case 0x0012: "DHKEM(P-521, HKDF-SHA512)"
        case 0x0020: "DHKEM(X25519, HKDF-SHA256)"
        case 0x0021: "DHKEM(X448, HKDF-SHA512)"
        case 0x0040: "ML-KEM-512"
        case 0x0041: "ML-KEM-768"
        case 0x0042: "ML-KEM-1024"
        case 0x647a: "X25519Kyber768Draft00"
        default: nil
        }
    }

    public static func kdf(_ id: UInt16) -> String? {
        switch id {
        case 0x0001: "HKDF-SHA256"
        case 0x0002: "HKDF-SHA384"
        case 0x0003: "HKDF-SHA512"
        default: nil
        }
    }

    public static func aead(_ id: UInt16) -> String? {
        switch id {
        case 0x0001: "AES-128-GCM"
        case 0x0002: "AES-256-GCM"
        case 0x0003: "ChaCha20Poly1305"
        case 0xffff: "Export-only"
        default: nil
        }
    }
}
