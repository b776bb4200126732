import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import TLSDumpTrust

/// State shared by all connections of one analysis run.
final class AnalysisContext {
    let config: AnalyzerConfig
    let sink: EventSink
    let wantsTrace: Bool
    let wantsFindingsInSummary: Bool
    /// What the sink writes: other events are not made (see `EventKinds`).
    let wantedEvents: EventKinds
    let budget: ReassemblyBudget
    let reassemblySettings: ReassemblySettings
    var eventsEmitted = 0
    var totals = ReassemblyTotals()
    var tlsConnections = 0
    var malformedRecords = 0
    let keyStore: KeyStore?
    /// Servers present the same certificates to every client: each is summarised once.
    var certificateSummaries = X509SummaryCache()
    /// Servers show the same chain to every client: each (chain, SNI) is validated once while its verdict holds.
    var chainVerdicts = ChainVerdictCache()
    /// Clients send the same hello lists on every connection: JA3 and JA4 are made once per list.
    var clientFingerprints = ClientFingerprintCache()

    init(config: AnalyzerConfig, sink: EventSink) {
        self.config = config
        self.sink = sink
        self.wantsTrace = sink.wantsTrace
        self.wantsFindingsInSummary = sink.wantsFindingsInSummary
        self.wantedEvents = sink.wantedEvents
        self.budget = ReassemblyBudget(maxBytes: config.maxBufferedBytesTotal)
        self.reassemblySettings = ReassemblySettings(limits: config.reassemblyLimits, budget: budget)
        self.keyStore = config.keys.map(KeyStore.init)
    }

    /// One box per distinct certificate, shared by every connection that
    /// showed it (each connection would otherwise hold a 256-byte copy).
    private var certificateBoxes: [String: Box<CertificateSummary>] = [:]
    static let maxSharedCertificates = 1024

    func sharedCertificateBox(_ summary: CertificateSummary) -> Box<CertificateSummary> {
        if let box = certificateBoxes[summary.sha256], box.value == summary { return box }
        if certificateBoxes.count >= Self.maxSharedCertificates { certificateBoxes.removeAll(keepingCapacity: true) }
        let box = Box(summary)
        certificateBoxes[summary.sha256] = box
        return box
    }

    func emit(_ event: Event) {
        eventsEmitted += 1
        sink.emit(event)
    }
}
