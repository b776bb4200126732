/// TLS fingerprints printed byte-identical to the tools analysts pivot between
/// (tshark/Wireshark and Zeek for JA3/JA3S, FoxIO's reference for JA4/JA4S).
/// Computed once per hello, never per packet.
public enum Fingerprints {
    /// JA3 of a ClientHello: the text and its MD5. For an SSLv2-compatible hello
    /// (which tshark gives no JA3) the cipher field lists the SSLv2 cipher kinds;
    /// use `ja3IfDefined` to follow tshark.
    public static func ja3(_ hello: ClientHello) -> (string: String, hash: String) {
        let text = JA3.clientText(hello)
        return (text.string, FingerprintHash.md5(text))
    }

    /// JA3 where tshark prints one: nil for SSLv2-compatible hellos.
    public static func ja3IfDefined(_ hello: ClientHello) -> (string: String, hash: String)? {
        hello.isSSLv2 ? nil : ja3(hello)
    }

    /// JA3S of a ServerHello (or HelloRetryRequest): the text and its MD5.
    public static func ja3s(_ hello: ServerHello) -> (string: String, hash: String) {
        let text = JA3.serverText(hello)
        return (text.string, FingerprintHash.md5(text))
    }

    /// JA3S where tshark prints one: nil for an SSLv2 SERVER-HELLO (it has no single suite).
    public static func ja3sIfDefined(_ hello: ServerHello) -> (string: String, hash: String)? {
        hello.isSSLv2 ? nil : ja3s(hello)
    }

    /// JA4, e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1".
    public static func ja4(_ hello: ClientHello, transport: JA4Transport = .tcp) -> String {
        JA4.clientParts(hello, transport: transport, originalOrder: false).hashed
    }

    /// JA4_r: JA4 with the sorted lists written out instead of hashed.
    public static func ja4Raw(_ hello: ClientHello, transport: JA4Transport = .tcp) -> String {
        JA4.clientParts(hello, transport: transport, originalOrder: false).raw
    }

    /// JA4_o: wire order, SNI and ALPN kept in the extension list, hashed.
    public static func ja4Original(_ hello: ClientHello, transport: JA4Transport = .tcp) -> String {
        JA4.clientParts(hello, transport: transport, originalOrder: true).hashed
    }

    /// JA4_ro: JA4_o with the lists written out.
    public static func ja4OriginalRaw(_ hello: ClientHello, transport: JA4Transport = .tcp) -> String {
        JA4.clientParts(hello, transport: transport, originalOrder: true).raw
    }

    /// JA4S, e.g. "t120400_c030_4e8089b08790".
    public static func ja4s(_ hello: ServerHello, transport: JA4Transport = .tcp) -> String {
        JA4.serverParts(hello, transport: transport).hashed
    }

    /// JA4S_r: JA4S with the extension list written out.
    public static func ja4sRaw(_ hello: ServerHello, transport: JA4Transport = .tcp) -> String {
        JA4.serverParts(hello, transport: transport).raw
    }
}
