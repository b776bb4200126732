import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import TLSDumpTrust

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
        if let starttls = c.starttls {
            let plaintext = c.plaintextBytes.map { " (\($0.client) plaintext bytes from client, \($0.server) from server)" } ?? ""
            lines.append("  TLS after plaintext: " + (starttls == "unknown" ? "protocol not recognised" : starttls) + plaintext)
        }
        if let kex = describeKeyExchange(c) { lines.append("  key exchange: " + kex) }
        if let ech = c.ech { lines.append("  " + describe(ech)) }
        if let cert = c.serverCertificate {
            var line = "  server certificate: \(describe(cert))"
            if let compression = c.serverCertificateCompression {
                line += " (sent compressed, \(CertificateCompressionAlgorithm.displayName(compression.algorithm)): "
                    + "\(compression.compressedLength) bytes for \(compression.uncompressedLength))"
            }
            lines.append(line)
        }
        if let ocsp = c.ocsp { lines.append("  stapled OCSP: " + describe(ocsp)) }
        if let sct = c.sct { lines.append("  " + describe(sct)) }
        if let v = c.validation, c.serverCertificate != nil || v.status != .notChecked {
            lines.append(contentsOf: wrap("chain: " + describe(v), indent: "  "))
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

    /// "x25519; client offered GREASE, X25519Kyber768Draft00, x25519 (post-quantum offered)".
    static func describeKeyExchange(_ c: ConnectionSummary) -> String? {
        guard let k = c.keyExchange, k.method != nil || k.clientHelloSeen else { return nil }
        var text = k.method == nil ? "not seen" : KeyExchangeLabel.of(c)
        // Why a group that should be there is missing (the label already says RSA or PSK have none).
        if k.group == nil, k.dhPrimeBits == nil, let reason = k.unknownReason,
           [.keyShare, .ecdhe, .ecdhePSK, .dhe, .dhePSK].contains(k.method) { text += " (\(reason))" }
        if let forced = k.helloRetryGroup { text += "; HelloRetryRequest forced \(Naming.groupName(forced))" }
        if !k.offeredKeyShares.isEmpty { text += "; client key shares " + k.offeredKeyShares.map(Naming.groupName).joined(separator: ", ") }
        if !k.offeredPostQuantumGroups.isEmpty {
            text += "; post-quantum offered (" + k.offeredPostQuantumGroups.map(Naming.groupName).joined(separator: ", ") + ")"
            if k.postQuantumDeclined { text += " but NOT chosen" }
        }
        return text
    }

    /// "ECH offered (outer SNI ..., config 209, HKDF-SHA256/AES-128-GCM, 144-byte payload): ..."
    static func describe(_ e: ECHSummary) -> String {
        var text = "ECH extension"
        switch e.offer?.form {
        case .outer(let kdf, let aead, let configID, _, let payloadLength)?:
            text += " (outer, public name \(e.outerSNI ?? "none"), config \(configID), "
                + (HPKENames.kdf(kdf) ?? Naming.hex4(kdf)) + "/" + (HPKENames.aead(aead) ?? Naming.hex4(aead))
                + ", \(payloadLength)-byte payload; real or GREASE cannot be told from it)"
        case .inner?: text += " (inner marker in clear)"
        case .unknown(let type)?: text += " (unknown type \(type))"
        case nil: text += " (malformed)"
        }
        switch e.outcome {
        case .rejected:
            let names = (e.retryConfigs ?? []).compactMap(\.publicName)
            text += ": REJECTED, the server sent retry configs" + (names.isEmpty ? "" : " for " + names.joined(separator: ", "))
        case .notDeterminable:
            text += ": accepted or not cannot be told (" + (e.encryptedExtensionsRead ? "no retry configs in the decrypted EncryptedExtensions" : "no keys for the EncryptedExtensions") + ")"
        }
        return text
    }

    /// One line on the chain's verdict: the status, what it rests on, and the path's shape.
    static func describe(_ v: ChainValidation) -> String {
        var text = v.status.rawValue
        if v.status == .ok {
            text += " (\(v.path.count) certificates to \(v.path.last?.subject ?? "a trusted root"))"
        } else if let reason = v.reason {
            text += ": " + reason
        }
        var notes: [String] = []
        if v.outOfOrder { notes.append("sent out of order") }
        if v.missingIntermediates && v.status != .incompleteChain { notes.append("intermediates missing") }
        let weak = v.problems.filter { $0.kind == ChainProblem.weakSignatureKind }.count
        if weak > 0 { notes.append("\(weak) SHA-1/MD5 signature\(weak == 1 ? "" : "s")") }
        for p in v.problems where (p.kind == "expired" || p.kind == "not_yet_valid") && p.kind != v.status.rawValue {
            notes.append((p.kind == "expired" ? "expired: " : "not yet valid: ") + (p.subject ?? "a certificate"))
        }
        if !notes.isEmpty { text += " [" + notes.joined(separator: "; ") + "]" }
        return text
    }

    private static func describe(_ cert: CertificateSummary) -> String {
        // An empty Name is a subject too (RFC 5280 allows it with a SAN): say so rather than print nothing.
        var parts = [cert.subject.map { $0.isEmpty ? "(empty subject)" : $0 } ?? "(no subject)"]
        if let issuer = cert.issuer, issuer != cert.subject { parts.append("issued by \(issuer)") } else if cert.isSelfIssued { parts.append("self-signed") }
        // ML-DSA and SLH-DSA keys have no bit size: the name says their strength.
        if let type = cert.keyType { parts.append(cert.keyBits.map { "\(type) \($0) bits" } ?? type) }
        if let notAfter = cert.notAfter { parts.append("valid until \(notAfter)") }
        return parts.joined(separator: ", ")
    }

    /// "revoked on ... (keyCompromise); produced ..., next update ...; responder ...; matches the certificate".
    static func describe(_ o: OCSPReport) -> String {
        var parts: [String] = []
        switch o.status {
        case .revoked(let time, let reason)?:
            parts.append("REVOKED on \(time.rfc3339)" + (reason.map { " (\($0.name))" } ?? ""))
        case let status?:
            parts.append(status.name)
        case nil:
            parts.append("no verdict: " + (o.problem ?? "unknown"))
        }
        var times: [String] = []
        if let produced = o.producedAt { times.append("produced \(produced.rfc3339)") }
        if let next = o.single?.nextUpdate { times.append("next update \(next.rfc3339)" + (o.stale ? " (STALE)" : "")) }
        if !times.isEmpty { parts.append(times.joined(separator: ", ")) }
        switch o.responder {
        case .name(let name)?: parts.append("responder " + (name.isEmpty ? "(empty name)" : name))
        case .keyHash(let hash)?: parts.append("responder key \(hash)")
        case nil: break
        }
        if o.single != nil {
            switch o.match.verdict {
            case .match: parts.append("matches the certificate")
            case .mismatch: parts.append("for ANOTHER certificate (\(o.match.mismatched.map(\.rawValue).joined(separator: ", ")) differ)")
            case .partial:
                let words = o.match.matched.map { $0 == .serial ? "serial" : ($0 == .issuerName ? "issuer name" : "issuer key") }
                parts.append("matches the certificate's \(words.joined(separator: " and ")) only (\(o.match.reason ?? "not all checked"))")
            case .unchecked: parts.append("not compared (\(o.match.reason ?? "?"))")
            }
        }
        return parts.joined(separator: "; ")
    }

    /// "3 SCTs (certificate 2, tls_extension 1)".
    static func describe(_ r: SCTReport) -> String {
        let bySource = r.sources.map { source in "\(source.rawValue) \(r.entries.filter { $0.source == source }.count)" }
        return "\(r.count) signed certificate timestamp\(r.count == 1 ? "" : "s") (\(bySource.joined(separator: ", ")))"
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
            text += "\n    certificate requested (\(request.phase.rawValue)\(request.inferred ? ", inferred" : ""))"
            if request.phase == .postHandshake {
                // Without keys TLS 1.3 tickets look like server application data: only the client's bytes agree.
                text += " after \(request.applicationBytesBefore.client) bytes of client application data"
            } else if request.afterApplicationData {
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
        if !summary.keyExchanges.isEmpty {
            lines.append("  key exchange:")
            for (name, count) in summary.keyExchanges.sorted(by: RunSummary.byCountThenName).prefix(10) { lines.append("    \(count)  \(name)") }
        }
        if !summary.clients.isEmpty {
            // Clients by stack (the measured catalogue), with how their renegotiations and client certificates went.
            lines.append("  clients:")
            for (name, tally) in summary.clients.sorted(by: { ($0.value.connections, $1.key) > ($1.value.connections, $0.key) }).prefix(12) {
                lines.append("    \(tally.connections)  \(name)" + tally.outcomes)
            }
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

/// One client stack's connections in the summary: renegotiation outcomes and client certificates.
struct ClientTally {
    var connections = 0
    var renegotiations: [String: Int] = [:]
    var certificates = 0

    mutating func count(_ c: ConnectionSummary) {
        connections += 1
        for h in c.handshakes.dropFirst() { renegotiations[h.outcome.rawValue, default: 0] += 1 }
        if c.clientAuthenticated == true { certificates += 1 }
    }

    /// ": renegotiation 2 completed, 1 refused; client certificate sent on 2", or "".
    var outcomes: String {
        var parts: [String] = []
        if !renegotiations.isEmpty {
            parts.append("renegotiation " + renegotiations.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        if certificates > 0 { parts.append("client certificate sent on \(certificates)") }
        return parts.isEmpty ? "" : ": " + parts.joined(separator: "; ")
    }
}

/// Totals for the end-of-run summary.
struct RunSummary {
    var connections = 0
    var versions: [String: Int] = [:]
    var suites: [String: Int] = [:]
    /// By `KeyExchangeLabel` (the HTML report's chart counts the same).
    var keyExchanges: [String: Int] = [:]
    var findings: [String: (severity: Severity, count: Int)] = [:]
    /// By client stack (`ClientSoftware.label`, or "unidentified"): bounded by the catalogue's size.
    var clients: [String: ClientTally] = [:]

    mutating func count(connection c: ConnectionSummary) {
        connections += 1
        clients[c.clientSoftware?.label ?? "unidentified", default: ClientTally()].count(c)
        versions[c.version.map(Naming.version) ?? "unknown", default: 0] += 1
        if let suite = c.cipherSuite { suites[Naming.cipherSuiteName(suite) ?? Naming.hex4(suite), default: 0] += 1 }
        keyExchanges[KeyExchangeLabel.of(c), default: 0] += 1
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
