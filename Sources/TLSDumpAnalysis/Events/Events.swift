import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Which end of a connection: the client sent the ClientHello (else the SYN).
public enum Side: String, Sendable {
    case client, server

    public var other: Side { self == .client ? .server : .client }
}

/// Identity shared by every event of one connection (a class: built once, referenced by all events).
public final class FlowIdentity: Sendable {
    public let flowID: String
    public let communityID: String
    public let client: Endpoint
    public let server: Endpoint
    /// The addresses as text, made once per connection rather than per event.
    public let clientAddress: String
    public let serverAddress: String

    public init(flowID: String, communityID: String, client: Endpoint, server: Endpoint) {
        self.flowID = flowID
        self.communityID = communityID
        self.client = client
        self.server = server
        clientAddress = client.ip.description
        serverAddress = server.ip.description
    }
}

/// A value per side of a connection.
public struct SidePair<Value> {
    public var client: Value
    public var server: Value

    public init(client: Value, server: Value) {
        self.client = client
        self.server = server
    }

    public subscript(side: Side) -> Value {
        get { side == .client ? client : server }
        set { if side == .client { client = newValue } else { server = newValue } }
    }
}

public enum Severity: Int, Sendable, Comparable, CaseIterable {
    case info = 0, low, medium, high

    public var name: String {
        switch self {
        case .info: "info"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }

    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

extension SidePair: Sendable where Value: Sendable {}
extension SidePair: Equatable where Value: Equatable {}

public struct Finding: Sendable {
    public var id: FindingID
    public var message: String
    public var handshake: Int?
    public var evidence: Evidence

    public var severity: Severity { id.severity }

    public init(id: FindingID, message: String, handshake: Int?, evidence: Evidence = .none) {
        self.id = id
        self.message = message
        self.handshake = handshake
        self.evidence = evidence
    }
}

public struct ClientHelloEvent: Sendable {
    public var handshake: Int
    public var encrypted: Bool
    public var decrypted: Bool
    public var hello: ClientHello
    public var ja3: String?
    public var ja3String: String?
    public var ja4: String?
}

public struct ServerHelloEvent: Sendable {
    public var handshake: Int
    public var encrypted: Bool
    public var decrypted: Bool
    public var hello: ServerHello
    public var resumed: Bool?
    public var ja3s: String?
    public var ja4s: String?
}

public struct CertificateEvent: Sendable {
    public var handshake: Int
    public var encrypted: Bool
    public var decrypted: Bool
    public var sender: Side
    public var chain: [CertificateSummary]
}

public enum CertificateRequestPhase: String, Sendable {
    case initial, renegotiation
    case postHandshake = "post_handshake"
}

public struct CertificateRequestEvent: Sendable {
    public var handshake: Int
    public var encrypted: Bool
    public var decrypted: Bool
    public var phase: CertificateRequestPhase
    public var afterApplicationData: Bool
    public var applicationBytesBefore: SidePair<Int>
    public var msSinceConnectionStart: Double
    /// nil when hidden by encryption.
    public var certificateTypes: [UInt8]?
    public var signatureAlgorithms: [UInt16]?
    public var caNames: [String]?
    public var inferred: Bool
}

public struct HelloRequestEvent: Sendable {
    public var handshake: Int
    public var encrypted: Bool
    public var inferred: Bool
}

public struct HandshakeDoneEvent: Sendable {
    public var handshake: Int
    public var version: UInt16?
    public var cipherSuite: UInt16?
    public var resumed: Bool?
    public var milliseconds: Double
    public var bytes: SidePair<Int>
    public var clientAuthenticated: Bool?
}

public struct RenegotiationEvent: Sendable {
    public var handshake: Int
    public var initiator: String
    public var evidence: String
    public var encrypted: Bool
    public var secure: Bool?
    public var outcome: RenegotiationOutcome
    /// Initiator and outcome were told from encrypted records (no key), not read.
    public var inferred: Bool
}

public struct AlertEvent: Sendable {
    public var sender: Side
    public var encrypted: Bool
    public var level: UInt8?
    public var description: UInt8?
    public var handshake: Int
}

/// One line of the `openssl s_client -msg`-style trace (trace format only; not in JSON).
public struct TraceEntry: Sendable {
    public var sender: Side
    public var recordVersion: UInt16
    public var contentType: UInt8
    /// Handshake message length + 4, or record length for other records.
    public var length: Int
    /// "ClientHello", "encrypted", "warning close_notify" ...
    public var detail: String
    /// Decrypted application data, when the trace asks for a hex dump (`-x`).
    public var payload: [UInt8]?
    /// A decrypted record: its length on the wire (`length` is the plaintext's).
    public var recordLength: Int?
}

public struct KeyUpdateEvent: Sendable {
    public var sender: Side
    public var updateRequested: Bool
}

public struct HandshakeMessageInfo: Sendable {
    public var sender: Side
    public var type: String?
    public var length: Int
    public var encrypted: Bool
    public var decrypted: Bool
    public var inferred: Bool
}

/// One handshake as the `connection` event and the story tell it.
public struct HandshakeSummary: Sendable {
    public var index: Int
    public var initiator: Side?
    /// Where its state machine ended; `outcome` is the contract's word for it.
    public var phase: HandshakePhase
    public var encrypted: Bool
    public var decrypted: Bool
    public var messages: [HandshakeMessageInfo]
    public var messagesDropped: Int
    /// A renegotiation: when it started, after how much application data.
    public var start: RenegotiationStart?
    /// Its CertificateRequest (read or inferred).
    public var certificateRequest: CertificateRequestEvent?
    /// What the client answered to a certificate request.
    public var clientCertificate: ClientCertificateAnswer
    public var clientAuthenticated: Bool?
    /// The size inference on the client's encrypted flight, and what keys said of it.
    public var inference: ClientFlightInference?
    public var inferenceCheck: InferenceCheck?

    public var outcome: HandshakeOutcome { phase.outcome }
    /// Initiator and outcome were told from ciphertext, not read.
    public var inferred: Bool { encrypted && !decrypted }

    public var failure: HandshakeFailure? {
        if case .failed(_, let reason) = phase { return reason }
        return nil
    }

    public var refusedBy: Side? {
        if case .refused(let side, _) = phase { return side }
        return nil
    }
}

/// The client's Certificate message in a handshake, as far as it is known.
public enum ClientCertificateAnswer: Sendable {
    /// None seen (none sent, or hidden).
    case notSeen
    case certificate(CertificateSummary)
    case empty
    /// Told from the encrypted flight's size.
    case inferred(sent: Bool)
}

public struct AlertInfo: Sendable {
    public var sender: Side
    public var level: UInt8?
    public var description: UInt8?
    public var encrypted: Bool
}

public enum CloseReason: String, Sendable {
    case fin, rst, timeout
    case endOfInput = "end_of_input"
}

public struct RecordCounts: Sendable, Equatable {
    public var handshake = 0
    public var changeCipherSpec = 0
    public var alert = 0
    public var applicationData = 0
    public var heartbeat = 0
    /// SSLv2-framed records (not split by type).
    public var sslv2 = 0

    public init() {}

    public mutating func count(_ contentType: UInt8) {
        switch contentType {
        case ContentType.handshake: handshake += 1
        case ContentType.changeCipherSpec: changeCipherSpec += 1
        case ContentType.alert: alert += 1
        case ContentType.applicationData: applicationData += 1
        case ContentType.heartbeat: heartbeat += 1
        default: break
        }
    }
}

public struct ConnectionSummary: Sendable {
    public var start: Timestamp
    public var end: Timestamp
    public var version: UInt16?
    public var cipherSuite: UInt16?
    public var sni: String?
    public var alpn: [UInt8]?
    public var established: Bool
    public var resumed: Bool?
    public var serverCertificate: CertificateSummary?
    public var clientCertificate: CertificateSummary?
    public var secureRenegotiation: Bool?
    public var renegotiations: Int
    /// "none", "initial", "renegotiation", "post_handshake"; nil when ciphertext could hide one.
    public var certificateRequest: String?
    /// `certificateRequest` and `clientAuthenticated` were inferred from encrypted record sizes.
    public var certificateRequestInferred: Bool
    public var clientAuthenticatedInferred: Bool
    /// Why a field is null: field name -> reason.
    public var unknownReasons: [(String, String)]
    public var clientAuthenticated: Bool?
    public var handshakes: [HandshakeSummary]
    public var records: SidePair<RecordCounts>
    public var alerts: [AlertInfo]
    /// The connection's finding ids, in the order they were raised.
    public var findingIDs: [FindingID]
    /// The findings themselves, messages and evidence, for sinks that tell
    /// stories (`EventSink.wantsFindingsInSummary`); empty for the others,
    /// which had them as `finding` events (a connection does not keep them).
    public var findings: [Finding]
    public var ja3: String?
    public var ja3s: String?
    public var ja4: String?
    public var ja4s: String?
    public var bytes: SidePair<Int>
    public var gaps: Int
    public var decrypted: Bool
    public var close: CloseReason
    public var evicted: Bool
    public var sslv2: Bool
    /// SSL 2.0 cipher kind (3 bytes) when SSL 2.0 was negotiated.
    public var sslv2CipherKind: UInt32?
    /// With keys given: why this connection was not decrypted (nil when it was, or no keys were given).
    public var decryptionNote: String?
}

public struct ReassemblyTotals: Sendable {
    public var gaps = 0
    public var gapBytes = 0
    public var outOfOrder = 0
    public var retransmitted = 0
    public var evicted = 0
    /// Packets of connections already reported (closed, and reported before
    /// their 2 s linger ran out because too many were closing), dropped.
    public var lateAfterClose = 0
    public init() {}
}

public struct StatsEvent: Sendable {
    public var packets: Int
    public var bytes: Int
    public var tcpConnections: Int
    public var tlsConnections: Int
    public var dropped: Int?
    public var seconds: Double
    public var reassembly: ReassemblyTotals
    public var events: Int
    public var decode: [(String, Int)]
    /// The last `stats` of the run (false for `--stats-interval` ones).
    public var isFinal = true
    /// Packets libpcap received (live capture; nil for files).
    public var received: Int?
    /// Connections tracked when this event was made (0 in the final one: the
    /// end of input reports and releases them all).
    public var openConnections: Int?
    /// The most tracked at once; with `--threads` the sum of the workers'
    /// peaks (an upper bound), see `peakIsUpperBound`.
    public var openConnectionsPeak: Int?
    public var peakIsUpperBound = false

    public init(packets: Int, bytes: Int, tcpConnections: Int, tlsConnections: Int, dropped: Int?, seconds: Double,
                reassembly: ReassemblyTotals, events: Int, decode: [(String, Int)]) {
        self.packets = packets
        self.bytes = bytes
        self.tcpConnections = tcpConnections
        self.tlsConnections = tlsConnections
        self.dropped = dropped
        self.seconds = seconds
        self.reassembly = reassembly
        self.events = events
        self.decode = decode
    }
}

public enum EventBody: Sendable {
    case clientHello(ClientHelloEvent)
    case serverHello(ServerHelloEvent)
    case certificate(CertificateEvent)
    case certificateRequest(CertificateRequestEvent)
    case helloRequest(HelloRequestEvent)
    case handshakeDone(HandshakeDoneEvent)
    case renegotiation(RenegotiationEvent)
    case alert(AlertEvent)
    case finding(Finding)
    case connection(ConnectionSummary)
    case stats(StatsEvent)
    case trace(TraceEntry)
    case keyUpdate(KeyUpdateEvent)

    public var typeName: String {
        switch self {
        case .clientHello: "client_hello"
        case .serverHello: "server_hello"
        case .certificate: "certificate"
        case .certificateRequest: "certificate_request"
        case .helloRequest: "hello_request"
        case .handshakeDone: "handshake_done"
        case .renegotiation: "renegotiation"
        case .alert: "alert"
        case .finding: "finding"
        case .connection: "connection"
        case .stats: "stats"
        case .trace: "trace"
        case .keyUpdate: "key_update"
        }
    }
}

public struct Event: Sendable {
    public var timestamp: Timestamp
    /// nil only for `stats`.
    public var flow: FlowIdentity?
    public var body: EventBody

    public init(timestamp: Timestamp, flow: FlowIdentity?, body: EventBody) {
        self.timestamp = timestamp
        self.flow = flow
        self.body = body
    }
}

/// Where events go. Output formats implement it.
public protocol EventSink: AnyObject {
    /// Trace entries are only produced when a sink asks for them.
    var wantsTrace: Bool { get }
    /// The `connection` summary should carry the findings themselves, not
    /// only their ids (the text and trace stories print them).
    var wantsFindingsInSummary: Bool { get }
    /// The event types this sink writes or needs; the analysis emits no others
    /// (trace entries still only when `wantsTrace`).
    var wantedEvents: EventKinds { get }
    func emit(_ event: Event)
}

extension EventSink {
    public var wantsFindingsInSummary: Bool { false }
    public var wantedEvents: EventKinds { .all }
}
