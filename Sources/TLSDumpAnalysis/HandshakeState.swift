import TLSDumpBase
import TLSDumpTLS

/// What is known about one handshake of a connection (0 = first, then renegotiations).
///
/// Memory: a connection keeps its handshakes until it ends, so this stays
/// small. Messages are listed in 8-byte entries; what only an encrypted
/// renegotiation needs, and what only key derivation needs, lives out of line
/// and is allocated when used.
struct HandshakeState {
    let index: Int
    var start: Timestamp
    private(set) var messageEntries: [HandshakeMessageEntry] = []
    var messagesDropped = 0
    var bytes = SidePair(client: 0, server: 0)
    /// Clear handshakes: exact sizes (message + 4-byte header) used as the baseline for inference.
    var clearServerFlightBytes = 0
    var clearClientKeyExchangeBytes: Int?

    /// What later steps need of the ClientHello (not the whole parsed hello: its lists are large).
    var clientHello: ClientHelloFacts?
    /// The hello values only key derivation reads (written only when keys were given).
    var keyInputs = OutOfLine<HelloKeyInputs>()
    /// Encrypted renegotiation bookkeeping (zero until a renegotiation writes it).
    private var renegotiationStorage = OutOfLine<RenegotiationFlight>()

    var version: UInt16?
    var cipherSuite: UInt16?
    var initiator: Side?
    /// The handshake's messages travel inside encrypted records (a renegotiation without keys).
    var encrypted: Bool
    var serverHelloSeen = false
    var helloRetry = false
    var resumed: Bool?
    /// Server sent Certificate/ServerKeyExchange/ServerHelloDone: a full handshake.
    var serverSentFullFlight = false
    var changeCipherSpec = SidePair(client: false, server: false)
    var finished = SidePair(client: false, server: false)
    var certificateRequested = false
    var clientCertificateEmpty: Bool?
    var clientCertificateVerify = false
    var done = false
    var failed = false
    var refused = false
    var outcomeReported = false
    var certificateRequestInferred = false
    var clientCertificateInferred: Bool?
    var encryptThenMAC = false
    var extendedMasterSecret = false
    /// Started from a decrypted record (its messages were read with a key).
    var decrypted = false

    /// The messages as the `connection` event lists them.
    var messages: [HandshakeMessageInfo] { messageEntries.map(\.info) }


    // The renegotiation fields under their own names (see `RenegotiationFlight`).
    /// What started a renegotiation ("hello_request", "client_hello", ...); nil for a first handshake.
    var evidence: String? {
        get { renegotiationStorage.value.evidence }
        _modify { yield &renegotiationStorage.value.evidence }
    }
    /// Why a handshake failed (an alert, a reset), when known.
    var failureReason: String? {
        get { renegotiationStorage.value.failureReason }
        _modify { yield &renegotiationStorage.value.failureReason }
    }
    var clientHelloSeenEncrypted: Bool {
        get { renegotiationStorage.value.clientHelloSeenEncrypted }
        _modify { yield &renegotiationStorage.value.clientHelloSeenEncrypted }
    }
    var handshakeRecords: SidePair<Int> {
        get { renegotiationStorage.value.handshakeRecords }
        _modify { yield &renegotiationStorage.value.handshakeRecords }
    }
    var answered: Bool {
        get { renegotiationStorage.value.answered }
        _modify { yield &renegotiationStorage.value.answered }
    }
    var protection: RecordSizeModel? {
        get { renegotiationStorage.value.protection }
        _modify { yield &renegotiationStorage.value.protection }
    }
    var flightLow: SidePair<Int> {
        get { renegotiationStorage.value.flightLow }
        _modify { yield &renegotiationStorage.value.flightLow }
    }
    var flightHigh: SidePair<Int> {
        get { renegotiationStorage.value.flightHigh }
        _modify { yield &renegotiationStorage.value.flightHigh }
    }
    var flightRecords: SidePair<Int> {
        get { renegotiationStorage.value.flightRecords }
        _modify { yield &renegotiationStorage.value.flightRecords }
    }
    var flightSizeKnown: Bool {
        get { renegotiationStorage.value.flightSizeKnown }
        _modify { yield &renegotiationStorage.value.flightSizeKnown }
    }
    var lastServerFlightTime: Timestamp? {
        get { renegotiationStorage.value.lastServerFlightTime }
        _modify { yield &renegotiationStorage.value.lastServerFlightTime }
    }
    var applicationBytesAtStart: SidePair<Int> {
        get { renegotiationStorage.value.applicationBytesAtStart }
        _modify { yield &renegotiationStorage.value.applicationBytesAtStart }
    }
    var applicationRecordsDuring: SidePair<Int> {
        get { renegotiationStorage.value.applicationRecordsDuring }
        _modify { yield &renegotiationStorage.value.applicationRecordsDuring }
    }

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
        guard messageEntries.capacity > messageEntries.count + 1 else { return }
        var trimmed: [HandshakeMessageEntry] = []
        trimmed.reserveCapacity(messageEntries.count)
        trimmed.append(contentsOf: messageEntries)
        messageEntries = trimmed
    }

    mutating func add(sender: Side, name: HandshakeMessageEntry.Name, length: Int,
                      encrypted: Bool, decrypted: Bool, inferred: Bool, limit: Int) {
        guard messageEntries.count < limit else {
            messagesDropped += 1
            return
        }
        messageEntries.append(HandshakeMessageEntry(sender: sender, name: name, length: length,
                                                    encrypted: encrypted, decrypted: decrypted, inferred: inferred))
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

/// The parts of a ClientHello that the ServerHello consults (resumption, extensions).
struct ClientHelloFacts {
    var sessionID: ShortBytes
    var offersEncryptThenMAC: Bool
    var offersExtendedMasterSecret: Bool

    init(_ hello: ClientHello) {
        sessionID = ShortBytes(hello.sessionID)
        offersEncryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC)
        offersExtendedMasterSecret = hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
    }
}

