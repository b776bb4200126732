/// Text from a capture (SNI, certificate names, ALPN, CA lists, alert and
/// message names) made safe for HTML text and for quoted attribute values:
/// the five characters that can end text or a quoted value become character
/// references, and controls HTML does not allow become U+FFFD, so nothing a
/// peer sent can open an element or end an attribute.
enum HTMLEscaping {
    static func escape(_ text: String) -> String {
        var needed = false
        for scalar in text.unicodeScalars where mustReplace(scalar) {
            needed = true
            break
        }
        guard needed else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(isAllowedControl(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return String(out)
    }

    private static func mustReplace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "&", "<", ">", "\"", "'": true
        default: !isAllowedControl(scalar)
        }
    }

    /// Tab, newline and carriage return, and everything that is not a C0/C1 control or DEL.
    private static func isAllowedControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v == 0x09 || v == 0x0a || v == 0x0d { return true }
        return !(v < 0x20 || (0x7f...0x9f).contains(v))
    }
}

extension String {
    /// This text escaped for HTML (see `HTMLEscaping`).
    var htmlEscaped: String { HTMLEscaping.escape(self) }
}
