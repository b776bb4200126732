import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Renegotiation: its start, its outcome, and what its encrypted records
/// reveal when nobody can read them (TLS 1.2 and older, no keys).
///
/// Once a handshake has ended, a further handshake record starts a new one:
/// from the server it is a HelloRequest, from the client a ClientHello. The
/// answer (a ClientHello or server flight, or an alert) tells whether it was
/// refused; ChangeCipherSpec and Finished both ways tell it completed. The
/// client's flight, compared with its ClientKeyExchange in the first (clear)
/// handshake, tells whether it carried a certificate: the IIS pattern.
/// `EncryptedFlight` and `ClientAuthInference` do the size reading; they are
/// fed with keys too, and then the plaintext confirms or corrects them.
extension TLSSession {
    func beginEncryptedRenegotiation(by side: Side, header: RecordHeader) {
        startHandshake(initiator: side, origin: .encrypted, phase: side == .server ? .requested : .helloSent(retried: false),
                       trigger: "encrypted_handshake_record")
        live.version = negotiatedVersion
        live.hiddenRecords += 1
        guard let hs = current else { return }
        let index = hs.index
        if side == .server {
            let looksLikeHelloRequest = hs.renegotiation.value.flight.couldBeHelloRequest(recordLength: header.length)
            addEncryptedMessage(side: side, header: header, type: looksLikeHelloRequest ? HandshakeType.helloRequest : nil)
            emit(.helloRequest(HelloRequestEvent(handshake: index, encrypted: true, inferred: true)))
        } else {
            addEncryptedMessage(side: side, header: header, type: HandshakeType.clientHello)
        }
        announceRenegotiation()
    }

    /// The `renegotiation` event at the start, and what the rules make of it.
    func announceRenegotiation() {
        guard let hs = current else { return }
        if hs.initiator == .client { live.renegotiation.value.flight.clientHelloSeen = true }
        guard let start = hs.renegotiation.value.start else { return }
        emit(.renegotiation(RenegotiationEvent(handshake: hs.index, initiator: hs.initiator?.rawValue ?? "unknown", evidence: start.trigger,
                                               encrypted: hs.encrypted, secure: secureRenegotiation, outcome: .unknown,
                                               inferred: hs.origin == .encrypted)))
        observe(.renegotiationStarted(initiator: hs.initiator, handshake: hs.index, start: start, secure: secureRenegotiation))
    }

    /// An encrypted handshake record of a renegotiation in progress (not a Finished), without keys.
    func renegotiationRecord(side: Side, header: RecordHeader) {
        guard let changed = currentPhase?.changedCipher(side) else { return }
        let reading = live.renegotiation.value.flight.record(from: side, length: header.length, changedCipher: changed, at: now)
        live.hiddenRecords += 1
        var type: UInt8?
        switch reading {
        case .clientHello:
            // The client's first handshake record of the renegotiation is its ClientHello.
            advance(.clientHello, from: side)
            type = HandshakeType.clientHello
        case .flight:
            // A flight: server hello..done, or the client's certificate/key exchange/verify.
            if inHandshake { advance(side == .server ? .serverFlight : .clientFlight, from: side) }
        case .finished:
            break
        }
        addEncryptedMessage(side: side, header: header, type: type)
    }

    /// With keys: the same size bookkeeping for a handshake record about to
    /// be decrypted, so the plaintext can check what the sizes would have said.
    func countRenegotiationRecord(_ header: RecordHeader, side: Side) {
        guard let hs = current, hs.index > 0, !hs.phase.isFinal, sides[side].encrypted else { return }
        let changed = hs.phase.changedCipher(side)
        _ = live.renegotiation.value.flight.record(from: side, length: header.length, changedCipher: changed, at: now)
    }

    /// At the client's ChangeCipherSpec in a renegotiation its flight is
    /// complete: the sizes are compared with the first handshake's. Without
    /// keys that is what is known (inferred); with keys it is checked against
    /// what the plaintext showed.
    func clientFlightComplete() {
        guard let hs = current, hs.index > 0, hs.renegotiation.value.inference == nil,
              let baseline = handshakes.first(where: { !$0.encrypted && $0.baseline.clientKeyExchangeBytes != nil })?.baseline else { return }
        let record = hs.renegotiation.value
        let askedAt = record.flight.lastServerFlightTime ?? now
        let appBytes = record.start?.applicationBytesBefore ?? SidePair(client: 0, server: 0)
        guard let inference = ClientAuthInference.infer(record.flight, baseline: baseline, applicationBytesBefore: appBytes,
                                                        askedAt: askedAt, connectionStart: connection.start) else { return }
        live.renegotiation.value.inference = inference
        guard !hs.decrypted else { return }   // read: the summary checks the inference against the plaintext
        live.clientCertificateInferred = inference.certificateSent
        live.certificateRequest = .inferred
        if !inference.certificateSent { live.clientCertificateEmpty = true }
        if firstCertificateRequest == nil { firstCertificateRequest = (.renegotiation, true) }
        let event = CertificateRequestEvent(
            handshake: hs.index, encrypted: true, decrypted: false, phase: .renegotiation,
            afterApplicationData: appBytes.client > 0 || appBytes.server > 0, applicationBytesBefore: appBytes,
            msSinceConnectionStart: askedAt.milliseconds(since: connection.start),
            certificateTypes: nil, signatureAlgorithms: nil, caNames: nil, inferred: true)
        keep(event)
        emit(.certificateRequest(event))
        let firstHandshakeAsked = handshakes.contains { $0.index == 0 && $0.certificateRequest != nil }
        observe(.clientFlightInferred(inference, initiator: hs.initiator, firstHandshakeAsked: firstHandshakeAsked, handshake: hs.index))
    }

    /// What the plaintext of a decrypted renegotiation says of its size inference.
    func inferenceCheck(_ hs: Handshake) -> InferenceCheck? {
        guard hs.decrypted, hs.hiddenRecords == 0, let inference = hs.renegotiation.value.inference else { return nil }
        let sent = hs.clientCertificateEmpty == false
        return inference.certificateSent == sent ? .confirmed : .corrected
    }

    /// The `renegotiation` event with the outcome, once it is final.
    func reportRenegotiationOutcome() {
        guard let hs = current, hs.index > 0, hs.phase.outcome != .unknown else { return }
        let after = hs.renegotiation.value.endedAfterFinished
        let outcome: RenegotiationOutcome = after != nil ? .failed : hs.phase.outcome
        emit(.renegotiation(RenegotiationEvent(handshake: hs.index, initiator: hs.initiator?.rawValue ?? "unknown",
                                               evidence: hs.renegotiation.value.start?.trigger ?? "encrypted_handshake_record",
                                               encrypted: hs.encrypted, secure: secureRenegotiation, outcome: outcome,
                                               inferred: hs.origin == .encrypted,
                                               endedBy: hs.phase.endedBy ?? after?.side, endReason: hs.phase.endReason ?? after?.endReason)))
    }

    /// At the end of the connection: a renegotiation the side asked never
    /// answered while it kept sending application data was ignored.
    func closeOpenRenegotiation() {
        guard let hs = current, hs.index > 0, !hs.phase.isFinal, let asked = hs.initiator?.other,
              hs.renegotiation.value.applicationRecordsDuring[asked] > 0 else { return }
        advance(.ignored(by: asked), from: asked)
    }
}