/// Hello values that only key derivation reads: written only when keys were
/// given, so without keys a handshake carries none of them.
struct HelloKeyInputs: DefaultInitializable {
    var clientLegacyVersion: UInt16?
    var clientRandom: ShortBytes?
    /// The ServerHello's random and session id.
    var serverRandom: ShortBytes?
    var serverSessionID: ShortBytes?

    init() {}
}

/// How a renegotiation started and how its encrypted flights looked (sizes,
/// counts, timing), and why a handshake failed: written only by renegotiations
/// and failures, so kept out of line (`OutOfLine`).
struct RenegotiationFlight: DefaultInitializable {
    var evidence: String?
    var failureReason: String?
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

    init() {}
}

/// One handshake message of the summary in 8 bytes (a `HandshakeMessageInfo`
/// is 40: its type name is a String); the name is rendered when the
/// `connection` event is built.
struct HandshakeMessageEntry {
    enum Name {
        /// Unknown (an encrypted message nobody could read).
        case none
        /// The registry name of a handshake type ("unknown_N" when unregistered).
        case handshakeType(UInt8)
        /// SSLv2's CLIENT-MASTER-KEY, which has no TLS handshake type.
        case sslv2ClientMasterKey
    }

    private static let serverBit: UInt8 = 1, encryptedBit: UInt8 = 2, decryptedBit: UInt8 = 4, inferredBit: UInt8 = 8
    private static let typeBit: UInt8 = 16, clientMasterKeyBit: UInt8 = 32

    /// Handshake messages (24-bit lengths), records (16-bit) and SSLv2 records
    /// (15-bit) all fit; clamping only guards the type's range.
    private let length: UInt32
    private let typeCode: UInt8
    private let flags: UInt8

    init(sender: Side, name: Name, length: Int, encrypted: Bool, decrypted: Bool, inferred: Bool) {
        var flags: UInt8 = 0
        if sender == .server { flags |= Self.serverBit }
        if encrypted { flags |= Self.encryptedBit }
        if decrypted { flags |= Self.decryptedBit }
        if inferred { flags |= Self.inferredBit }
        var code: UInt8 = 0
        switch name {
        case .none: break
        case .handshakeType(let type):
            flags |= Self.typeBit
            code = type
        case .sslv2ClientMasterKey:
            flags |= Self.clientMasterKeyBit
        }
        self.length = UInt32(clamping: length)
        self.typeCode = code
        self.flags = flags
    }

    var typeName: String? {
        if flags & Self.typeBit != 0 { return TLSRegistry.handshakeTypeName(typeCode) ?? "unknown_\(typeCode)" }
        if flags & Self.clientMasterKeyBit != 0 { return "ClientMasterKey" }
        return nil
    }

    var info: HandshakeMessageInfo {
        HandshakeMessageInfo(sender: flags & Self.serverBit != 0 ? .server : .client, type: typeName, length: Int(length),
                             encrypted: flags & Self.encryptedBit != 0, decrypted: flags & Self.decryptedBit != 0,
                             inferred: flags & Self.inferredBit != 0)
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
