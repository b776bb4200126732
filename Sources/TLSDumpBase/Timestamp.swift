/// Capture time of a packet: nanoseconds since the Unix epoch (UTC).
///
/// Kept as one integer so that the hot path compares and subtracts times
/// without Foundation. Formatting lives in `RFC3339`.
public struct Timestamp: Sendable, Hashable, Comparable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public init(seconds: Int64, microseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ microseconds &* 1_000
    }

    public init(seconds: Int64, nanoseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds
    }

    public static let zero = Timestamp(nanoseconds: 0)

    /// Whole seconds, rounded toward negative infinity.
    public var seconds: Int64 {
        let (q, r) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        return r < 0 ? q - 1 : q
    }

    /// Milliseconds from `earlier` to `self`, as a Double (fractional).
    public func milliseconds(since earlier: Timestamp) -> Double {
        Double(nanoseconds &- earlier.nanoseconds) / 1_000_000
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }
}
