import Synchronization

/// TLS 1.0-1.2 sessions whose master secret was found (key log or server RSA
/// key), by what a later handshake resumes them with: the session id the
/// server gave, or the ticket it issued (as a SHA-256 digest). A resumed
/// (abbreviated) handshake has no key exchange of its own: its keys come
/// from the master secret of the session it resumes, wherever that session
/// was established, on the same connection (a renegotiation) or on an
/// earlier one of the capture.
///
/// One per run, shared by every connection (and analysis thread): bounded to
/// `capacity` sessions per kind, the oldest forgotten first. With several
/// analysis threads, a resumption analysed before the connection that
/// established its session (another thread, behind) is not found.
public final class ResumableSessions: Sendable {
    public static let capacity = 16_384

    private struct Table {
        var secrets: [[UInt8]: [UInt8]] = [:]
        var order: [[UInt8]] = []
        var head = 0

        mutating func insert(_ key: [UInt8], _ master: [UInt8]) {
            if secrets.updateValue(master, forKey: key) != nil { return }
            if order.count < ResumableSessions.capacity {
                order.append(key)
            } else {
                secrets[order[head]] = nil
                order[head] = key
                head = (head + 1) % order.count
            }
        }
    }

    private struct Tables {
        var bySessionID = Table()
        var byTicket = Table()
    }

    private let tables = Mutex(Tables())

    public init() {}

    /// A session id is 1 to 32 bytes (RFC 5246 7.4.1.2); a master secret 48.
    public func remember(sessionID: [UInt8], master: [UInt8]) {
        guard (1...32).contains(sessionID.count), master.count == 48 else { return }
        tables.withLock { $0.bySessionID.insert(sessionID, master) }
    }

    public func remember(ticketDigest: [UInt8], master: [UInt8]) {
        guard ticketDigest.count == 32, master.count == 48 else { return }
        tables.withLock { $0.byTicket.insert(ticketDigest, master) }
    }

    public func master(sessionID: [UInt8]) -> [UInt8]? {
        guard !sessionID.isEmpty else { return nil }
        return tables.withLock { $0.bySessionID.secrets[sessionID] }
    }

    public func master(ticketDigest: [UInt8]) -> [UInt8]? {
        tables.withLock { $0.byTicket.secrets[ticketDigest] }
    }
}
