import TLSDumpBase

/// A free-form evidence value, as the `evidence` object of a finding renders it.
public enum EvidenceValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case strings([String])
    case null
}

/// What a finding rests on, as typed values: writers and the story read the
/// numbers from here, and `fields` renders them as the contract's `evidence`
/// object (the keys and their order are the contract's).
public enum Evidence: Sendable, Equatable {
    case none
    case version(name: String)
    case compression(method: UInt8)
    case cipherSuite(name: String)
    case certificateKey(type: String, bits: Int, subject: String)
    case certificateNotAfter(date: String, subject: String)
    case certificateNotBefore(date: String, subject: String)
    case certificateSubject(String)
    case nameMismatch(sni: String, subject: String, san: [String])
    case revocation(time: String, reason: String?, serial: String, producedAt: String?, subject: String?)
    case ocspMismatch(OCSPMismatch)
    case ocspStale(nextUpdate: String, producedAt: String?, subject: String?)
    /// A chain verdict: its status, why, and the certificate it is about.
    case chainValidation(status: String, reason: String, subject: String?)
    case chainProblem(kind: String, detail: String, subject: String?, position: Int?)
    case dhPrime(bits: Int)
    case curve(group: String, bits: Int)
    case exportRSAKey(bits: Int)
    case renegotiationStart(RenegotiationStart)
    case insecureRenegotiation
    case refusal(by: Side, inferred: Bool)
    case failure(reason: String, answered: Bool)
    case abandonment(by: Side, answered: Bool)
    case certificateRequestSeen(encrypted: Bool)
    case clientFlight(ClientFlightInference)
    case postHandshakeRequest(encrypted: Bool, decrypted: Bool)
    case handshakeAlert(sender: Side, alert: String)
    case handshakeReset(sender: Side)
    case missingBytes(sender: Side, bytes: Int)
    case notTLS(port: UInt16, firstSender: Side)
    case unreadableRecord(sender: Side, contentType: UInt8, length: Int)
    case oversizedMessage(sender: Side, length: Int)
    case unreadableMessage(sender: Side, message: String)
    case badAlert(sender: Side, length: Int)
    case decryptionError(sender: Side, error: String)
    case decryptionUnsupported(error: String)
    case quicPacket(sender: Side, packetType: String, error: String)
    case unexpectedMessage(sender: Side, message: String, phase: String)
    case postQuantumDeclined(offered: [String], selected: String, helloRetry: String?)
    case certificateCompression(CertificateCompressionProblem)

    /// The `evidence` object's members, in the contract's order.
    public var fields: [(String, EvidenceValue)] {
        switch self {
        case .none:
            return []
        case .version(let name): return [("version", .string(name))]
        case .compression(let method): return [("method", .int(Int(method)))]
        case .cipherSuite(let name): return [("cipher_suite", .string(name))]
        case .certificateKey(let type, let bits, let subject):
            return [("key_type", .string(type)), ("key_bits", .int(bits)), ("subject", .string(subject))]
        case .certificateNotAfter(let date, let subject): return [("not_after", .string(date)), ("subject", .string(subject))]
        case .certificateNotBefore(let date, let subject): return [("not_before", .string(date)), ("subject", .string(subject))]
        case .certificateSubject(let subject): return [("subject", .string(subject))]
        case .nameMismatch(let sni, let subject, let san): return [("sni", .string(sni)), ("subject", .string(subject)), ("san", .strings(san))]
        case .revocation(let time, let reason, let serial, let producedAt, let subject):
            return [("revocation_time", .string(time)), ("revocation_reason", reason.map(EvidenceValue.string) ?? .null),
                    ("serial", .string(serial)), ("produced_at", producedAt.map(EvidenceValue.string) ?? .null),
                    ("subject", subject.map(EvidenceValue.string) ?? .null)]
        case .ocspMismatch(let mismatch): return mismatch.fields
        case .ocspStale(let nextUpdate, let producedAt, let subject):
            return [("next_update", .string(nextUpdate)), ("produced_at", producedAt.map(EvidenceValue.string) ?? .null),
                    ("subject", subject.map(EvidenceValue.string) ?? .null)]
        case .chainValidation(let status, let reason, let subject):
            return [("status", .string(status)), ("reason", .string(reason)), ("subject", subject.map(EvidenceValue.string) ?? .null)]
        case .chainProblem(let kind, let detail, let subject, let position):
            return [("problem", .string(kind)), ("detail", .string(detail)), ("subject", subject.map(EvidenceValue.string) ?? .null),
                    ("position", position.map(EvidenceValue.int) ?? .null)]
        case .dhPrime(let bits): return [("dh_bits", .int(bits))]
        case .curve(let group, let bits): return [("group", .string(group)), ("bits", .int(bits))]
        case .exportRSAKey(let bits): return [("key_bits", .int(bits))]
        case .renegotiationStart(let start): return start.fields
        case .insecureRenegotiation: return [("secure_renegotiation", .bool(false))]
        case .refusal(let side, let inferred): return [("refused_by", .string(side.rawValue)), ("inferred", .bool(inferred))]
        case .failure(let reason, let answered): return [("reason", .string(reason)), ("answered", .bool(answered))]
        case .abandonment(let side, let answered):
            return [("closed_by", .string(side.rawValue)), ("reason", .string("tcp_close")), ("answered", .bool(answered))]
        case .certificateRequestSeen(let encrypted): return [("inferred", .bool(false)), ("encrypted", .bool(encrypted))]
        case .clientFlight(let flight): return flight.fields
        case .postHandshakeRequest(let encrypted, let decrypted): return [("encrypted", .bool(encrypted)), ("decrypted", .bool(decrypted))]
        case .handshakeAlert(let sender, let alert): return [("sender", .string(sender.rawValue)), ("alert", .string(alert))]
        case .handshakeReset(let sender): return [("sender", .string(sender.rawValue)), ("reason", .string("rst"))]
        case .missingBytes(let sender, let bytes): return [("sender", .string(sender.rawValue)), ("bytes", .int(bytes))]
        case .notTLS(let port, let first): return [("port", .int(Int(port))), ("first_sender", .string(first.rawValue))]
        case .unreadableRecord(let sender, let type, let length):
            return [("sender", .string(sender.rawValue)), ("content_type", .int(Int(type))), ("length", .int(length))]
        case .oversizedMessage(let sender, let length), .badAlert(let sender, let length):
            return [("sender", .string(sender.rawValue)), ("length", .int(length))]
        case .unreadableMessage(let sender, let message): return [("sender", .string(sender.rawValue)), ("message", .string(message))]
        case .decryptionError(let sender, let error): return [("sender", .string(sender.rawValue)), ("error", .string(error))]
        case .decryptionUnsupported(let error): return [("error", .string(error))]
        case .quicPacket(let sender, let packetType, let error):
            return [("sender", .string(sender.rawValue)), ("packet_type", .string(packetType)), ("error", .string(error))]
        case .unexpectedMessage(let sender, let message, let phase):
            return [("sender", .string(sender.rawValue)), ("message", .string(message)), ("phase", .string(phase))]
        case .postQuantumDeclined(let offered, let selected, let helloRetry):
            return [("offered_post_quantum", .strings(offered)), ("selected", .string(selected)),
                    ("hello_retry_forced", helloRetry.map { .string($0) } ?? .null)]
        case .certificateCompression(let problem): return problem.fields
        }
    }
}

