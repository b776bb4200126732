/// A shell-style glob (`*` any run, `?` one character), matched case-insensitively
/// against a server name: `*.example.com`, `api?.example.*`.
public struct SNIPattern: Sendable, Equatable {
    private let pattern: [UInt8]

    public init(_ pattern: String) {
        self.pattern = Array(pattern.utf8).map(SNIPattern.lowercased)
    }

    public func matches(_ name: String?) -> Bool {
        guard let name else { return false }
        return SNIPattern.match(pattern[...], Array(name.utf8).map(SNIPattern.lowercased)[...])
    }

    private static func lowercased(_ b: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) ? b | 0x20 : b
    }

    /// Iterative glob match with single-star backtracking: linear in practice,
    /// never exponential on a hostile name.
    private static func match(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        var pi = p.startIndex, si = s.startIndex
        var starP: Int?, starS = s.startIndex
        let star = UInt8(ascii: "*"), any = UInt8(ascii: "?")
        while si < s.endIndex {
            if pi < p.endIndex && (p[pi] == any || p[pi] == s[si]) {
                pi += 1; si += 1
            } else if pi < p.endIndex && p[pi] == star {
                starP = pi; starS = si; pi += 1
            } else if let sp = starP {
                pi = sp + 1; starS += 1; si = starS
            } else {
                return false
            }
        }
        while pi < p.endIndex && p[pi] == star { pi += 1 }
        return pi == p.endIndex
    }
}
