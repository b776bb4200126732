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

    /// What later steps need of the ClientHello (not the whole parsed hello: its lists are large).
    var clientHello: ClientHelloFacts?
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
    var serverRandom: ShortBytes?
    var serverSessionID: ShortBytes?
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

    /// The message list grew by doubling; once the handshake is done it rarely
    /// grows again, so its spare capacity is given back.
    mutating func trimMessageStorage() {
        guard messages.capacity > messages.count + 1 else { return }
        var trimmed: [HandshakeMessageInfo] = []
        trimmed.reserveCapacity(messages.count)
        trimmed.append(contentsOf: messages)
        messages = trimmed
    }

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

/// The parts of a ClientHello that the ServerHello and key setup consult.
struct ClientHelloFacts {
    var legacyVersion: UInt16
    var random: ShortBytes
    var sessionID: ShortBytes
    var offersEncryptThenMAC: Bool
    var offersExtendedMasterSecret: Bool

    init(_ hello: ClientHello) {
        legacyVersion = hello.legacyVersion
        random = ShortBytes(hello.random)
        sessionID = ShortBytes(hello.sessionID)
        offersEncryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC)
        offersExtendedMasterSecret = hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
    }
}

/// A byte string kept inline up to 32 bytes (randoms, session ids: a heap
/// array each would cost more than the bytes), on the heap beyond that.
struct ShortBytes: Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var longBytes: [UInt8]?
    let count: Int

    static let inlineCapacity = 32

    init(_ bytes: [UInt8]) {
        count = bytes.count
        guard bytes.count <= ShortBytes.inlineCapacity else {
            longBytes = bytes
            return
        }
        var packed: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &packed) { destination in
            bytes.withUnsafeBytes { source in destination.copyMemory(from: source) }
        }
        words = packed
    }

    var isEmpty: Bool { count == 0 }

    var bytes: [UInt8] {
        if let longBytes { return longBytes }
        return withUnsafeBytes(of: words) { raw in Array(raw.prefix(count)) }
    }

    static func == (a: ShortBytes, b: ShortBytes) -> Bool { a.bytes == b.bytes }

    /// Equal to `other` without building an array for the inline case.
    func equals(_ other: [UInt8]) -> Bool {
        if let longBytes { return longBytes == other }
        guard other.count == count else { return false }
        return withUnsafeBytes(of: words) { raw in raw.prefix(count).elementsEqual(other) }
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
