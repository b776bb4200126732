/// swift-certificates' policy failure texts embed whole certificate
/// descriptions ("... for Certificate(version: ..., extensions: [...]): why"):
/// the verdict names certificates by subject already, so those go.
enum PolicyText {
    static let maxLength = 300

    static func clean(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "Certificate(") {
            out += rest[..<start.lowerBound]
            out += "the certificate"
            // Skip to the matching parenthesis (quotes inside are not balanced-safe, but depth is enough here).
            var depth = 1
            var index = start.upperBound
            while index < rest.endIndex, depth > 0 {
                if rest[index] == "(" { depth += 1 } else if rest[index] == ")" { depth -= 1 }
                index = rest.index(after: index)
            }
            rest = rest[index...]
        }
        out += rest
        return out.count <= maxLength ? out : String(out.prefix(maxLength)) + "..."
    }
}
