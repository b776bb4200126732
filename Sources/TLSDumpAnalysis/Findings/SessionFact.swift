import TLSDumpBase
import TLSDumpTLS
import TLSDumpTrust

/// What a TLS session learned, as typed values: the session states facts,
/// and the finding rules (`FindingRules`) decide what deserves a finding.
/// The session itself never names a finding.
enum SessionFact {
    /// A ServerHello (or SSL 2.0 SERVER-HELLO) fixed the parameters of a handshake.
    case negotiated(version: UInt16, suite: UInt16?, compression: UInt8, handshake: Int)
    /// SSL 2.0: the client chose a cipher kind in CLIENT-MASTER-KEY.
    case sslv2CipherChosen(kind: UInt32, handshake: Int)
    /// The server's chain: its leaf, and the chain's verdict (nil: validation off).
    case serverCertificate(CertificateSummary, handshake: Int, sni: String?, at: Timestamp, validation: ChainValidation?)
    /// A stapled OCSP response said the server's certificate was revoked.
    case certificateRevoked(ChainValidation, handshake: Int)
    case serverKeyExchange(ServerKeyExchange, handshake: Int)
    /// The server's key exchange is known (TLS 1.3 ServerHello, TLS 1.2 suite or ServerKeyExchange).
    case keyExchangeChosen(KeyExchangeSummary, handshake: Int)
    /// A stapled OCSP response was read (`subject`: the server certificate's, when seen).
    case stapledOCSP(OCSPReport, subject: String?, at: Timestamp)
    /// A CompressedCertificate that could not be (or should not have been) decompressed.
    case certificateCompressionRejected(CertificateCompressionProblem, handshake: Int)

    case renegotiationStarted(initiator: Side?, handshake: Int, start: RenegotiationStart, secure: Bool?)
    /// A renegotiation reached a final outcome other than completion.
    case renegotiationRefused(by: Side, handshake: Int, inferred: Bool)
    case renegotiationFailed(failure: HandshakeFailure, handshake: Int, answered: Bool)
    /// A side closed TCP (no alert) before the first handshake completed.
    case firstHandshakeAbandoned(by: Side, handshake: Int)
    /// A side closed TCP (no alert) while the renegotiation ran.
    case renegotiationAbandoned(by: Side, handshake: Int, answered: Bool)
    /// Both Finished of a renegotiation were seen, then the client ended the connection.
    case renegotiationEndedAfterFinished(failure: HandshakeFailure, handshake: Int)

    case certificateRequested(CertificateRequestFact)
    /// A Certificate message from the client, read (clear or decrypted).
    case clientCertificate(empty: Bool, requested: Bool, handshake: Int)
    case clientFlightInferred(ClientFlightInference, initiator: Side?, firstHandshakeAsked: Bool, handshake: Int)

    case firstHandshakeFailed(HandshakeFailure, handshake: Int)
    case unexpectedMessage(sender: Side, message: String, phase: HandshakePhase, handshake: Int)

    case bytesMissing(sender: Side, bytes: Int, beforeFirstRecord: Bool, handshake: Int?)
    case notTLS(port: UInt16, firstSender: Side, afterClientHello: Bool, handshake: Int?)
    case malformed(MalformedInput, handshake: Int?)
    case decryptionFailed(sender: Side, reason: String, handshake: Int?)
    case decryptionUnsupported(reason: String, handshake: Int?)
    /// QUIC: a packet that looked like QUIC did not open with its Initial (or logged) keys.
    case quicDecryptionFailed(sender: Side, packetType: String, reason: String, handshake: Int?)
}

/// A CertificateRequest, read or inferred, and where it came.
struct CertificateRequestFact {
    var phase: CertificateRequestPhase
    var handshake: Int
    var initiator: Side?
    /// The first handshake had a CertificateRequest too.
    var firstHandshakeAsked: Bool
    var encrypted: Bool
    var decrypted: Bool
}

/// Input tlsdump could not read, by kind.
enum MalformedInput {
    case notARecord(sender: Side, contentType: UInt8, version: UInt16, length: Int)
    case alertRecord(sender: Side, length: Int)
    case oversizedMessage(sender: Side, type: UInt8, length: Int)
    case unparseableMessage(sender: Side, message: String, error: ParseError)
    case sslv2ClientHello
}
