import TLSDumpBase
import TLSDumpFlow

/// Connections whose handshake went wrong (refused, failed, abandoned), kept
/// a few seconds so that a retry can name them: the same client address to
/// the same server and SNI, with the same JA4, starting after the earlier
/// one's handshake went wrong and within `window` of it (a connection the
/// client opened before, in parallel, is no retry). Chromium closes at a
/// certificate request and retries so. A link is made once: the first
/// connection to end that qualifies takes it.
///
/// Per analyser (a retry on another analysis worker is not linked); bounded:
/// at most `maxEntries` connections, forgotten all at once when full (a
/// connection that lost its entry is simply not linked).
struct RetryTable {
    struct Key: Hashable {
        var client: IPAddress
        var server: Endpoint
        var sni: String?
        var ja4: String
    }

    struct Entry {
        var flowID: String
        /// When its handshake went wrong.
        var at: Timestamp
        var outcome: HandshakeOutcome
    }

    static let window: Int64 = 10_000_000_000      // 10 s, in nanoseconds
    static let maxEntries = 1024

    private var entries: [Key: Entry] = [:]

    /// The earlier connection that `flowID`, started at `start`, retries; the link is taken.
    mutating func takeRetried(_ key: Key, flowID: String, start: Timestamp) -> Entry? {
        guard let entry = entries[key], entry.flowID != flowID else { return nil }
        let gap = start.nanoseconds &- entry.at.nanoseconds
        guard gap >= 0 && gap <= Self.window else { return nil }
        entries[key] = nil
        return entry
    }

    /// A connection whose handshake just went wrong: the next one like it may be its retry.
    mutating func remember(_ key: Key, _ entry: Entry) {
        if entries.count >= Self.maxEntries && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
        entries[key] = entry
    }
}

/// What `connection.retry_of` tells: the earlier connection, how its handshake
/// ended, and how long after that this one started.
public struct RetryLink: Sendable, Equatable {
    public var flowID: String
    public var outcome: HandshakeOutcome
    public var msAfter: Double
}
