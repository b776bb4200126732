import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import TLSDumpTrust

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
    /// Its key exchange (null group with a reason).
    public var keyExchange: KeyExchangeSummary? = nil
    /// A renegotiation whose both Finished were seen, after which the client
    /// ended the connection (alert or reset) before sending application data.
    public var endedAfterFinished: HandshakeFailure? = nil

    /// `failed` for a renegotiation the client ended right after its Finished:
    /// both Finished were seen, but it did not work.
    public var outcome: HandshakeOutcome { endedAfterFinished != nil ? .failed : phase.outcome }

    /// Who ended a handshake that did not complete (or the client that ended
    /// the connection right after its Finished); nil when it completed or
    /// nobody is known to have ended it (the capture stopped).
    public var endedBy: Side? { phase.endedBy ?? endedAfterFinished?.side }

    /// How it was ended: an alert's name (`encrypted_alert` when unread),
    /// `tcp_close` (FIN without an alert), `tcp_reset`, or `ignored`.
    public var endReason: String? { phase.endReason ?? endedAfterFinished?.endReason }
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
    /// QUIC: a CONNECTION_CLOSE frame was seen (`quic.close` tells which).
    case connectionClose = "connection_close"
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
    /// Facts most connections lack, out of line behind one pointer: the
    /// summary is the largest case of the event enum, so its size and its
    /// reference-counted fields are paid on every event copied.
    var rare: Box<RareConnectionFacts>?

    /// With keys given: why this connection was not decrypted (nil when it was, or no keys were given).
    public var decryptionNote: String? {
        get { rare?.value.decryptionNote }
        set { updateRare { $0.decryptionNote = newValue } }
    }

    /// QUIC connections: versions, connection ids, packets per type, how it ended (nil for TCP).
    public var quic: QUICSummary? {
        get { rare?.value.quic }
        set { updateRare { $0.quic = newValue } }
    }

    /// The protocol that ran in plaintext before TLS started ("postgresql", "smtp", ...,
    /// "unknown"); nil when TLS started with the connection.
    public var starttls: String? {
        get { rare?.value.starttls }
        set { updateRare { $0.starttls = newValue } }
    }

    /// Plaintext bytes each side sent before its TLS (nil when TLS started with the connection).
    public var plaintextBytes: SidePair<Int>? {
        get { rare?.value.plaintextBytes }
        set { updateRare { $0.plaintextBytes = newValue } }
    }

    /// The key exchange of the last completed handshake that showed one (else the first): null group with a reason.
    public var keyExchange: KeyExchangeSummary? {
        get { rare?.value.keyExchange }
        set { updateRare { $0.keyExchange = newValue } }
    }

    /// Encrypted Client Hello, when the first ClientHello carried the extension.
    public var ech: ECHSummary? {
        get { rare?.value.ech }
        set { updateRare { $0.ech = newValue } }
    }

    /// The stapled OCSP response (the first read), with its verdict on the
    /// server certificate (`ocsp?.status`); nil when none was seen.
    public var ocsp: OCSPReport? {
        get { rare?.value.ocsp }
        set { updateRare { $0.ocsp = newValue } }
    }

    /// The server certificate's signed certificate timestamps, from every source; nil when none was seen.
    public var sct: SCTReport? {
        get { rare?.value.sct }
        set { updateRare { $0.sct = newValue } }
    }

    /// The verdict on the server's (first) chain; not_checked with the reason when none was seen; nil for non-TLS.
    public var validation: ChainValidation? {
        get { rare?.value.validation }
        set { updateRare { $0.validation = newValue } }
    }

    /// The verdict on the client's (first) chain, path only; nil when the client sent none.
    public var clientValidation: ChainValidation? {
        get { rare?.value.clientValidation }
        set { updateRare { $0.clientValidation = newValue } }
    }

    /// RFC 8879: how the server's and the client's first chains were compressed (nil: sent plain, or not seen).
    public var serverCertificateCompression: CertificateCompressionInfo? {
        get { rare?.value.serverCertificateCompression }
        set { updateRare { $0.serverCertificateCompression = newValue } }
    }

    public var clientCertificateCompression: CertificateCompressionInfo? {
        get { rare?.value.clientCertificateCompression }
        set { updateRare { $0.clientCertificateCompression = newValue } }
    }

    /// Who the client is by its ClientHello, from the measured catalogue (nil: unknown, the reason in `unknownReasons`).
    public var clientSoftware: ClientSoftware? {
        get { rare?.value.clientSoftware }
        set { updateRare { $0.clientSoftware = newValue } }
    }

    /// "tcp" or "quic".
    public var transport: String { quic == nil ? "tcp" : "quic" }

    private mutating func updateRare(_ change: (inout RareConnectionFacts) -> Void) {
        var facts = rare?.value ?? RareConnectionFacts()
        change(&facts)
        rare = facts.isEmpty ? nil : Box(facts)
    }
}

/// The rarely present part of a `ConnectionSummary`.
struct RareConnectionFacts: Sendable {
    var decryptionNote: String?
    var quic: QUICSummary?
    var starttls: String?
    var plaintextBytes: SidePair<Int>?

    var keyExchange: KeyExchangeSummary?
    var ech: ECHSummary?
    var ocsp: OCSPReport?
    var sct: SCTReport?
    var validation: ChainValidation?
    var clientValidation: ChainValidation?
    var serverCertificateCompression: CertificateCompressionInfo?
    var clientCertificateCompression: CertificateCompressionInfo?
    var clientSoftware: ClientSoftware?

    var isEmpty: Bool {
        decryptionNote == nil && quic == nil && starttls == nil && plaintextBytes == nil
            && keyExchange == nil && ech == nil && ocsp == nil && sct == nil
            && validation == nil && clientValidation == nil
            && serverCertificateCompression == nil && clientCertificateCompression == nil && clientSoftware == nil
    }
}
