import TLSDumpAnalysis

/// The report's HTML page: everything inline (style, SVG), nothing loaded
/// from anywhere, no script: it reads offline and attaches to a ticket.
struct ReportPage {
    var source: String
    var scope: ReportScope
    var totals: ReportTotals
    var selection: ReportSelection
    var stats: StatsEvent?

    func write(to output: OutputStream) {
        output.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<title>tlsdump report: \(source.htmlEscaped)</title>\n<style>\n\(Self.style)</style>\n</head>\n<body>\n")
        output.write(heading + charts + flaggedTable)
        output.write(connectionsIntro)
        for entry in selection.entries { output.write(entry.connection.section) }
        output.write("</section>\n</body>\n</html>\n")
    }

    private var shownWord: String {
        scope == .allConnections ? "connections" : "connections with findings"
    }

    private var candidates: Int { selection.entries.count + selection.leftOut }

    private var heading: String {
        var out = "<header id=\"top\">\n<h1>tlsdump report</h1>\n<p class=\"meta\">\(source.htmlEscaped): "
        out += "\(totals.connections) TLS connections, \(totals.connectionsWithFindings) with findings"
        if let stats { out += "; \(stats.packets) packets, \(stats.bytes) bytes, \(stats.tcpConnections) TCP connections" }
        if stats?.quicConnections ?? 0 > 0 { out += ", \(stats?.quicConnections ?? 0) QUIC" }
        out += ".</p>\n</header>\n"
        return out
    }

    private var charts: String {
        var out = "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"charts\">\n"
        out += BarChart(title: "Connections by version", counts: totals.versions).figure
        out += BarChart(title: "Connections by cipher suite", counts: totals.suites).figure
        out += BarChart(title: "Connections by key exchange", counts: totals.keyExchanges).figure
        out += BarChart(title: "Connections by client (measured catalogue)", counts: totals.clients).figure
        let severities = Severity.allCases.reversed().map {
            BarChart.Bar(label: $0.name, count: totals.findingsBySeverity[$0] ?? 0, style: $0.name)
        }
        out += BarChart(title: "Findings by severity", bars: severities).figure
        var byID: [String: Int] = [:]
        var severityOfID: [String: String] = [:]
        for (id, count) in totals.findingsByID {
            byID[id.rawValue] = count
            severityOfID[id.rawValue] = id.severity.name
        }
        out += BarChart(title: "Findings by id", counts: byID, style: { severityOfID[$0] }).figure
        return out + "</div>\n</section>\n"
    }

    private var flaggedTable: String {
        let flagged = selection.entries.filter { $0.connection.worst != nil }
        var out = "<section id=\"flagged\">\n<h2>Flagged connections</h2>\n"
        if flagged.isEmpty {
            out += "<p>No connection has a finding.</p>\n"
        } else {
            out += "<table>\n<thead><tr><th>connection</th><th>client → server</th><th>SNI</th><th>version</th><th>worst</th><th>findings</th></tr></thead>\n<tbody>\n"
            for entry in flagged { out += entry.connection.tableRow }
            out += "</tbody>\n</table>\n"
        }
        return out + "</section>\n"
    }

    private var connectionsIntro: String {
        var out = "<section id=\"connections\">\n<h2>Connections</h2>\n"
        out += "<p>\(selection.entries.count) of \(candidates) \(shownWord), the worst finding first, then in capture order."
        if selection.leftOut > 0 {
            out += " <span class=\"cap-note\">\(selection.leftOut) \(shownWord) were left out: the report shows at most \(selection.capacity).</span>"
        }
        out += "</p>\n" + Self.legend
        return out
    }

