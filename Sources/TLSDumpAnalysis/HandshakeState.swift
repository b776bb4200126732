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
    /// The side asked to renegotiate sent a handshake record (it did not refuse).
    var answered = false
    /// How records were protected while this handshake ran (the previous handshake's suite).
    var protection: RecordSizeModel?
    /// Plaintext bytes of each side's flight inside an encrypted renegotiation, as a range
    /// (exact for stream/AEAD suites, within a block per record for CBC).
    var flightLow = SidePair(client: 0, server: 0)
    var flightHigh = SidePair(client: 0, server: 0)
    var flightRecords = SidePair(client: 0, server: 0)
    var flightSizeKnown = true
    var lastServerFlightTime: Timestamp?
    var applicationBytesAtStart = SidePair(client: 0, server: 0)
    /// Application data each side sent after the renegotiation started.
    var applicationRecordsDuring = SidePair(client: 0, server: 0)
    var certificateRequestInferred = false
    var clientCertificateInferred: Bool?
    /// Clear handshakes: exact sizes (message + 4-byte header) used as the baseline for inference.
    var clearServerFlightBytes = 0
    var clearClientKeyExchangeBytes: Int?
    var encryptThenMAC = false
    var failureReason: String?
    /// For decryption: the ServerHello's random and session id, and RFC 7627 in both hellos.
    var serverRandom: [UInt8]?
    var serverSessionID: [UInt8]?
    var extendedMasterSecret = false
    /// Started from a decrypted record (its messages were read with a key).
    var decrypted = false

    init(index: Int, initiator: Side?, encrypted: Bool, start: Timestamp) {
        self.index = index
        self.initiator = initiator
        self.encrypted = encrypted
        self.start = start
    }

    var isTLS13: Bool { version.map(ProtocolVersion.isTLS13Family) ?? false }

    /// The server's first flight (ServerHello through ServerHelloDone), the baseline a renegotiation is compared with.
    static let serverFlightTypes: Set<UInt8> = [HandshakeType.certificate, HandshakeType.serverKeyExchange, HandshakeType.certificateRequest,
                                                 HandshakeType.serverHelloDone, HandshakeType.certificateStatus]

    mutating func add(_ message: HandshakeMessageInfo, limit: Int) {
        if messages.count < limit { messages.append(message) } else { messagesDropped += 1 }
    }

    var outcome: String {
        if done { return "completed" }
        if refused { return "refused" }
        if failed { return "failed" }
        return "unknown"
    }

    /// Client authentication as far as it can be told (inferred from sizes when encrypted).
    var clientAuthenticated: Bool? {
        if clientCertificateVerify { return true }
        if clientCertificateEmpty == true { return false }
        if let inferred = clientCertificateInferred { return inferred }
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
}
