import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow

/// A connection's ladder as inline SVG: client and server as two lifelines,
/// one arrow per message or record (or run of application data) in capture
/// order, each with its time since the connection started. Styles are CSS
/// classes of the page (`ReportPage.style`): `e` encrypted (dashed), `d`
/// decrypted, `i` inferred (dotted), `a` alert (red).
enum LadderDiagram {
    static let width = 920
    static let clientX = 180
    static let serverX = 820
    static let headerHeight = 46
    static let rowHeight = 26

    static func svg(rows: [LadderRow], flow: FlowIdentity, start: Timestamp) -> String {
        let height = headerHeight + rows.count * rowHeight + 12
        let client = "\(flow.client)".htmlEscaped
        let server = "\(flow.server)".htmlEscaped
        var out = "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        out += "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"ladder diagram of \(flow.flowID.htmlEscaped)\">\n"
        out += "<text class=\"who\" x=\"\(clientX)\" y=\"16\">client</text><text class=\"addr\" x=\"\(clientX)\" y=\"32\">\(client)</text>\n"
        out += "<text class=\"who\" x=\"\(serverX)\" y=\"16\">server</text><text class=\"addr\" x=\"\(serverX)\" y=\"32\">\(server)</text>\n"
        out += "<line class=\"life\" x1=\"\(clientX)\" y1=\"38\" x2=\"\(clientX)\" y2=\"\(height - 4)\"/>"
        out += "<line class=\"life\" x1=\"\(serverX)\" y1=\"38\" x2=\"\(serverX)\" y2=\"\(height - 4)\"/>\n"
        var y = headerHeight
        for row in rows {
            let mid = y + rowHeight / 2 + 4
            switch row {
            case .section(let title):
                out += "<g class=\"hs\"><rect x=\"0\" y=\"\(y + 3)\" width=\"\(width)\" height=\"\(rowHeight - 6)\"/>"
                out += "<text class=\"band\" x=\"\(width / 2)\" y=\"\(y + rowHeight / 2 + 4)\">\(title.htmlEscaped)</text></g>\n"
            case .arrow(let arrow):
                out += self.arrow(arrow, y: mid, start: start)
            case .gap(let sender, let bytes, let at):
                out += "<g class=\"gap\"><text class=\"t\" x=\"4\" y=\"\(mid + 4)\">\(time(at, since: start))</text>"
                out += "<line x1=\"\(clientX)\" y1=\"\(mid)\" x2=\"\(serverX)\" y2=\"\(mid)\"/>"
                out += "<text class=\"label\" x=\"\((clientX + serverX) / 2)\" y=\"\(mid - 5)\">gap: \(bytes) bytes from the \(sender.rawValue) missing from the capture</text></g>\n"
            case .more(let count):
                out += "<text class=\"more\" x=\"\((clientX + serverX) / 2)\" y=\"\(mid)\">… \(count) more records not drawn</text>\n"
            }
            y += rowHeight
        }
        return out + "</svg>\n"
    }

    private static func arrow(_ a: LadderArrow, y: Int, start: Timestamp) -> String {
        let fromX = a.sender == .client ? clientX : serverX
        let toX = a.sender == .client ? serverX : clientX
        let head = a.sender == .client ? toX - 10 : toX + 10
        var classes = "msg"
        switch a.protection {
        case .clear: classes += " c"
        case .encrypted: classes += " e"
        case .decrypted: classes += " d"
        }
        if a.inferred { classes += " i" }
        if a.isAlert { classes += " a" }
        let label = a.name + (a.inferred ? "?" : "") + (a.records > 1 ? " ×\(a.records)" : "")
        var size: String
        if a.inferred && a.records == 0 {
            size = "inferred from record sizes"
        } else {
            size = a.records > 1 ? "\(a.records) records, \(byteCount(a.bytes))" : byteCount(a.bytes)
            if a.inferred { size += ", inferred" }
        }
        let how = a.protection == .encrypted ? "encrypted" : a.protection == .decrypted ? "decrypted" : "clear"
        let t = time(a.at, since: start)
        var out = "<g class=\"\(classes)\"><title>\(t) \(a.sender.rawValue): \(label.htmlEscaped) (\(how), \(size))</title>"
        out += "<text class=\"t\" x=\"4\" y=\"\(y + 4)\">\(t)</text>"
        out += "<line x1=\"\(fromX)\" y1=\"\(y)\" x2=\"\(head)\" y2=\"\(y)\"/>"
        out += "<polygon points=\"\(toX),\(y) \(head),\(y - 5) \(head),\(y + 5)\"/>"
        out += "<text class=\"label\" x=\"\((clientX + serverX) / 2)\" y=\"\(y - 5)\">\(label.htmlEscaped)"
        out += "<tspan class=\"size\"> · \(size.htmlEscaped)</tspan></text></g>\n"
        return out
    }

    /// "+66.123 ms" since the connection's first packet.
    static func time(_ at: Timestamp, since start: Timestamp) -> String {
        "+" + format3(at.milliseconds(since: start)) + " ms"
    }

    static func byteCount(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return format1(Double(bytes) / 1024) + " KB" }
        return format1(Double(bytes) / (1024 * 1024)) + " MB"
    }
}
