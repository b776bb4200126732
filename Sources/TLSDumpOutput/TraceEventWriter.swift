import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS

/// `--format trace`: the `openssl s_client -msg` look, one block per
/// connection (written when it ends), `>>>` client to server, `<<<` back.
public final class TraceEventWriter: EventSink {
    private let output: OutputStream
    private var blocks: [String: Block] = [:]
    /// Lines kept per connection; past it, lines are counted (application data on long connections).
    /// nil: every line is kept (`--dump-limit 0`).
    public var maxLinesPerConnection: Int? = TraceEventWriter.defaultMaxLinesPerConnection
    /// `-x`: the most bytes of one record's plaintext dumped; past it the dump says how many more.
    /// nil: the whole record (`--dump-limit 0`).
    public var dumpLimitPerRecord: Int? = TraceEventWriter.defaultDumpLimitPerRecord
    public static let defaultMaxLinesPerConnection = 2000
    public static let defaultDumpLimitPerRecord = 4096

    /// `--dump-limit BYTES`: the per-record dump cap; 0 lifts it and the per-connection line cap
    /// (the connection's whole dump is then held until it ends).
    public func setDumpLimit(_ bytes: Int) {
        if bytes <= 0 {
            dumpLimitPerRecord = nil
            maxLinesPerConnection = nil
        } else {
            dumpLimitPerRecord = bytes
            maxLinesPerConnection = Self.defaultMaxLinesPerConnection
        }
    }
    /// The trace's reading of the filters: `--sni` leaves out blocks of other
    /// names; `--min-severity` leaves out finding lines below it;
    /// `--only-findings` keeps only connections with a finding left to show.
    /// `--type` does not apply (the CLI refuses it).
    public var filter = EventFilter()
    /// `--color`: bold connection header, severity-coloured findings.
    public var palette = TextPalette.plain

    private struct Block {
        var start: Timestamp
        var lines: [String] = []
        var omitted = 0
        var worstFinding: Severity?
    }

    public init(output: OutputStream) {
        self.output = output
    }

    public var wantsTrace: Bool { true }
    public var wantsFindingsInSummary: Bool { true }

    public func emit(_ event: Event) {
        guard let flow = event.flow else { return }
        switch event.body {
        case .trace(let t):
            var block = blocks[flow.flowID] ?? Block(start: event.timestamp)
            if block.lines.count < maxLinesPerConnection ?? Int.max {
                block.lines.append(line(t, at: event.timestamp, since: block.start))
                if let payload = t.payload { block.lines.append(contentsOf: hexDump(payload, limit: dumpLimitPerRecord ?? payload.count)) }
            } else {
                block.omitted += 1
            }
            blocks[flow.flowID] = block
        case .finding(let f):
            var block = blocks[flow.flowID] ?? Block(start: event.timestamp)
            if f.severity >= filter.minimumSeverity ?? .info {
                block.lines.append("    " + palette.severity("!!! \(f.severity.name) \(f.id): \(f.message)", f.severity))
                block.worstFinding = max(block.worstFinding ?? f.severity, f.severity)
            }
            blocks[flow.flowID] = block
        case .connection(let c):
            let block = blocks.removeValue(forKey: flow.flowID) ?? Block(start: c.start)
            guard filter.serverName?.matches(c.sni) ?? true, isShown(block) else { return }
            var head = "\(flow.flowID)  \(flow.client) -> \(flow.server)"
            if let sni = c.sni { head += "  \(sni)" }
            head += "  \(RFC3339.string(c.start))"
            var text = palette.bold(head) + "\n"
            if c.handshakes.count > 1 || c.handshakes.contains(where: { $0.certificateRequest != nil }) {
                // The story first, then the records that tell it.
                for sentence in Narrative.sentences(c) {
                    for l in wrap(sentence, indent: "  # ") { text += l + "\n" }
                }
            }
            for l in block.lines { text += l + "\n" }
            if block.omitted > 0 { text += "    ... \(block.omitted) more records (over \(maxLinesPerConnection ?? 0) lines; --dump-limit 0 keeps all)\n" }
            if let ocsp = c.ocsp { text += "    --- stapled OCSP: " + TextEventWriter.describe(ocsp) + "\n" }
            if let sct = c.sct { text += "    --- " + TextEventWriter.describe(sct) + "\n" }
            text += "    --- closed by \(c.close.rawValue)\n\n"
            output.write(text)
        default:
            break
        }
    }

    /// `--only-findings`: only connections with a finding shown.
    private func isShown(_ block: Block) -> Bool {
        !filter.onlyFindings || block.worstFinding != nil
    }

    private func line(_ t: TraceEntry, at ts: Timestamp, since start: Timestamp) -> String {
        let arrow = t.sender == .client ? ">>>" : "<<<"
        if let packet = t.quicPacket {
            // QUIC has no records: the packet and frame that carried it, as "Initial[0] CRYPTO".
            var text = "  +\(format3(ts.milliseconds(since: start) / 1000))s \(arrow) QUIC \(packet) [length \(hex4(t.length))]"
            if !t.detail.isEmpty { text += ", \(t.detail)" }
            return text
        }
        let version = Naming.version(t.recordVersion)
        let label = t.contentType == 0 ? "SSLv2" : Naming.contentTypeLabel(t.contentType)
        // One rule for every decrypted record: the plaintext's length, and the record's on the wire beside it.
        let length = t.recordLength.map { "length \(hex4(t.length)) plaintext, \(hex4($0)) on the wire" } ?? "length \(hex4(t.length))"
        var text = "  +\(format3(ts.milliseconds(since: start) / 1000))s \(arrow) \(version) \(label) [\(length)]"
        if !t.detail.isEmpty { text += ", \(t.detail)" }
        return text
    }
}

/// Four hex digits at least, as `openssl s_client -msg` prints lengths.
func hex4(_ value: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

func format3(_ value: Double) -> String {
    guard value.isFinite else { return "?" }
    let thousandths = Int((value * 1000).rounded())
    let frac = abs(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: frac < 10 ? 2 : frac < 100 ? 1 : 0) + "\(frac)"
}

/// `-x`: 16 bytes a line, hex then printable ASCII, like `openssl s_client -msg` and tcpdump -X.
func hexDump(_ bytes: [UInt8], limit: Int = 4096) -> [String] {
    var lines: [String] = []
    let shown = bytes.prefix(limit)
    var offset = 0
    while offset < shown.count {
        let row = shown[shown.startIndex + offset..<shown.startIndex + min(offset + 16, shown.count)]
        let hex = row.map { b -> String in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined(separator: " ")
        let ascii = String(row.map { $0 >= 0x20 && $0 < 0x7f ? Character(UnicodeScalar($0)) : "." })
        let off = String(offset, radix: 16)
        lines.append("      " + String(repeating: "0", count: max(0, 4 - off.count)) + off + "  " + pad(hex, 47) + "  " + ascii)
        offset += 16
    }
    if bytes.count > limit { lines.append("      ... \(bytes.count - limit) more bytes (--dump-limit \(limit))") }
    return lines
}
