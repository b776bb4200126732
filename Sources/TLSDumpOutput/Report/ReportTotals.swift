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
    /// By client stack, as the measured catalogue names it (bounded by its size, plus "unidentified").
    private(set) var clients: [String: Int] = [:]
    private(set) var findingsBySeverity: [Severity: Int] = [:]
    private(set) var findingsByID: [FindingID: Int] = [:]

    mutating func count(connection c: ConnectionSummary) {
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
        // The same label the text summary counts by.
        keyExchanges[KeyExchangeLabel.of(c), default: 0] += 1
        clients[c.clientSoftware?.label ?? "unidentified", default: 0] += 1
    }

    mutating func count(finding f: Finding) {
        findingsBySeverity[f.severity, default: 0] += 1
        findingsByID[f.id, default: 0] += 1
    }
}
