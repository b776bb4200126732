import TLSDumpBase
import TLSDumpTLS

/// What is known about one handshake of a connection (0 = first, then renegotiations).
struct HandshakeState {
    let index: Int
    var initiator: Side?
    var evidence: String?
    /// The handshake's messages travel inside encrypted records (a renegotiation without keys).
    var encrypted: Bool
    var start: Timestamp
    var messages: [HandshakeMessageInfo] = []
    var messagesDropped = 0

    var clientHello: ClientHello?
    var serverHelloSeen = false
    var helloRetry = false
    var version: UInt16?
    var cipherSuite: UInt16?
    var resumed: Bool?
    /// Server sent Certificate/ServerKeyExchange/ServerHelloDone: a full handshake.
    var serverSentFullFlight = false
    var changeCipherSpec = SidePair(client: false, server: false)
    var finished = SidePair(client: false, server: false)
    /// Records of each side after its ChangeCipherSpec within this handshake.
    var encryptedRecordsAfterCCS = SidePair(client: 0, server: 0)
    var bytes = SidePair(client: 0, server: 0)
    var certificateRequested = false
    var clientCertificateEmpty: Bool?
    var clientCertificateVerify = false
    var done = false
    var failed = false
    var refused = false
    var outcomeReported = false
    /// Encrypted renegotiation bookkeeping.
    var clientHelloSeenEncrypted = false
    var handshakeRecords = SidePair(client: 0, server: 0)

    init(index: Int, initiator: Side?, encrypted: Bool, start: Timestamp) {
        self.index = index
        self.initiator = initiator
        self.encrypted = encrypted
        self.start = start
    }

    var isTLS13: Bool { version.map(ProtocolVersion.isTLS13Family) ?? false }

    mutating func add(_ message: HandshakeMessageInfo, limit: Int) {
        if messages.count < limit { messages.append(message) } else { messagesDropped += 1 }
    }

    var outcome: String {
        if done { return "completed" }
        if refused { return "refused" }
        if failed { return "failed" }
        return "unknown"
    }

    /// Client authentication as far as it can be told.
    var clientAuthenticated: Bool? {
        if clientCertificateVerify { return true }
        if clientCertificateEmpty == true { return false }
        if encrypted || isTLS13 { return nil }
        if !certificateRequested { return false }
        return nil
    }
}

/// Per-side state of a connection.
struct SideState {
    /// Records from this side are ciphertext (after its ChangeCipherSpec, TLS 1.2 and older).
    var encrypted = false
    var records = RecordCounts()
    var applicationDataBytes = 0
    var payloadBytes = 0
    var gapBytes = 0
    var sawTLS = false
    var fin = false
    /// TLS 1.3: type-23 records seen after the ServerHello of the current handshake.
    var recordsAfterServerHello = 0
}
