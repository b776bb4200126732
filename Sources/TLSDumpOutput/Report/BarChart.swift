/// A horizontal bar chart as inline SVG: one bar per row, longest first,
/// the count after each bar; rows past `maxRows` are summed into "other".
struct BarChart {
    struct Bar {
        var label: String
        var count: Int
        /// A CSS class for the bar (severity colours), or nil for the default.
        var style: String?
    }

    var title: String
    var bars: [Bar]

    static let width = 530
    static let labelWidth = 270
    static let barRoom = 200
    static let rowHeight = 20
    static let maxRows = 12
    static let maxLabelCharacters = 44

    /// Counts by name, most first (ties by name, so the chart reads the same on every run).
    init(title: String, counts: [String: Int], style: (String) -> String? = { _ in nil }) {
        self.title = title
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var bars = sorted.prefix(Self.maxRows).map { Bar(label: $0.key, count: $0.value, style: style($0.key)) }
        if sorted.count > Self.maxRows {
            let rest = sorted.dropFirst(Self.maxRows)
            bars.append(Bar(label: "other (\(rest.count))", count: rest.reduce(0) { $0 + $1.value }, style: nil))
        }
        self.bars = bars
    }

    /// Rows in the order given (severities high to low).
    init(title: String, bars: [Bar]) {
        self.title = title
        self.bars = bars
    }

    var svg: String {
        let height = max(1, bars.count) * Self.rowHeight + 8
        var out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.width)\" height=\"\(height)\" "
        out += "viewBox=\"0 0 \(Self.width) \(height)\" role=\"img\" aria-label=\"\(title.htmlEscaped)\">\n"
        if bars.isEmpty {
            out += "<text class=\"none\" x=\"4\" y=\"16\">none</text>\n"
        }
        let largest = max(1, bars.map(\.count).max() ?? 1)
        for (index, bar) in bars.enumerated() {
            let y = 4 + index * Self.rowHeight
            let length = bar.count == 0 ? 0 : max(2, Int((Double(bar.count) / Double(largest) * Double(Self.barRoom)).rounded()))
            let shown = bar.label.count > Self.maxLabelCharacters ? String(bar.label.prefix(Self.maxLabelCharacters - 1)) + "…" : bar.label
            out += "<g><title>\(bar.label.htmlEscaped): \(bar.count)</title>"
            out += "<text class=\"name\" x=\"\(Self.labelWidth - 6)\" y=\"\(y + 13)\">\(shown.htmlEscaped)</text>"
            out += "<rect class=\"bar\(bar.style.map { " " + $0 } ?? "")\" x=\"\(Self.labelWidth)\" y=\"\(y + 2)\" width=\"\(length)\" height=\"\(Self.rowHeight - 6)\"/>"
            out += "<text class=\"count\" x=\"\(Self.labelWidth + length + 5)\" y=\"\(y + 13)\">\(bar.count)</text></g>\n"
        }
        return out + "</svg>\n"
    }

    /// The chart with its heading, as one figure of the summary.
    var figure: String {
        "<figure><figcaption>\(title.htmlEscaped)</figcaption>\n" + svg + "</figure>\n"
    }
}
