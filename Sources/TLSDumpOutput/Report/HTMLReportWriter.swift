import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS

/// `--report FILE.html`: collects the run beside the format's writer and
/// writes one self-contained page at the end (`write(to:)`): summary charts,
/// a table of flagged connections, and per shown connection its story,
/// findings with remedies and a ladder diagram.
///
/// Memory: per open connection its pending ladder (at most
/// `maxArrowsPerLadder` rows) and findings; at most `maxConnections`
/// finished connections, rendered, chosen worst finding first and then
/// first-come (`ReportSelection`); the charts' counts cover every connection.
public final class HTMLReportWriter: EventSink {
    public static let defaultMaxConnections = 500
    public static let defaultMaxArrowsPerLadder = 150
    static let maxFindingsPerConnection = 32

    public let scope: ReportScope
    /// What was analysed (the file read or the interface), for the page's heading.
    public var source: String
    private let maxArrowsPerLadder: Int
    /// By the connection's identity object, shared by all its events (cheaper
    /// to hash than its id); the entry holds the object, so its address is not reused meanwhile.
    private var pending: [ObjectIdentifier: PendingConnection] = [:]
    private var totals = ReportTotals()
    private var selection: ReportSelection
    private var serial = 0
    private var stats: StatsEvent?

    private struct PendingConnection {
        let flow: FlowIdentity
        var ladder: LadderRecorder
        var findings: [Finding] = []
        var findingsLeftOut = 0
    }

    public init(scope: ReportScope, source: String, maxConnections: Int = HTMLReportWriter.defaultMaxConnections,
                maxArrowsPerLadder: Int = HTMLReportWriter.defaultMaxArrowsPerLadder) {
        self.scope = scope
        self.source = source
        self.maxArrowsPerLadder = max(1, maxArrowsPerLadder)
        selection = ReportSelection(capacity: maxConnections)
    }

    public var wantsTrace: Bool { true }
    /// The records (trace), the findings, the summaries (their key exchange
    /// feeds the chart) and the final counts.
    public var wantedEvents: EventKinds { [.trace, .finding, .connection, .stats] }

    public func emit(_ event: Event) {
        guard let flow = event.flow else {
            if case .stats(let s) = event.body, s.isFinal { stats = s }
            return
        }
        let key = ObjectIdentifier(flow)
        switch event.body {
        case .trace(let entry):
            pending[key, default: newPending(flow)].ladder.record(entry, at: event.timestamp)
        case .finding(let f):
            totals.count(finding: f)
            if f.id == .notTLS && pending[key].map({ $0.ladder.steps.isEmpty }) ?? true {
                // Not TLS: no connection event will come to release it.
                pending[key] = nil
                return
            }
            var entry = pending[key] ?? newPending(flow)
            if case .missingBytes(let sender, let bytes) = f.evidence {
                entry.ladder.gap(sender: sender, bytes: bytes, at: event.timestamp)
            }
            if entry.findings.count < Self.maxFindingsPerConnection { entry.findings.append(f) } else { entry.findingsLeftOut += 1 }
            pending[key] = entry
        case .connection(let c):
            let entry = pending.removeValue(forKey: key) ?? newPending(flow)
            finished(flow, c, entry)
        default:
            break
        }
    }

    private func newPending(_ flow: FlowIdentity) -> PendingConnection {
        PendingConnection(flow: flow, ladder: LadderRecorder(maxSteps: maxArrowsPerLadder))
    }

    private func finished(_ flow: FlowIdentity, _ c: ConnectionSummary, _ entry: PendingConnection) {
        totals.count(connection: c)
        serial += 1
        let worst = c.findingIDs.map(\.severity).max()
        if scope == .connectionsWithFindings && worst == nil { return }
        let rank = ReportSelection.Rank(worst: worst.map { $0.rawValue + 1 } ?? 0, serial: serial)
        guard selection.admits(rank) else {
            selection.skip()
            return
        }
        let shown = ReportConnectionSection.render(flow: flow, summary: c, findings: entry.findings,
                                                   findingsLeftOut: entry.findingsLeftOut, ladder: entry.ladder)
        selection.insert(shown, rank: rank)
    }

    /// Writes the page. Connections still open (a live capture stopped
    /// without its final events) are not drawn.
    public func write(to output: OutputStream) {
        let page = ReportPage(source: source, scope: scope, totals: totals, selection: selection, stats: stats)
        page.write(to: output)
        output.flush()
    }
}
