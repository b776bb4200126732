import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

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
    /// The text JA3S hashes ("version,cipher,extensions").
    public var ja3sString: String?
    public var ja4s: String?
    /// The group an earlier HelloRetryRequest of this handshake demanded (on the ServerHello after it; on the HRR, its own).
    public var helloRetryGroup: UInt16?
}

public struct CertificateEvent: Sendable {
    public var handshake: Int
    public var encrypted: Bool
    public var decrypted: Bool
    public var sender: Side
    public var chain: [CertificateSummary]
    /// Set when the chain came in a CompressedCertificate (RFC 8879).
    public var compression: CertificateCompressionInfo? = nil
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
    public var keyExchange: KeyExchangeSummary?
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
    /// Who ended it and how, once it ended without working (as on `connection.handshakes`).
    public var endedBy: Side? = nil
    public var endReason: String? = nil
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
    /// QUIC: the packet that carried it, e.g. "Initial[0] CRYPTO" (no record header then).
    public var quicPacket: String?
}

public struct KeyUpdateEvent: Sendable {
    public var sender: Side
    public var updateRequested: Bool
}
