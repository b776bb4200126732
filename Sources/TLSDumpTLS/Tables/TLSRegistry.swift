import TLSDumpBase
// Names for the TLS registries. The tables are generated data
// (GeneratedRegistries.swift, by tools/gen-tables.py), sorted by code, so a
// lookup is a binary search: no allocation, no hashing.

/// Namespace for the generated tables (see tools/gen-tables.py).
enum GeneratedTables {}

/// A table row: something with a numeric code the table is sorted by.
protocol CodedEntry {
    associatedtype Code: FixedWidthInteger
    var code: Code { get }
}

/// One code point and its registry name.
struct RegistryName<Code: FixedWidthInteger & Sendable>: CodedEntry, Sendable {
    let code: Code
    let name: String

    init(_ code: Code, _ name: String) {
        self.code = code
        self.name = name
    }
}

extension CipherSuiteInfo: CodedEntry {}

extension Array where Element: CodedEntry {
    /// Binary search; the generated tables are sorted ascending by code, with
    /// no duplicates (TablesTests checks both).
    func indexOfEntry(code: Element.Code) -> Int? {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            let candidate = self[middle].code
            if candidate == code { return middle }
            if candidate < code { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}

extension Array {
    func registryName<Code>(_ code: Code) -> String? where Element == RegistryName<Code> {
        guard let index = indexOfEntry(code: code) else { return nil }
        return self[index].name
    }
}

/// Names for the TLS registries other than cipher suites; nil when unknown.
/// GREASE values (RFC 8701) are in no table: test `isGREASE` first.
public enum TLSRegistry {
    /// ExtensionType name, e.g. "server_name", "renegotiation_info".
    public static func extensionName(_ type: UInt16) -> String? {
        GeneratedTables.extensionTypes.registryName(type)
    }

    /// AlertDescription name, e.g. "close_notify", "no_renegotiation".
    public static func alertName(_ description: UInt8) -> String? {
        GeneratedTables.alertDescriptions.registryName(description)
    }

    /// "warning" or "fatal".
    public static func alertLevelName(_ level: UInt8) -> String? {
        GeneratedTables.alertLevels.registryName(level)
    }

    /// Supported group (named curve / FFDHE / KEM) name, e.g. "x25519", "X25519MLKEM768".
    public static func groupName(_ group: UInt16) -> String? {
        GeneratedTables.supportedGroups.registryName(group)
    }

    /// SignatureScheme name, e.g. "rsa_pss_rsae_sha256"; TLS 1.2 (hash, signature)
    /// pairs outside the registry are named the same way ("dsa_sha256").
    public static func signatureSchemeName(_ scheme: UInt16) -> String? {
        GeneratedTables.signatureSchemes.registryName(scheme)
    }

    /// HandshakeType name in RFC CamelCase, e.g. "ClientHello", "CertificateRequest".
    public static func handshakeTypeName(_ type: UInt8) -> String? {
        GeneratedTables.handshakeTypes.registryName(type)
    }

    /// ContentType name, e.g. "change_cipher_spec", "application_data".
    public static func contentTypeName(_ type: UInt8) -> String? {
        GeneratedTables.contentTypes.registryName(type)
    }

    /// "null", "DEFLATE" or "LZS".
    public static func compressionMethodName(_ method: UInt8) -> String? {
        GeneratedTables.compressionMethods.registryName(method)
    }

    /// ClientCertificateType name (CertificateRequest), e.g. "rsa_sign", "ecdsa_sign".
    public static func clientCertificateTypeName(_ type: UInt8) -> String? {
        GeneratedTables.clientCertificateTypes.registryName(type)
    }

    /// EC point format name, e.g. "uncompressed".
    public static func ecPointFormatName(_ format: UInt8) -> String? {
        GeneratedTables.ecPointFormats.registryName(format)
    }

    /// Name of a 24-bit SSLv2 cipher kind, e.g. 0x010080 "SSL2_RC4_128_WITH_MD5".
    /// SSLv2-compatible ClientHellos carry TLS suites as 0x00XXXX; those get the
    /// TLS suite's name.
    public static func sslv2CipherKindName(_ kind: UInt32) -> String? {
        if kind <= 0xffff {
            return CipherSuiteRegistry.name(UInt16(truncatingIfNeeded: kind))
        }
        return GeneratedTables.sslv2CipherKinds.registryName(kind)
    }

    /// Every registered (code, name) pair, ascending by code, for callers that
    /// render each name once (output writers' pre-encoded fragments).
    public static var extensionTypes: [(code: UInt16, name: String)] {
        GeneratedTables.extensionTypes.map { ($0.code, $0.name) }
    }

    public static var groups: [(code: UInt16, name: String)] {
        GeneratedTables.supportedGroups.map { ($0.code, $0.name) }
    }

    public static var signatureSchemes: [(code: UInt16, name: String)] {
        GeneratedTables.signatureSchemes.map { ($0.code, $0.name) }
    }

    /// The 16 GREASE values (RFC 8701), ascending.
    public static var greaseValues: [UInt16] {
        (0..<16).map { UInt16($0) << 12 | UInt16($0) << 4 | 0x0a0a }
    }

    /// RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa.
    public static func isGREASE(_ value: UInt16) -> Bool {
        (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0x00ff)
    }

    /// Protocol version as the event contract spells it: "SSLv2", "SSLv3",
    /// "TLSv1.0" ... "TLSv1.3"; 0x7fNN is "TLSv1.3-draftNN" (NN decimal), Facebook's
    /// 0xfbNN "TLSv1.3-draftNN-fb"; any other value its code, "0x7e01" style.
    public static func versionName(_ version: UInt16) -> String {
        if let name = versionNames.registryName(version) { return name }
        if version >> 8 == 0x7f {
            return "TLSv1.3-draft" + String(version & 0x00ff)
        }
        if version >> 8 == 0xfb {
            // Facebook's Fizz: 0xfb17 is its draft 23, 0xfb1a its draft 26 ("tls_1_3_23_fb").
            return "TLSv1.3-draft" + String(version & 0x00ff) + "-fb"
        }
        return hexCode(version)
    }

    private static let versionNames: [RegistryName<UInt16>] = [
        .init(0x0002, "SSLv2"),
        .init(0x0300, "SSLv3"),
        .init(0x0301, "TLSv1.0"),
        .init(0x0302, "TLSv1.1"),
        .init(0x0303, "TLSv1.2"),
        .init(0x0304, "TLSv1.3"),
    ]

    /// "0x" and four lower-case hex digits (fits a small, inline String).
    private static func hexCode(_ value: UInt16) -> String { hexNumber(value, digits: 4) }
}
