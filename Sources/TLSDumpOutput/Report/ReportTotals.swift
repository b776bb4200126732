import TLSDumpAnalysis
import TLSDumpTLS

/// The counts the report's charts show, over every connection of the run
/// (not only those shown): a few dictionaries, whatever the capture's size.
struct ReportTotals {
    private(set) var connections = 0
    private(set) var connectionsWithFindings = 0
    private(set) var versions: [String: Int] = [:]
    private(set) var suites: [String: Int] = [:]
    private(set) var keyExchanges: [String: Int] = [:]
    private(set) var findingsBySeverity: [Severity: Int] = [:]
    private(set) var findingsByID: [FindingID: Int] = [:]

    mutating func count(connection c: ConnectionSummary, keyShareGroup: UInt16?) {
        connections += 1
        if !c.findingIDs.isEmpty { connectionsWithFindings += 1 }
        versions[c.version.map(Naming.version) ?? "unknown", default: 0] += 1
        if c.sslv2, let kind = c.sslv2CipherKind {
            suites[TLSRegistry.sslv2CipherKindName(kind) ?? Naming.hex6(kind), default: 0] += 1
        } else if let suite = c.cipherSuite {
            suites[Naming.cipherSuiteName(suite) ?? Naming.hex4(suite), default: 0] += 1
        } else {
            suites["unknown", default: 0] += 1
        }
        keyExchanges[Self.keyExchange(c, keyShareGroup: keyShareGroup), default: 0] += 1
    }

    mutating func count(finding f: Finding) {
        findingsBySeverity[f.severity, default: 0] += 1
        findingsByID[f.id, default: 0] += 1
    }

    /// The suite's key exchange; for TLS 1.3 (whose suites name none) the
    /// group of the server's key share.
    static func keyExchange(_ c: ConnectionSummary, keyShareGroup: UInt16?) -> String {
        if c.sslv2 { return "SSLv2 (RSA)" }
        guard let suite = c.cipherSuite, let info = CipherSuiteRegistry.info(suite) else { return "unknown" }
        switch info.keyExchange {
        case .tls13: return keyShareGroup.map { "TLS 1.3 " + Naming.groupName($0) } ?? "TLS 1.3 (group not seen)"
        case .rsa: return "RSA (no forward secrecy)"
        case .dhe: return "DHE"
        case .ecdhe: return "ECDHE"
        case .dh: return "DH (static)"
        case .ecdh: return "ECDH (static)"
        case .psk: return "PSK"
        case .dhePSK: return "DHE-PSK"
        case .ecdhePSK: return "ECDHE-PSK"
        case .rsaPSK: return "RSA-PSK"
        case .srp: return "SRP"
        case .krb5: return "Kerberos"
        case .gost: return "GOST"
        case .eccpwd: return "ECCPWD"
        case .null: return "NULL"
        case .unknown: return "unknown"
        }
    }
}
