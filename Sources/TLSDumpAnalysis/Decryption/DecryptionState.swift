import TLSDumpTLS

/// The decryptors of one connection: those in force per side, and those
/// waiting for that side's ChangeCipherSpec (TLS 1.2 and older).
final class DecryptionState {
    var active = SidePair<RecordDecryptor?>(client: nil, server: nil)
    var pending = SidePair<RecordDecryptor?>(client: nil, server: nil)
    /// TLS 1.3 application traffic secrets, switched in after each side's Finished.
    var applicationSecrets = SidePair<[UInt8]?>(client: nil, server: nil)
    /// The current traffic secret per side (for KeyUpdate).
    var currentSecrets = SidePair<[UInt8]?>(client: nil, server: nil)
    /// TLS 1.0-1.2 without a key found by client random or session id: the
    /// key pairs of the key log's session master secrets (s_client's
    /// `SSL-Session:` blocks), tried on the first protected record; the one
    /// that opens it is the connection's.
    var candidates: [SidePair<RecordDecryptor>] = []
    var tls13Suite: UInt16?
    /// TLS 1.0-1.2: the master secret of the current handshake, once found (a NewSessionTicket resumes it).
    var master: [UInt8]?
    /// The pending keys are a resumed session's, not yet confirmed by an abbreviated handshake.
    var pendingFromResumption = false
    /// TLS 1.3 0-RTT: the ClientHello offered early data and the client's handshake keys have
    /// not opened a record yet: a client record may be early data (RFC 8446 4.2.10).
    var earlyDataPhase = false
    /// The client early traffic keys, one per TLS 1.3 suite offered until one opens a record.
    var earlyCandidates: [RecordDecryptor] = []
    var early: RecordDecryptor?
    /// Client records taken for early data none of the keys opened (bounded by `earlyRecordLimit`).
    var undecryptedEarlyRecords = 0
    /// Early data being dispatched (the trace names it).
    var dispatchingEarly = false
    /// Past this many unopened client records the early phase ends: the keys are wrong, not the data early.
    static let earlyRecordLimit = 64
    var used = false
    var failed = SidePair(client: false, server: false)
    var unsupportedReported = false
    /// Handshake messages (with headers) of the current handshake up to the
    /// ClientKeyExchange: the RFC 7627 session hash needs them for RSA decryption.
    var transcript: [UInt8] = []
    static let transcriptLimit = 512 * 1024
}
