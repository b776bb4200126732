import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// `--format text`: a short story per connection, told when it ends, and a
/// summary table at the end of the run.
public final class TextEventWriter: EventSink {
    private let output: OutputStream
    public var filter: EventFilter
    /// `--summary`: only the end-of-run table.
    public var summaryOnly = false
    /// `--color`: severity-coloured findings, bold connection headers.
    public var palette = TextPalette.plain
    /// `not_tls` findings: those flows have no `connection` event; they are told at the end.
    private var notTLS: [String: (flow: FlowIdentity, finding: Finding)] = [:]
    private var summary = RunSummary()

    public init(output: OutputStream, filter: EventFilter = EventFilter()) {
        self.output = output
        self.filter = filter
    }

    public var wantsTrace: Bool { false }
    /// The story prints each finding with its message.
    public var wantsFindingsInSummary: Bool { true }
    /// The stories and the table are told from these alone.
    public var wantedEvents: EventKinds { [.connection, .finding, .stats] }

    public func emit(_ event: Event) {
        guard let flow = event.flow else {
            // Interim (--stats-interval) stats do not end the story: only the last one does.
            if case .stats(let stats) = event.body, stats.isFinal {
                writeNonTLSFlows()
                writeSummary(stats)
            }
            return
        }
        switch event.body {
        case .connection(let c):
            if !notTLS.isEmpty { notTLS.removeValue(forKey: flow.flowID) }
            // With --sni, the summary counts only the connections shown.
            guard filter.serverName?.matches(c.sni) ?? true else { return }
            summary.count(connection: c)
            if !summaryOnly && filter.accepts(event) { output.write(Self.story(flow, c, palette: palette, minimumSeverity: filter.minimumSeverity)) }
        case .finding(let f) where f.id == .notTLS:
            notTLS[flow.flowID] = (flow, f)
        default:
            break
        }
    }

    /// The QUIC lines of a connection: version, ids, packets, how it closed.
    static func describe(_ q: QUICSummary) -> [String] {
        var lines: [String] = []
        var head = "  QUIC " + (q.versionName ?? q.version.map { hexNumber($0, digits: 8) } ?? "version unknown")
        if q.retry { head += ", after a Retry" }
        if !q.versionsOffered.isEmpty {
            head += ", server offered " + q.versionsOffered.map { hexNumber($0, digits: 8) }.joined(separator: " ")
        }
        if q.paths > 1 { head += ", \(q.paths) address pairs (migration)" }
        lines.append(head)
        func packets(_ c: QUICPacketCounts) -> String {
            var parts: [String] = []
            for (name, n) in [("Initial", c.initial), ("0-RTT", c.zeroRTT), ("Handshake", c.handshake), ("Retry", c.retry),
                              ("VersionNegotiation", c.versionNegotiation), ("1-RTT", c.short)] where n > 0 {
                parts.append("\(n) \(name)")
            }
            return parts.isEmpty ? "none" : parts.joined(separator: ", ")
        }
        lines.append("  packets: client \(packets(q.packets.client)); server \(packets(q.packets.server))")
        if q.undecryptable.client + q.undecryptable.server > 0 {
            lines.append("  packets that did not open: \(q.undecryptable.client) from client, \(q.undecryptable.server) from server")
        }
        if let close = q.close {
            var text = "  \(close.sender.rawValue) closed with CONNECTION_CLOSE in \(close.packetType): "
            if let alert = close.tlsAlert {
                text += "TLS alert \(Naming.alertDescription(alert))"
            } else if close.application {
                text += "application error \(hexNumber(close.errorCode, digits: 2))"
            } else {
                text += close.errorName ?? hexNumber(close.errorCode, digits: 2)
            }
            if !close.reason.isEmpty { text += " (\"\(close.reason)\")" }
            lines.append(text)
        }
        return lines
    }

