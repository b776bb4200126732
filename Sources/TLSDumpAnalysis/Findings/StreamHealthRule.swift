import TLSDumpBase
import TLSDumpTLS

/// What kept tlsdump from seeing everything: lost bytes, input that is not
/// TLS or not well formed, keys that did not fit, a failed first handshake,
/// a message out of its place in the handshake.
enum StreamHealthRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        switch fact {
        case .firstHandshakeAbandoned(let side, let handshake):
            findings.raise(.handshakeFailed, "The \(side.rawValue) closed the connection (TCP FIN, no alert) before the handshake completed.",
                           handshake: handshake, evidence: .abandonment(by: side, answered: true))
        case .firstHandshakeFailed(let failure, let handshake):
            switch failure {
            case .reset(let side):
                findings.raise(.handshakeFailed, "The \(side.rawValue) reset the connection before the handshake completed.", handshake: handshake,
                               evidence: .handshakeReset(sender: side))
            case .alert(let side, let level, let description, _) where level == 2:
                let name = description.flatMap { TLSRegistry.alertName($0) } ?? "unknown"
                findings.raise(.handshakeFailed, "The \(side.rawValue) ended the handshake with a fatal \(name) alert.", handshake: handshake,
                               evidence: .handshakeAlert(sender: side, alert: name))
            default:
                break   // an encrypted alert ends the handshake without a finding: what it said is unknown
            }
        case .unexpectedMessage(let sender, let message, let phase, let handshake):
            findings.raise(.handshakeUnexpectedMessage, "The \(sender.rawValue) sent \(message) while the handshake was at \(phase.name); tlsdump kept the handshake where it was.",
                           handshake: handshake, evidence: .unexpectedMessage(sender: sender, message: message, phase: phase.name))
        case .bytesMissing(let side, let bytes, let beforeFirstRecord, let handshake):
            findings.raise(.streamGap, beforeFirstRecord
                           ? "\(bytes) bytes from the \(side.rawValue) were missing from the capture before the first TLS record; what they carried is unknown."
                           : "\(bytes) bytes from the \(side.rawValue) were missing from the capture; what they carried is unknown.",
                           handshake: handshake, evidence: .missingBytes(sender: side, bytes: bytes))
        case .notTLS(let port, let first, let afterClientHello, let handshake):
            findings.raise(.notTLS, afterClientHello
                           ? "The client sent a TLS hello but the server on port \(port) answered with something that is not TLS."
                           : "Traffic on port \(port) is not TLS; tlsdump ignores it unless a TLS hello follows (STARTTLS).",
                           handshake: handshake, evidence: .notTLS(port: port, firstSender: first))
        case .malformed(let input, let handshake):
            malformed(input, handshake: handshake, &findings)
        case .decryptionFailed(let side, let reason, let handshake):
            findings.raise(.decryptionError, "Records from the \(side.rawValue) did not decrypt with the key found (\(reason)); tlsdump shows them as ciphertext.",
                           handshake: handshake, evidence: .decryptionError(sender: side, error: reason))
        case .decryptionUnsupported(let reason, let handshake):
            findings.raise(.decryptionUnsupported, "A key was found but this connection cannot be decrypted: \(reason).",
                           handshake: handshake, evidence: .decryptionUnsupported(error: reason))
        default:
            break
        }
    }

    private static func malformed(_ input: MalformedInput, handshake: Int?, _ findings: inout FindingLog) {
        switch input {
        case .notARecord(let side, let type, let version, let length):
            findings.raise(.tlsMalformed, "The \(side.rawValue) sent bytes that are not a TLS record (type \(type), version \(hexNumber(version, digits: 4)), length \(length)); tlsdump skipped ahead to the next plausible record.",
                           handshake: handshake, evidence: .unreadableRecord(sender: side, contentType: type, length: length))
        case .alertRecord(let side, let length):
            findings.raise(.tlsMalformed, "The \(side.rawValue) sent an alert record of \(length) bytes (an alert is 2).", handshake: handshake,
                           evidence: .badAlert(sender: side, length: length))
        case .oversizedMessage(let side, let type, let length) where TLSRegistry.handshakeTypeName(type) == nil:
            // No such message type: the length is as much noise as the type (a corrupt or desynchronised stream).
            findings.raise(.tlsMalformed, "The \(side.rawValue) sent a handshake header of unknown type \(type) announcing \(length) bytes; it was skipped.",
                           handshake: handshake, evidence: .oversizedMessage(sender: side, length: length))
        case .oversizedMessage(let side, let type, let length):
            findings.raise(.tlsOversizedMessage, "The \(side.rawValue) sent a \(TLSRegistry.handshakeTypeName(type) ?? "type \(type)") message of \(length) bytes, over what tlsdump reads; it was skipped, not malformed.",
                           handshake: handshake, evidence: .oversizedMessage(sender: side, length: length))
        case .unparseableMessage(let side, let message, let error):
            let reason: String
            switch error {
            case .needMoreBytes: reason = "it is truncated"
            case .malformed(let text): reason = text
            }
            findings.raise(.tlsMalformed, "The \(side.rawValue)'s \(message) could not be parsed: \(reason).", handshake: handshake,
                           evidence: .unreadableMessage(sender: side, message: message))
        case .sslv2ClientHello:
            findings.raise(.tlsMalformed, "The client's SSLv2 CLIENT-HELLO could not be parsed.", handshake: handshake)
        }
    }
}
