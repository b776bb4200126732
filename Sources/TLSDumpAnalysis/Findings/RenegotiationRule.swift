import TLSDumpBase

/// Who renegotiated and when, whether RFC 5746 protected it, and a refusal
/// or failure (the IIS story's middle part).
enum RenegotiationRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        switch fact {
        case .renegotiationStarted(let initiator, let handshake, let start, let secure):
            switch initiator {
            case .server?:
                findings.raise(.renegotiationServerInitiated, "The server asked for a new handshake (HelloRequest) \(describeTiming(start)).",
                               handshake: handshake, evidence: .renegotiationStart(start))
            case .client?:
                findings.raise(.renegotiationClientInitiated, "The client started a new handshake (renegotiation) \(describeTiming(start)).",
                               handshake: handshake, evidence: .renegotiationStart(start))
            case nil:
                break
            }
            if secure == false {
                findings.raise(.renegotiationInsecure, "A renegotiation happened although the first handshake did not negotiate RFC 5746 secure renegotiation (CVE-2009-3555).",
                               handshake: handshake, evidence: .insecureRenegotiation)
            }
        case .renegotiationRefused(let side, let handshake, let inferred):
            findings.raise(.renegotiationRefused, "The \(side.rawValue) refused the renegotiation with an alert instead of a handshake.", handshake: handshake,
                           evidence: .refusal(by: side, inferred: inferred))
        case .renegotiationFailed(let failure, let handshake, let answered):
            findings.raise(.renegotiationFailed, "The renegotiation did not complete: \(failure.reason).", handshake: handshake,
                           evidence: .failure(reason: failure.reason, answered: answered))
        case .renegotiationAbandoned(let side, let handshake, let answered):
            findings.raise(.renegotiationAbandoned,
                           "The \(side.rawValue) closed the connection (TCP FIN, no alert) during the renegotiation\(answered ? "" : ", before answering it").",
                           handshake: handshake, evidence: .abandonment(by: side, answered: answered))
        case .renegotiationEndedAfterFinished(let failure, let handshake):
            findings.raise(.renegotiationFailedAfterFinished,
                           "Both Finished messages of the renegotiation were seen, then the client ended the connection (\(failure.reason)) before sending application data: the handshake finished, but the client did not accept it.",
                           handshake: handshake, evidence: .failure(reason: failure.reason, answered: true))
        default:
            break
        }
    }

    static func describeTiming(_ start: RenegotiationStart) -> String {
        let seconds = start.msSinceConnectionStart / 1000
        let when = "\(Int(seconds * 1000) / 1000).\(format3digits(Int(seconds * 1000) % 1000)) s into the connection"
        let bytes = start.applicationBytesBefore
        if bytes.client == 0 && bytes.server == 0 { return "before any application data, \(when)" }
        return "after \(bytes.client) bytes of client and \(bytes.server) bytes of server application data, \(when)"
    }
}

func format3digits(_ v: Int) -> String {
    v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)"
}