    /// One connection's story (also the HTML report's text for it).
    static func story(_ flow: FlowIdentity, _ c: ConnectionSummary, palette: TextPalette = .plain,
                      minimumSeverity: Severity? = nil) -> String {
        var lines: [String] = []
        var head = "\(flow.flowID)  \(flow.client) -> \(flow.server)"
        if let sni = c.sni { head += "  \(sni)" }
        head += "  \(RFC3339.string(c.start))  \(formatDuration(c.end.milliseconds(since: c.start)))"
        lines.append(palette.bold(head))
        var negotiated = "  "
        negotiated += c.version.map(Naming.version) ?? "version unknown"
        if let kind = c.sslv2CipherKind, c.sslv2 {
            negotiated += "  " + (TLSRegistry.sslv2CipherKindName(kind) ?? Naming.hex6(kind))
        } else if let suite = c.cipherSuite {
            negotiated += "  " + (Naming.cipherSuiteName(suite) ?? Naming.hex4(suite))
        }
        if let alpn = c.alpn { negotiated += "  ALPN " + Naming.alpn(alpn) }
        negotiated += c.established ? "  established" : "  not established"
        if c.resumed == true { negotiated += " (resumed)" }
        lines.append(negotiated)
        if let cert = c.serverCertificate {
            var line = "  server certificate: \(describe(cert))"
            if let compression = c.serverCertificateCompression {
                line += " (sent compressed, \(CertificateCompressionAlgorithm.displayName(compression.algorithm)): "
                    + "\(compression.compressedLength) bytes for \(compression.uncompressedLength))"
            }
            lines.append(line)
        }
        let narrative = Narrative.sentences(c)
        if c.handshakes.count > 1 || c.handshakes.contains(where: { $0.certificateRequest != nil }) {
            // Renegotiation and client-certificate stories come first, in words.
            for sentence in narrative { lines.append(contentsOf: wrap(sentence, indent: "  | ")) }
        }
        for h in c.handshakes {
            lines.append("  " + describe(h))
        }
        switch c.secureRenegotiation {
        case true?: lines.append("  secure renegotiation (RFC 5746): yes")
        case false?: lines.append("  secure renegotiation (RFC 5746): NO")
        case nil: break
        }
        if !c.alerts.isEmpty {
            let alerts = c.alerts.map { a -> String in
                if a.encrypted && a.level == nil { return "\(a.sender.rawValue) encrypted alert" }
                return "\(a.sender.rawValue) \(a.level.map(Naming.alertLevel) ?? "?") \(a.description.map(Naming.alertDescription) ?? "?")"
            }
            lines.append("  alerts: " + alerts.joined(separator: ", "))
        }
        for f in c.findings where minimumSeverity.map({ f.severity >= $0 }) ?? true {
            lines.append("  " + palette.severity("[\(f.severity.name)] \(f.id): \(f.message)", f.severity))
        }
        if let quic = c.quic { lines.append(contentsOf: Self.describe(quic)) }
        var closing = "  closed by \(c.close.rawValue)"
        if c.evicted { closing += " (evicted)" }
        closing += "; \(c.bytes.client) bytes from client, \(c.bytes.server) from server"
        if c.gaps > 0 { closing += "; \(c.gaps) bytes missing from the capture" }
        lines.append(closing)
        return lines.joined(separator: "\n") + "\n\n"
    }

    private static func describe(_ cert: CertificateSummary) -> String {
        var parts = [cert.subject ?? "(no subject)"]
        if let issuer = cert.issuer, issuer != cert.subject { parts.append("issued by \(issuer)") } else if cert.isSelfIssued { parts.append("self-signed") }
        if let type = cert.keyType { parts.append("\(type) \(cert.keyBits.map(String.init) ?? "?") bits") }
        if let notAfter = cert.notAfter { parts.append("valid until \(notAfter)") }
        return parts.joined(separator: ", ")
    }

    private static func describe(_ h: HandshakeSummary) -> String {
        var text = h.index == 0 ? "handshake 0" : "handshake \(h.index) (renegotiation"
        if h.index > 0 {
            text += ", started by \(h.initiator?.rawValue ?? "unknown")"
            if h.decrypted { text += ", decrypted" } else if h.encrypted { text += ", encrypted" }
            text += ")"
        }
        text += ": "
        let names = h.messages.map { m -> String in
            let arrow = m.sender == .client ? ">" : "<"
            if let type = m.type { return arrow + type + (m.inferred ? "?" : "") }
            return arrow + "encrypted(\(m.length))"
        }
        text += names.joined(separator: " ")
        if h.messagesDropped > 0 { text += " +\(h.messagesDropped) more" }
        text += " -> \(h.outcome.rawValue)"
        if h.inferred && h.index > 0 && h.outcome != .unknown { text += " (inferred)" }
        if let check = h.inferenceCheck { text += " (size inference \(check.rawValue) by decryption)" }
        if let request = h.certificateRequest {
            text += "\n    certificate requested (\(request.phase.rawValue))"
            if request.afterApplicationData {
                text += " after \(request.applicationBytesBefore.client) bytes of client and \(request.applicationBytesBefore.server) bytes of server application data"
            }
            text += ", \(formatDuration(request.msSinceConnectionStart)) into the connection"
            if let names = request.caNames {
                text += names.isEmpty ? "; no CA names listed" : "; acceptable CAs: " + names.joined(separator: " | ")
            }
            switch h.clientCertificate {
            case .certificate(let leaf): text += "\n    client certificate: \(describe(leaf))"
            case .empty: text += "\n    client sent no certificate"
            case .notSeen, .inferred: break
            }
        } else {
            switch h.clientCertificate {
            case .certificate(let leaf): text += "\n    client certificate: \(describe(leaf))"
            case .empty: text += "\n    client sent an empty certificate list"
            case .notSeen, .inferred: break
            }
        }
        return text
    }

