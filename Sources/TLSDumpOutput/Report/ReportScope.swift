/// Which connections the HTML report draws (the charts count them all).
public enum ReportScope: Sendable {
    /// `--report`: connections with at least one finding.
    case connectionsWithFindings
    /// `--report-all`: every connection.
    case allConnections
}
