/// A bounded memo of `X509Summarizer.summarize(der:)`, keyed by the DER bytes
/// themselves: real traffic repeats the same server certificates constantly, and
/// hashing the DER for the lookup costs less than the SHA-256 a summary needs.
///
/// A value type holding no shared state: keep one per analyzer (per thread).
/// Oldest entries are dropped first once `capacity` is reached.
public struct X509SummaryCache: Sendable {
    public let capacity: Int
    private var summaries: [[UInt8]: CertificateSummary] = [:]
    /// Insertion order, as a ring: `order[next]` is the oldest key once full.
    private var order: [[UInt8]] = []
    private var next = 0

    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int = 1024) {
        self.capacity = max(0, capacity)
    }

    public var count: Int { summaries.count }

    /// The summary of `der`, computed once while it stays among the last `capacity` distinct certificates.
    public mutating func summary(der: [UInt8]) -> CertificateSummary {
        if let cached = summaries[der] {
            hits += 1
            return cached
        }
        misses += 1
        let summary = X509Summarizer.summarize(der: der)
        guard capacity > 0 else { return summary }
        if order.count < capacity {
            order.append(der)
        } else {
            summaries[order[next]] = nil
            order[next] = der
            next = next + 1 == capacity ? 0 : next + 1
        }
        summaries[der] = summary
        return summary
    }
}