    /// Flows that never turned out to be TLS but earned a `not_tls` finding
    /// (a TLS connection's own `not_tls` is in its story).
    private func writeNonTLSFlows() {
        // Not TLS means no SNI: --sni leaves them out.
        if filter.serverName != nil { notTLS.removeAll() }
        for (_, (flow, f)) in notTLS.sorted(by: { $0.key < $1.key }) {
            summary.count(finding: f)
            if !summaryOnly {
                output.write(palette.bold("\(flow.flowID)  \(flow.client) -> \(flow.server)") + "  "
                    + palette.severity("not TLS: \(f.message)", f.severity) + "\n\n")
            }
        }
        notTLS.removeAll()
    }

    private func writeSummary(_ stats: StatsEvent) {
        var lines: [String] = []
        lines.append(palette.bold("Summary:") + " \(summary.connections) TLS connections (\(stats.tcpConnections) TCP), \(stats.packets) packets, \(stats.bytes) bytes")
        if !summary.versions.isEmpty {
            lines.append("  versions: " + summary.versions.sorted(by: RunSummary.byCountThenName).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !summary.suites.isEmpty {
            lines.append("  cipher suites:")
            for (name, count) in summary.suites.sorted(by: RunSummary.byCountThenName).prefix(10) { lines.append("    \(count)  \(name)") }
        }
        if !summary.findings.isEmpty {
            lines.append("  findings:")
            for (id, entry) in summary.findings.sorted(by: { ($0.value.severity, $0.value.count, $1.key) > ($1.value.severity, $1.value.count, $0.key) }) {
                lines.append("    " + palette.severity(pad(entry.severity.name, 6), entry.severity) + " \(entry.count)  \(id)")
            }
        }
        // Several capture files: how many, and how much of the disk they take.
        if let files = stats.files, files.read + files.failed.count > 1 {
            var line = "  input: \(files.read) files"
            if let bytes = files.bytes { line += ", " + format1(Double(bytes) / 1_000_000) + " MB" }
            if !files.failed.isEmpty { line += ", \(files.failed.count) could not be read" }
            lines.append(line)
        }
        if stats.reassembly.gaps > 0 || stats.reassembly.evicted > 0 {
            lines.append("  reassembly: \(stats.reassembly.gaps) gaps (\(stats.reassembly.gapBytes) bytes), \(stats.reassembly.evicted) connections evicted")
        }
        output.write(lines.joined(separator: "\n") + "\n")
    }
}

/// Totals for the end-of-run summary.
struct RunSummary {
    var connections = 0
    var versions: [String: Int] = [:]
    var suites: [String: Int] = [:]
    var findings: [String: (severity: Severity, count: Int)] = [:]

    mutating func count(connection c: ConnectionSummary) {
        connections += 1
        versions[c.version.map(Naming.version) ?? "unknown", default: 0] += 1
        if let suite = c.cipherSuite { suites[Naming.cipherSuiteName(suite) ?? Naming.hex4(suite), default: 0] += 1 }
        for id in c.findingIDs { count(id) }
    }

    /// Most first; ties by name, so the table reads the same on every run.
    static func byCountThenName(_ a: (key: String, value: Int), _ b: (key: String, value: Int)) -> Bool {
        a.value != b.value ? a.value > b.value : a.key < b.key
    }

    mutating func count(finding f: Finding) { count(f.id) }

    mutating func count(_ id: FindingID) {
        findings[id.rawValue, default: (id.severity, 0)].count += 1
    }
}

func formatDuration(_ ms: Double) -> String {
    if ms < 1000 { return "\(format1(ms)) ms" }
    return "\(format1(ms / 1000)) s"
}

func format1(_ value: Double) -> String {
    guard value.isFinite else { return "?" }
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// Wraps a sentence at 100 columns with a prefix on every line.
func wrap(_ text: String, indent: String, width: Int = 100) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty && indent.count + line.count + 1 + word.count > width {
            lines.append(indent + line)
            line = ""
        }
        line += line.isEmpty ? String(word) : " " + word
    }
    if !line.isEmpty { lines.append(indent + line) }
    return lines
}
