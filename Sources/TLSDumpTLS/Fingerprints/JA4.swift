/// The transport a hello travelled over: the first character of JA4 and JA4S.
public enum JA4Transport: Sendable {
    case tcp, quic, dtls

    var marker: UInt8 {
        switch self {
        case .tcp: UInt8(ascii: "t")
        case .quic: UInt8(ascii: "q")
        case .dtls: UInt8(ascii: "d")
        }
    }
}

/// JA4 and JA4S (FoxIO, https://github.com/FoxIO-LLC/ja4, technical_details/JA4.md
/// and JA4S.md), following the specification and the reference implementation:
/// GREASE is ignored everywhere (ciphers, extensions, versions, signature algorithms),
/// counts are two digits capped at 99, hashes are the first 12 hex digits of SHA-256
/// and an empty list hashes to twelve zeros.
enum JA4 {
    /// The three parts of a JA4 before hashing ("JA4_a", "JA4_b" input, "JA4_c" input).
    struct ClientParts {
        var prefix: FingerprintText
        var ciphers: FingerprintText
        var extensionsAndAlgorithms: FingerprintText

        var hashed: String {
            var text = prefix
            text.append(UInt8(ascii: "_"))
            text.append(FingerprintHash.sha256Prefix12(ciphers))
            text.append(UInt8(ascii: "_"))
            text.append(FingerprintHash.sha256Prefix12(extensionsAndAlgorithms))
            return text.string
        }

        var raw: String {
            var text = prefix
            text.append(UInt8(ascii: "_"))
            text.append(ciphers)
            text.append(UInt8(ascii: "_"))
            text.append(extensionsAndAlgorithms)
            return text.string
        }
    }

    /// The pieces of a JA4S: "JA4S_a_JA4S_b" and the extension list hashed into JA4S_c.
    struct ServerParts {
        var prefixAndCipher: FingerprintText
        var extensions: FingerprintText

        var hashed: String {
            var text = prefixAndCipher
            text.append(UInt8(ascii: "_"))
            text.append(FingerprintHash.sha256Prefix12(extensions))
            return text.string
        }

        var raw: String {
            var text = prefixAndCipher
            text.append(UInt8(ascii: "_"))
            text.append(extensions)
            return text.string
        }
    }

    /// Protocol version codes of the specification; anything else is "00".
    private static let versionCodes: [UInt16: String] = [
        0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10",
        0x0300: "s3", 0x0002: "s2",
        0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3",
    ]

    static func versionCode(_ version: UInt16) -> String { versionCodes[version] ?? "00" }

    /// The client's version: the highest non-GREASE supported_versions entry when the
    /// extension is there, else legacy_version (SSLv2 hellos carry 0x0002 there).
    static func clientVersion(_ hello: ClientHello) -> UInt16 {
        hello.supportedVersions.lazy.filter { !TLSRegistry.isGREASE($0) }.max() ?? hello.legacyVersion
    }

    /// Two characters for the first ALPN protocol: its first and last bytes when both
    /// are ASCII letters or digits (one byte counts as both); otherwise the first and
    /// last hex digits of the value (high nibble of the first byte, low nibble of the
    /// last); "00" when there is no ALPN or the first value is empty.
    static func appendALPNCode(_ value: [UInt8]?, to text: inout FingerprintText) {
        guard let value, let first = value.first, let last = value.last else {
            text.append("00")
            return
        }
        if isASCIIAlphanumeric(first) && isASCIIAlphanumeric(last) {
            text.append(first)
            text.append(last)
        } else {
            text.append(FingerprintHex.digit(first >> 4))
            text.append(FingerprintHex.digit(last))
        }
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): true
        default: false
        }
    }

    /// `originalOrder` keeps wire order and, like the reference's `ja4_o`, keeps SNI and
    /// ALPN in the extension list; the sorted form drops them (they are in JA4_a).
    static func clientParts(_ hello: ClientHello, transport: JA4Transport, originalOrder: Bool) -> ClientParts {
        var ciphers = hello.cipherSuites.filter { !TLSRegistry.isGREASE($0) }
        var extensions = hello.extensionTypes.filter { !TLSRegistry.isGREASE($0) }
        let algorithms = hello.signatureAlgorithms.filter { !TLSRegistry.isGREASE($0) }

        var prefix = FingerprintText(capacity: 10)
        prefix.append(transport.marker)
        prefix.append(versionCode(clientVersion(hello)))
        // "d" (domain) whenever the server_name extension is present, whatever it holds.
        prefix.append(extensions.contains(ExtensionType.serverName) ? UInt8(ascii: "d") : UInt8(ascii: "i"))
        prefix.appendTwoDigitCount(ciphers.count)
        prefix.appendTwoDigitCount(extensions.count)
        appendALPNCode(hello.alpn.first, to: &prefix)

        if !originalOrder {
            ciphers.sort()
            extensions.removeAll { $0 == ExtensionType.serverName || $0 == ExtensionType.alpn }
            extensions.sort()
        }
        var cipherText = FingerprintText(capacity: ciphers.count * 5)
        cipherText.appendJoined(ciphers, separator: UInt8(ascii: ",")) { $0.appendHex4($1) }

        var extensionText = FingerprintText(capacity: (extensions.count + algorithms.count) * 5 + 1)
        extensionText.appendJoined(extensions, separator: UInt8(ascii: ",")) { $0.appendHex4($1) }
        // No algorithms: the string ends without the underscore (specification wording).
        if !algorithms.isEmpty {
            extensionText.append(UInt8(ascii: "_"))
            extensionText.appendJoined(algorithms, separator: UInt8(ascii: ",")) { $0.appendHex4($1) }
        }
        return ClientParts(prefix: prefix, ciphers: cipherText, extensionsAndAlgorithms: extensionText)
    }

    /// Version (supported_versions when the server sent it), extension count, ALPN,
    /// the chosen suite; extensions keep the server's order.
    static func serverParts(_ hello: ServerHello, transport: JA4Transport) -> ServerParts {
        let extensions = hello.extensionTypes.filter { !TLSRegistry.isGREASE($0) }
        var head = FingerprintText(capacity: 12)
        head.append(transport.marker)
        head.append(versionCode(hello.negotiatedVersion))
        head.appendTwoDigitCount(extensions.count)
        appendALPNCode(hello.alpn, to: &head)
        head.append(UInt8(ascii: "_"))
        head.appendHex4(hello.cipherSuite)

        var extensionText = FingerprintText(capacity: extensions.count * 5)
        extensionText.appendJoined(extensions, separator: UInt8(ascii: ",")) { $0.appendHex4($1) }
        return ServerParts(prefixAndCipher: head, extensions: extensionText)
    }
}
