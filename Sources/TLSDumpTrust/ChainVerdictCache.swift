import TLSDumpBase

/// Verdicts by (chain, name checked, side), one per analyzer (per thread):
/// servers show the same chain to every client, and validating costs
/// signature checks. A verdict is reused only within the capture times it
/// holds for (`stableFrom`...`stableUntil`: no certificate's validity bound
/// in between), so a long capture that crosses an expiry is judged again.
/// A reused verdict keeps the `validatedAt` it was made at (it holds for every
/// time in that range alike); the session writes its own time into the summary.
public struct ChainVerdictCache: Sendable {
    private var memo: BoundedMemo<Key, SharedVerdict>

    /// Chains of more certificates than this are validated each time, never kept.
    public static let maxCachedCertificates = 16

    public init(capacity: Int = 1024) {
        memo = BoundedMemo(capacity: capacity, maxEntryCost: Self.maxCachedCertificates)
    }

    public var count: Int { memo.count }
    public var hits: Int { memo.hits }
    public var misses: Int { memo.misses }

    public mutating func verdict(_ chain: [PresentedCertificate], hostname: String?, client: Bool, at time: Timestamp,
                                 validator: ChainValidator) -> SharedVerdict {
        let seconds = time.seconds
        return memo.value(
            for: Key(digests: chain.map(\.summary.sha256), hostname: hostname, client: client),
            cost: chain.count,
            isFresh: { $0.value.stableFrom < seconds && seconds < $0.value.stableUntil },
            compute: { SharedVerdict(validator.validate(chain, hostname: hostname, at: time)) })
    }

    private struct Key: Hashable, Sendable {
        var digests: [String]
        var hostname: String?
        var client: Bool
    }
}

/// One verdict shared by every connection that showed the chain (a
/// connection holds a pointer, not a copy of the paths and problems).
public final class SharedVerdict: Sendable {
    public let value: ChainValidation
    public init(_ value: ChainValidation) { self.value = value }
}
