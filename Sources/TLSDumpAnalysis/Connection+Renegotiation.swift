import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Renegotiation told from record types, directions and order when the
/// messages themselves are encrypted (TLS 1.2 and older, no keys).
extension Connection {
    /// Once a handshake is over, a further handshake record starts a new handshake:
    /// a server record is a HelloRequest, a client record a ClientHello.
    func beginEncryptedRenegotiation(by side: Side, header: RecordHeader) {
        let cur = startHandshake(initiator: side, encrypted: true, evidence: "encrypted_handshake_record")
        let index = handshakes[cur].index
        if side == .server {
            addEncryptedMessage(side: side, header: header, type: "HelloRequest")
            emit(.helloRequest(HelloRequestEvent(handshake: index, encrypted: true, inferred: true)))
        } else {
            addEncryptedMessage(side: side, header: header, type: "ClientHello")
            handshakes[cur].clientHelloSeenEncrypted = true
        }
        announceRenegotiation(cur)
    }

    /// Emits the `renegotiation` event at the start and the initiator findings.
    func announceRenegotiation(_ cur: Int) {
        let hs = handshakes[cur]
        let initiator = hs.initiator?.rawValue ?? "unknown"
        emit(.renegotiation(RenegotiationEvent(handshake: hs.index, initiator: initiator, evidence: hs.evidence ?? "encrypted_handshake_record",
                                               encrypted: hs.encrypted, secure: secureRenegotiation, outcome: .unknown)))
        switch hs.initiator {
        case .server?:
            raise("renegotiation.server_initiated", "The server asked for a new handshake (renegotiation) after the connection was established.", handshake: hs.index)
        case .client?:
            raise("renegotiation.client_initiated", "The client started a new handshake (renegotiation) on an established connection.", handshake: hs.index)
        case nil:
            break
        }
        if secureRenegotiation == false {
            raise("renegotiation.insecure", "A renegotiation happened without RFC 5746 secure renegotiation (CVE-2009-3555).", handshake: hs.index)
        }
    }

    /// Names an encrypted handshake record of a renegotiation when its position makes it near certain.
    func guessEncryptedMessage(side: Side, handshake cur: Int) -> String? {
        let hs = handshakes[cur]
        guard hs.encrypted, hs.index > 0 else { return nil }
        if side == .client && hs.initiator == .server && !hs.clientHelloSeenEncrypted {
            handshakes[cur].clientHelloSeenEncrypted = true
            return "ClientHello"
        }
        return nil
    }

    func noteEncryptedRenegotiationProgress(side: Side, handshake cur: Int) {
        handshakes[cur].handshakeRecords[side] += 1
    }

    /// An alert during a renegotiation: a refusal when the side asked sent no handshake record, else a failure.
    func renegotiationAlert(_ alert: AlertInfo, handshake cur: Int) {
        guard cur > 0 || handshakes[cur].index > 0 else { return }
        let hs = handshakes[cur]
        guard let initiator = hs.initiator else { return }
        let answering = initiator.other
        if alert.sender == answering && hs.handshakeRecords[answering] == 0 && !hs.clientHelloSeenEncrypted || alert.description == 100 {
            handshakes[cur].refused = true
        } else if alert.level == 2 || alert.encrypted {
            handshakes[cur].failed = true
        }
        renegotiationEnded(cur)
    }

    /// Reports a renegotiation's outcome once it is known.
    func renegotiationEnded(_ cur: Int) {
        guard !handshakes[cur].outcomeReported, handshakes[cur].index > 0 else { return }
        let hs = handshakes[cur]
        let outcome: RenegotiationOutcome = hs.done ? .completed : hs.refused ? .refused : hs.failed ? .failed : .unknown
        guard outcome != .unknown else { return }
        handshakes[cur].outcomeReported = true
        emit(.renegotiation(RenegotiationEvent(handshake: hs.index, initiator: hs.initiator?.rawValue ?? "unknown",
                                               evidence: hs.evidence ?? "encrypted_handshake_record", encrypted: hs.encrypted,
                                               secure: secureRenegotiation, outcome: outcome)))
        switch outcome {
        case .refused:
            raise("renegotiation.refused", "The \(hs.initiator?.other.rawValue ?? "peer") refused the renegotiation with an alert instead of a handshake.", handshake: hs.index)
        case .failed:
            raise("renegotiation.failed", "The renegotiation did not complete (fatal alert or reset).", handshake: hs.index)
        default:
            break
        }
    }
}
