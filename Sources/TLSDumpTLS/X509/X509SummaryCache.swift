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
/// Bounded, oldest first (`BoundedMemo`); one per analyzer (per thread).
public struct X509SummaryCache: Sendable {
    private var memo: BoundedMemo<DERKey, CertificateSummary>

    /// Certificates larger than this are summarised each time, never kept
    /// (real ones are a few KiB; a crafted one may fill a 256 KiB message).
    public static let maxCachedDERBytes = 16 * 1024

    /// Larger certificates (up to 1 MiB: a Certificate message is read whole
    /// that far) go to a few slots of their own, so a server with 10,000
    /// names costs one parse, not one per connection; memory stays bounded
    /// by `largeSlots` times a MiB and the kept summary (1,000 names at most).
    private var large: BoundedMemo<DERKey, CertificateSummary>
    public static let maxLargeDERBytes = 1 << 20
    public static let largeSlots = 4

    public init(capacity: Int = 1024) {
        memo = BoundedMemo(capacity: capacity, maxEntryCost: Self.maxCachedDERBytes)
        large = BoundedMemo(capacity: capacity > 0 ? Self.largeSlots : 0, maxEntryCost: Self.maxLargeDERBytes)
    }

    public var capacity: Int { memo.capacity }
    public var count: Int { memo.count }
    public var hits: Int { memo.hits + large.hits }
    public var misses: Int { memo.misses + large.misses }

    /// The summary of `der`, computed once while it stays among the last `capacity` distinct certificates.
    public mutating func summary(der: [UInt8]) -> CertificateSummary {
        if der.count > Self.maxCachedDERBytes {
            return large.value(for: DERKey(der), cost: der.count) { X509Summarizer.summarize(der: der) }
        }
        return memo.value(for: DERKey(der), cost: der.count) { X509Summarizer.summarize(der: der) }
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
