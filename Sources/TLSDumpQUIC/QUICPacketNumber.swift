/// Packet number recovery (RFC 9000 17.1, Appendix A.3).
public enum QUICPacketNumber {
    /// The largest packet number, 2^62 - 1.
    public static let max: Int64 = (1 << 62) - 1

    /// The full packet number closest to `largest + 1` whose low `length` bytes
    /// (1...4) are `truncated`. `largest` nil means none received yet. Values
    /// outside 0...max are clamped, so no input traps.
    public static func decode(truncated: UInt64, length: Int, largest: Int64?) -> Int64 {
        let bits = Swift.max(1, Swift.min(length, 4)) * 8
        let expected = (largest.map { Swift.max(-1, Swift.min($0, max)) } ?? -1) + 1
        let window = Int64(1) << bits
        let halfWindow = window / 2
        let pnMask = window - 1
        let candidate = (expected & ~pnMask) | (Int64(truncatingIfNeeded: truncated) & pnMask)
        if candidate <= expected - halfWindow && candidate < (Int64(1) << 62) - window {
            return candidate + window
        }
        if candidate > expected + halfWindow && candidate >= window {
            return candidate - window
        }
        return candidate
    }
}
