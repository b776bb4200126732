import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow

/// One shown connection as HTML: its header (an anchor the table links to),
/// the text view's story, its findings with their remedies and its ladder.
enum ReportConnectionSection {
    static func render(flow: FlowIdentity, summary c: ConnectionSummary, findings: [Finding], findingsLeftOut: Int,
                       ladder: LadderRecorder) -> ReportedConnection {
        let worst = findings.map(\.severity).max() ?? c.findingIDs.map(\.severity).max()
        let id = flow.flowID.htmlEscaped
        var out = "<article class=\"connection\" id=\"\(id)\">\n<h3><a href=\"#\(id)\">\(id)</a> "
        out += "\(String(describing: flow.client).htmlEscaped) → \(String(describing: flow.server).htmlEscaped)"
        if let sni = c.sni { out += " <span class=\"sni\">\(sni.htmlEscaped)</span>" }
        if let worst { out += " <span class=\"badge \(worst.name)\">\(worst.name)</span>" }
        out += " <a class=\"top\" href=\"#top\">top</a></h3>\n"
        // The story as the text view tells it; the findings follow with their remedies.
        var told = c
        told.findings = []
        let story = TextEventWriter.story(flow, told).trimmingTrailingNewlines
        out += "<pre class=\"story\">\(story.htmlEscaped)</pre>\n"
        if !findings.isEmpty {
            out += "<ul class=\"findings\">\n"
            for f in findings {
                out += "<li class=\"\(f.severity.name)\"><span class=\"badge \(f.severity.name)\">\(f.severity.name)</span> "
                out += "<code>\(f.id.rawValue.htmlEscaped)</code> \(f.message.htmlEscaped)"
                out += "<div class=\"remedy\">Remedy: \(f.id.remedy.htmlEscaped)</div></li>\n"
            }
            if findingsLeftOut > 0 { out += "<li class=\"note\">… \(findingsLeftOut) more findings</li>\n" }
            out += "</ul>\n"
        }
        let rows = LadderRows.rows(steps: ladder.steps, omittedRecords: ladder.omittedRecords, summary: c)
        out += "<div class=\"ladder-box\">" + LadderDiagram.svg(rows: rows, flow: flow, start: c.start) + "</div>\n</article>\n"
        return ReportedConnection(flowID: flow.flowID, worst: worst, tableRow: tableRow(flow, c, worst: worst), section: out)
    }

    private static func tableRow(_ flow: FlowIdentity, _ c: ConnectionSummary, worst: Severity?) -> String {
        let id = flow.flowID.htmlEscaped
        var row = "<tr><td><a href=\"#\(id)\">\(id)</a></td>"
        row += "<td>\(String(describing: flow.client).htmlEscaped) → \(String(describing: flow.server).htmlEscaped)</td>"
        row += "<td>\((c.sni ?? "").htmlEscaped)</td>"
        row += "<td>\((c.version.map(Naming.version) ?? "unknown").htmlEscaped)</td>"
        row += "<td>" + (worst.map { "<span class=\"badge \($0.name)\">\($0.name)</span>" } ?? "") + "</td>"
        row += "<td>\(c.findingIDs.map(\.rawValue).joined(separator: ", ").htmlEscaped)</td></tr>\n"
        return row
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" { s = s.dropLast() }
        return String(s)
    }
}
