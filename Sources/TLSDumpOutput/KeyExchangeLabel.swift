import TLSDumpAnalysis
import TLSDumpTLS

/// One label per key exchange, for the text summary table and the HTML
/// report's chart (both count connections by it, so they agree).
enum KeyExchangeLabel {
    static func of(_ c: ConnectionSummary) -> String {
        if c.sslv2 { return "SSLv2 (RSA)" }
        guard let k = c.keyExchange, let method = k.method else { return "unknown" }
        let group = k.group.map { Naming.groupName($0) + (NamedGroupKind.isPostQuantum($0) ? " (post-quantum)" : "") }
        switch method {
        case .keyShare: return "TLS 1.3 " + (group ?? "(group not seen)")
        case .pskOnly: return "TLS 1.3 PSK only (no key agreement)"
        case .ecdhe: return "ECDHE " + (group ?? "(curve not seen)")
        case .dhe:
            if let group { return "DHE " + group }
            return "DHE" + (k.dhPrimeBits.map { " \($0)-bit" } ?? "") + (k.dhPrime.map { " " + $0 } ?? "")
        case .rsa: return "RSA (no forward secrecy)"
        case .psk: return "PSK"
        case .ecdhePSK: return "ECDHE-PSK" + (group.map { " " + $0 } ?? "")
        case .dhePSK: return "DHE-PSK"
        case .rsaPSK: return "RSA-PSK"
        case .ecdhStatic: return "ECDH (static)"
        case .dhStatic: return "DH (static)"
        case .resumption: return "resumed (no key exchange)"
        case .sslv2: return "SSLv2 (RSA)"
        case .other: return c.cipherSuite.flatMap { CipherSuiteRegistry.info($0) }.map { "\($0.keyExchange)" } ?? "other"
        }
    }
}
