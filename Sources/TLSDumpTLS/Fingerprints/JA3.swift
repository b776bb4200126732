/// JA3 and JA3S (Salesforce, https://github.com/salesforce/ja3), as Wireshark/tshark
/// and Zeek print them: decimal values, '-' inside a field, ',' between fields,
/// GREASE (RFC 8701) dropped from every 16-bit list, MD5 in lowercase hex.
enum JA3 {
    /// SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats.
    /// The version is the ClientHello's legacy_version (never supported_versions).
    static func clientText(_ hello: ClientHello) -> FingerprintText {
        var text = FingerprintText(capacity: 256)
        text.appendDecimal(UInt32(hello.legacyVersion))
        text.append(UInt8(ascii: ","))
        if hello.isSSLv2 {
            // tshark prints no JA3 for SSLv2-compatible hellos; when asked anyway we
            // list every CIPHER-SPECS kind (3 bytes, decimal), as Zeek's ssl_client_hello
            // reports them, and the other fields stay empty (SSLv2 has no extensions).
            text.appendJoined(hello.sslv2CipherKinds, separator: UInt8(ascii: "-")) { $0.appendDecimal($1) }
        } else {
            appendDecimals(hello.cipherSuites, to: &text)
        }
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.extensionTypes, to: &text)
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.supportedGroups, to: &text)
        text.append(UInt8(ascii: ","))
        text.appendJoined(hello.ecPointFormats, separator: UInt8(ascii: "-")) { $0.appendDecimal(UInt32($1)) }
        return text
    }

    /// SSLVersion,Cipher,Extensions (the ServerHello's legacy_version).
    static func serverText(_ hello: ServerHello) -> FingerprintText {
        var text = FingerprintText(capacity: 64)
        text.appendDecimal(UInt32(hello.legacyVersion))
        text.append(UInt8(ascii: ","))
        text.appendDecimal(UInt32(hello.cipherSuite))
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.extensionTypes, to: &text)
        return text
    }

    private static func appendDecimals(_ values: [UInt16], to text: inout FingerprintText) {
        text.appendJoined(values.lazy.filter { !TLSRegistry.isGREASE($0) }, separator: UInt8(ascii: "-")) {
            $0.appendDecimal(UInt32($1))
        }
    }
}
