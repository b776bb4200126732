import TLSDumpBase
import TLSDumpTLS

/// One handshake of a connection (0 = the first, then renegotiations): its
/// phase (the state machine), the messages seen, and the facts the summary
/// and the inference need.
///
/// Memory: a connection keeps its handshakes until it ends, so this stays
/// small. Messages are listed in 8-byte entries; what only a renegotiation
/// needs, and what only key derivation needs, lives out of line and is
/// allocated when used.
struct Handshake {
    let index: Int
    let role: HandshakeRole
    let start: Timestamp
    /// How the record that started it travelled: clear, encrypted and unread, or decrypted.
    let origin: RecordOrigin
    private(set) var phase: HandshakePhase

    private(set) var messageEntries: [HandshakeMessageEntry] = []
    var messagesDropped = 0
    /// Handshake bytes each side sent (record lengths) until it ended.
    var bytes = SidePair(client: 0, server: 0)
    /// Exact sizes of a clear handshake: the baseline size inference compares with.
    var baseline = SizeBaseline()
    /// Handshake records whose content stayed unknown (ciphertext without a
    /// key, other than a Finished told by its place); with none, what was
    /// not seen was not there.
    var hiddenRecords = 0
    var decryptedRecords = 0

    /// What later steps need of the ClientHello (not the whole parsed hello: its lists are large).
    var clientHello: ClientHelloFacts?
    /// The hello values only key derivation reads (written only when keys were given).
    var keyInputs = OutOfLine<HelloKeyInputs>()
    /// Renegotiation bookkeeping (nothing allocated until a renegotiation writes it).
    var renegotiation = OutOfLine<RenegotiationRecord>()

    var version: UInt16?
    var cipherSuite: UInt16?
    var resumed: Bool?
    /// The server sent Certificate/ServerKeyExchange/ServerHelloDone: a full handshake.
    var fullServerFlight = false
    var encryptThenMAC = false
    var extendedMasterSecret = false
    /// The CertificateRequest of this handshake, read or inferred.
    var certificateRequest: Sighting?
    /// The client's Certificate message, read: empty or not.
    var clientCertificateEmpty: Bool?
    var clientCertificateVerified = false
    /// The client's certificate as told by its encrypted flight's size.
    var clientCertificateInferred: Bool?
    /// Key exchange: what the client offered, what the server chose.
    var keyExchange = KeyExchangeState()

    init(index: Int, initiator: Side?, origin: RecordOrigin, start: Timestamp, phase: HandshakePhase) {
        self.index = index
        self.role = HandshakeRole(initiator: initiator, isRenegotiation: index > 0)
        self.origin = origin
        self.start = start
        self.phase = phase
    }

    /// What `TLSSession.live` changes before there is a handshake: the change is dropped.
    static var placeholder: Handshake { Handshake(index: -1, initiator: nil, origin: .clear, start: .zero, phase: .abandoned) }

    var initiator: Side? { role.initiator }
    var isTLS13: Bool { version.map(ProtocolVersion.isTLS13Family) ?? false }
    var isCompleted: Bool { phase.isCompleted }
    /// Its messages travel inside encrypted records (a renegotiation, decrypted or not).
    var encrypted: Bool { origin != .clear }
    var decrypted: Bool { origin.isDecrypted }

    /// Some of it stayed hidden: a message could be there unseen.
    var hasHiddenContent: Bool {
        hiddenRecords > 0 || (isTLS13 && decryptedRecords == 0)
    }

    /// The server sent a certificate, key exchange or ServerHelloDone: a full handshake, not a resumption.
    mutating func markFullServerFlight() {
        fullServerFlight = true
        if resumed == nil { resumed = false }
    }

    /// Moves the machine. Returns false (phase unchanged) when the phase does
    /// not accept the input: the caller reports it.
    mutating func apply(_ input: HandshakeInput) -> Bool {
        guard let next = phase.next(on: input, in: role) else { return false }
        phase = next
        return true
    }

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

    var messages: [HandshakeMessageInfo] { messageEntries.map(\.info) }

    /// The key exchange as told when the handshake (or the connection) ended: a null group has its reason.
    var keyExchangeReport: KeyExchangeSummary {
        var report = keyExchange.summary
        if report.method == nil, resumed == true, !isTLS13, version != nil { report.method = .resumption }
        report.explainMissingGroup(serverKeyExchangeHidden: hiddenRecords > 0 || (encrypted && !decrypted))
        return report
    }

    /// Client authentication as far as it can be told: read, else inferred
    /// from sizes, else false when nothing stayed hidden and no certificate was asked for.
    var clientAuthenticated: Bool? {
        if clientCertificateVerified { return true }
        if clientCertificateEmpty == true { return false }
        if let inferred = clientCertificateInferred { return inferred }
        if hasHiddenContent || (encrypted && !decrypted) { return nil }
        if certificateRequest == nil { return false }
        return nil
    }

    /// How a CertificateRequest (or anything else) came to be known.
    enum Sighting: Equatable {
        case read(encrypted: Bool)
        case inferred
    }

    /// The server's first flight: what a renegotiation's sizes are compared with.
    static let serverFlightTypes: Set<UInt8> = [HandshakeType.certificate, HandshakeType.serverKeyExchange, HandshakeType.certificateRequest,
                                                 HandshakeType.serverHelloDone, HandshakeType.certificateStatus,
                                                 HandshakeType.compressedCertificate]
}

/// Exact sizes (message + 4-byte header) of a clear handshake's flights.
struct SizeBaseline {
    var serverFlightBytes = 0
    var clientKeyExchangeBytes: Int?
}

/// How a renegotiation started, how its encrypted flights looked, and what
/// the size inference made of them; written only by renegotiations, so kept
/// out of line (`OutOfLine`).
struct RenegotiationRecord: DefaultInitializable {
    var start: RenegotiationStart?
    var flight = EncryptedFlight()
    /// Application data records each side sent after it started.
    var applicationRecordsDuring = SidePair(client: 0, server: 0)
    /// The inference's answer on the client certificate, and whether keys confirmed it.
    var inference: ClientFlightInference?
    var inferenceCheck: InferenceCheck?
    /// Application bytes each side had sent when it completed (nil: not completed).
    var applicationBytesAtCompletion: SidePair<Int>?
    /// The client ended the connection after both Finished (an alert or a
    /// reset before it sent any application data): the handshake finished,
    /// the renegotiation did not work (GnuTLS waiting for a NewSessionTicket).
    var endedAfterFinished: HandshakeFailure?

    init() {}
}

/// What decryption said of a size inference.
public enum InferenceCheck: String, Sendable {
    /// The decrypted messages show what the sizes said.
    case confirmed
    /// The decrypted messages show otherwise; the events tell what they show.
    case corrected
}
