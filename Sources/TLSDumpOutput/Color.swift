#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TLSDumpAnalysis

/// ANSI styling for the text view; a disabled palette returns text unchanged,
/// so snapshot output and pipes never carry escape codes.
public struct TextPalette: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    public static let plain = TextPalette(enabled: false)

    /// `--color auto`: colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    public static func automatic(fd: Int32 = 1) -> TextPalette {
        let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        return TextPalette(enabled: isatty(fd) == 1 && !noColor)
    }

    /// SGR codes per severity: high red, medium yellow, low cyan, info dim.
    private static let severityCodes: [Severity: String] = [
        .high: "31", .medium: "33", .low: "36", .info: "2",
    ]

    func styled(_ text: String, _ code: String) -> String {
        enabled ? "\u{1b}[\(code)m\(text)\u{1b}[0m" : text
    }

    func bold(_ text: String) -> String { styled(text, "1") }

    func severity(_ text: String, _ severity: Severity) -> String {
        styled(text, TextPalette.severityCodes[severity] ?? "0")
    }
}