/// When and after how much application data a renegotiation started.
public struct RenegotiationStart: Sendable, Equatable {
    /// What showed it: "hello_request", "client_hello", "encrypted_handshake_record".
    public var trigger: String
    public var applicationBytesBefore: SidePair<Int>
    public var msSinceConnectionStart: Double
    /// The handshake travelled in encrypted records.
    public var encrypted: Bool
    /// Told from an encrypted record's direction and size, not read.
    public var inferred: Bool

    public var afterApplicationData: Bool { applicationBytesBefore.client > 0 || applicationBytesBefore.server > 0 }

    var fields: [(String, EvidenceValue)] {
        var out: [(String, EvidenceValue)] = [("evidence", .string(trigger)),
                                              ("after_application_data", .bool(afterApplicationData)),
                                              ("client_application_bytes_before", .int(applicationBytesBefore.client)),
                                              ("server_application_bytes_before", .int(applicationBytesBefore.server)),
                                              ("ms_since_connection_start", .double(msSinceConnectionStart))]
        // Encrypted: say whether it was read (decrypted) or told from sizes.
        if encrypted { out.append(("inferred", .bool(inferred))) }
        return out
    }
}

/// The size comparison behind an inferred client certificate: the client's
/// encrypted renegotiation flight against its clear first ClientKeyExchange.
public struct ClientFlightInference: Sendable, Equatable {
    public var clientFlightPlaintextBytes: Int
    public var firstClientKeyExchangeBytes: Int
    public var extraClientBytes: Int
    public var serverFlightPlaintextBytes: Int
    public var firstServerFlightBytes: Int
    public var applicationBytesBefore: SidePair<Int>
    public var msSinceConnectionStart: Double
    public var certificateSent: Bool
    /// CBC suites give sizes to within a block.
    public var sizesExact: Bool

    var fields: [(String, EvidenceValue)] {
        var out: [(String, EvidenceValue)] = [
            ("inferred", .bool(true)),
            ("client_flight_plaintext_bytes", .int(clientFlightPlaintextBytes)),
            ("first_handshake_client_key_exchange_bytes", .int(firstClientKeyExchangeBytes)),
            ("extra_client_bytes", .int(extraClientBytes)),
            ("renegotiation_server_flight_plaintext_bytes", .int(serverFlightPlaintextBytes)),
            ("first_handshake_server_flight_bytes", .int(firstServerFlightBytes)),
            ("after_application_data", .bool(applicationBytesBefore.client > 0 || applicationBytesBefore.server > 0)),
            ("client_application_bytes_before", .int(applicationBytesBefore.client)),
            ("server_application_bytes_before", .int(applicationBytesBefore.server)),
            ("ms_since_connection_start", .double(msSinceConnectionStart)),
            ("client_certificate_sent", .bool(certificateSent)),
        ]
        if !sizesExact { out.append(("sizes_exact", .bool(false))) }
        return out
    }
}

/// A stapled OCSP response about another certificate: what differed.
public struct OCSPMismatch: Sendable, Equatable {
    /// The CertID's serial, and the certificate's.
    public var responseSerial: String
    public var certificateSerial: String?
    public var mismatched: [String]
    public var matched: [String]
    public var unchecked: [String]
    public var subject: String?

    var fields: [(String, EvidenceValue)] {
        [("response_serial", .string(responseSerial)),
         ("certificate_serial", certificateSerial.map(EvidenceValue.string) ?? .null),
         ("mismatched", .strings(mismatched)), ("matched", .strings(matched)), ("unchecked", .strings(unchecked)),
         ("subject", subject.map(EvidenceValue.string) ?? .null)]
    }
}