    /// What the ladders' lines mean.
    static let legend = """
    <svg class="legend" xmlns="http://www.w3.org/2000/svg" width="920" height="30" viewBox="0 0 920 30" role="img" aria-label="legend">
    <g class="msg c"><line x1="4" y1="15" x2="44" y2="15"/><text class="key" x="50" y="19">clear</text></g>
    <g class="msg e"><line x1="120" y1="15" x2="160" y2="15"/><text class="key" x="166" y="19">encrypted, not read</text></g>
    <g class="msg d"><line x1="310" y1="15" x2="350" y2="15"/><text class="key" x="356" y="19">decrypted</text></g>
    <g class="msg e i"><line x1="450" y1="15" x2="490" y2="15"/><text class="key" x="496" y="19">inferred (name?)</text></g>
    <g class="msg c a"><line x1="630" y1="15" x2="670" y2="15"/><text class="key" x="676" y="19">alert</text></g>
    <g class="gap"><line x1="740" y1="15" x2="780" y2="15"/><text class="key" x="786" y="19">gap in the capture</text></g>
    </svg>

    """

    static let style = """
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1b1b1b; max-width: 1180px; }
    h1 { margin: 0 0 4px; font-size: 24px; }
    h2 { border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 28px; }
    h3 { font-size: 16px; margin: 0 0 8px; }
    .meta { color: #555; margin: 0; }
    .charts { display: flex; flex-wrap: wrap; gap: 8px 28px; }
    figure { margin: 0; }
    figcaption { font-weight: 600; margin: 6px 0 2px; }
    .chart text { font-size: 12px; }
    .chart .name { text-anchor: end; fill: #333; }
    .chart .count { fill: #333; }
    .chart .bar { fill: #5b7db1; }
    .bar.high { fill: #c62828; } .bar.medium { fill: #ef6c00; } .bar.low { fill: #f9a825; } .bar.info { fill: #78909c; }
    table { border-collapse: collapse; font-size: 13px; }
    th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
    th { background: #f3f3f3; }
    .badge { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; font-weight: 600; }
    .badge.high { background: #c62828; } .badge.medium { background: #ef6c00; } .badge.low { background: #b28704; } .badge.info { background: #607d8b; }
    .cap-note { font-weight: 600; color: #8a4b00; }
    article.connection { border: 1px solid #ddd; border-radius: 6px; padding: 12px 14px; margin: 18px 0; }
    .sni { font-family: ui-monospace, Menlo, Consolas, monospace; background: #eef3fb; padding: 0 4px; }
    a.top { float: right; font-weight: normal; font-size: 12px; }
    pre.story { background: #f7f7f7; padding: 8px; white-space: pre-wrap; font-size: 12px; margin: 0 0 8px; }
    ul.findings { padding-left: 18px; font-size: 13px; }
    ul.findings li { margin: 4px 0; }
    .remedy { color: #2e5e2e; margin-top: 2px; }
    .ladder-box { overflow-x: auto; }
    svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    .ladder .who { font-weight: 700; font-size: 13px; text-anchor: middle; }
    .ladder .addr { font-size: 12px; text-anchor: middle; fill: #444; }
    .ladder .life { stroke: #999; stroke-width: 1; }
    .ladder .hs rect { fill: #eef3fb; }
    .ladder .hs text { font-size: 12px; font-weight: 600; text-anchor: middle; fill: #23416b; }
    .ladder .t { font-size: 11px; fill: #666; font-family: ui-monospace, Menlo, Consolas, monospace; }
    .ladder .label { font-size: 12.5px; text-anchor: middle; }
    .ladder .size { font-size: 11px; fill: #666; }
    .ladder .more { font-size: 12px; text-anchor: middle; fill: #555; font-style: italic; }
    .msg line { stroke: #222; stroke-width: 1.6; }
    .msg polygon { fill: #222; }
    .msg.e line { stroke: #555; stroke-dasharray: 7 4; }
    .msg.e polygon { fill: #555; }
    .msg.d line { stroke: #1565c0; }
    .msg.d polygon { fill: #1565c0; }
    .msg.i line { stroke: #7b1fa2; stroke-dasharray: 2 3; }
    .msg.i polygon { fill: #7b1fa2; }
    .msg.i .label { font-style: italic; fill: #7b1fa2; }
    .msg.a line { stroke: #c62828; }
    .msg.a polygon, .msg.a .label { fill: #c62828; }
    .gap line { stroke: #c62828; stroke-width: 2; stroke-dasharray: 1 3; }
    .gap .label { fill: #c62828; }
    .legend .key { font-size: 12px; }

    """
}
