import TLSDumpBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded memo of `X509Summarizer.summarize(der:)`, keyed by the DER bytes
/// themselves: real traffic repeats the same server certificates constantly, and
/// hashing the DER for the lookup costs less than the SHA-256 a summary needs.
///
/// A value type holding no shared state: keep one per analyzer (per thread).
/// Oldest entries are dropped first once `capacity` is reached.
public struct X509SummaryCache: Sendable {
    public let capacity: Int
    private var summaries: [DERKey: CertificateSummary] = [:]
    /// Insertion order, as a ring: `order[next]` is the oldest key once full.
    private var order: [DERKey] = []
    private var next = 0

    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int = 1024) {
        self.capacity = max(0, capacity)
    }

    public var count: Int { summaries.count }

    /// The summary of `der`, computed once while it stays among the last `capacity` distinct certificates.
    public mutating func summary(der: [UInt8]) -> CertificateSummary {
        let key = DERKey(der)
        if let cached = summaries[key] {
            hits += 1
            return cached
        }
        misses += 1
        let summary = X509Summarizer.summarize(der: der)
        guard capacity > 0 else { return summary }
        if order.count < capacity {
            order.append(key)
        } else {
            summaries[order[next]] = nil
            order[next] = key
            next = next + 1 == capacity ? 0 : next + 1
        }
        summaries[key] = summary
        return summary
    }
}

/// DER bytes as a dictionary key, hashed in one keyed pass over the buffer
/// (`KeyedByteHash`; `[UInt8]`'s own `hash(into:)` feeds SipHash a byte at a time).
private struct DERKey: Hashable, Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.withUnsafeBytes { KeyedByteHash.hash($0) })
    }

    static func == (a: DERKey, b: DERKey) -> Bool {
        guard a.bytes.count == b.bytes.count else { return false }
        return a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in
                guard let p = x.baseAddress, let q = y.baseAddress else { return x.count == y.count }
                return memcmp(p, q, x.count) == 0
            }
        }
    }
}
