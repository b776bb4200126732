import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Renegotiation told from record types, directions, order and sizes when the
/// messages themselves are encrypted (TLS 1.2 and older, no keys).
///
/// Once a handshake has completed, a further handshake record starts a new
/// one: from the server it is a HelloRequest, from the client a ClientHello.
/// The answer (a ClientHello or server flight, or an alert) tells whether it
/// was refused; ChangeCipherSpec and Finished both ways tell it completed.
/// The client's flight, compared with its ClientKeyExchange in the first
/// (clear) handshake, tells whether it carried a certificate: the IIS pattern.
extension Connection {
    /// Size inference thresholds, in plaintext bytes.
    enum Inference {
        /// Certificate + CertificateVerify add at least this much to a client flight
        /// (a small certificate is ~400 bytes, a signature 64 or more).
        static let clientCertificateMinimum = 200
        /// An empty Certificate message: 4-byte header + 3-byte empty list.
        static let emptyCertificate = 7
    }

    func beginEncryptedRenegotiation(by side: Side, header: RecordHeader) {
        let cur = startHandshake(initiator: side, encrypted: true, evidence: "encrypted_handshake_record")
        handshakes[cur].protection = protection
        handshakes[cur].version = negotiatedVersion
        handshakes[cur].applicationBytesAtStart = SidePair(client: sides.client.applicationDataBytes, server: sides.server.applicationDataBytes)
        let index = handshakes[cur].index
        if side == .server {
            // A HelloRequest has an empty body: 4 bytes of plaintext.
            let plaintext = protection?.plaintext(recordLength: header.length)
            let looksLikeHelloRequest = plaintext.map { $0.contains(4) } ?? true
            addEncryptedMessage(side: side, header: header, type: looksLikeHelloRequest ? HandshakeType.helloRequest : nil)
            emit(.helloRequest(HelloRequestEvent(handshake: index, encrypted: true, inferred: true)))
        } else {
            addEncryptedMessage(side: side, header: header, type: HandshakeType.clientHello)
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
        let after = hs.applicationBytesAtStart
        var evidence: [(String, EvidenceValue)] = [("evidence", .string(hs.evidence ?? "encrypted_handshake_record")),
                                                   ("after_application_data", .bool(after.client > 0 || after.server > 0)),
                                                   ("client_application_bytes_before", .int(after.client)),
                                                   ("server_application_bytes_before", .int(after.server)),
                                                   ("ms_since_connection_start", .double(now.milliseconds(since: start)))]
        if hs.encrypted { evidence.append(("inferred", .bool(true))) }
        switch hs.initiator {
        case .server?:
            raise("renegotiation.server_initiated", "The server asked for a new handshake (HelloRequest) \(describeTiming(after)).",
                  handshake: hs.index, evidence: evidence)
        case .client?:
            raise("renegotiation.client_initiated", "The client started a new handshake (renegotiation) \(describeTiming(after)).",
                  handshake: hs.index, evidence: evidence)
        case nil:
            break
        }
        if secureRenegotiation == false {
            raise("renegotiation.insecure", "A renegotiation happened although the first handshake did not negotiate RFC 5746 secure renegotiation (CVE-2009-3555).",
                  handshake: hs.index, evidence: [("secure_renegotiation", .bool(false))])
        }
    }

    private func describeTiming(_ bytes: SidePair<Int>) -> String {
        let seconds = now.milliseconds(since: start) / 1000
        let when = "\(Int(seconds * 1000) / 1000).\(String(format3digits(Int(seconds * 1000) % 1000))) s into the connection"
        if bytes.client == 0 && bytes.server == 0 { return "before any application data, \(when)" }
        return "after \(bytes.client) bytes of client and \(bytes.server) bytes of server application data, \(when)"
    }

    /// An encrypted handshake record of a renegotiation in progress (not a Finished).
    func renegotiationRecord(side: Side, header: RecordHeader, handshake cur: Int) {
        let hs = handshakes[cur]
        var type: UInt8?
        if side == .client && !hs.clientHelloSeenEncrypted {
            // The client's first handshake record of the renegotiation is its ClientHello.
            handshakes[cur].clientHelloSeenEncrypted = true
            if hs.initiator == .server { handshakes[cur].answered = true }
            type = HandshakeType.clientHello
        } else if !hs.changeCipherSpec[side] {
            // A flight: server hello..done, or the client's certificate/key exchange/verify.
            if side == .server {
                if hs.initiator == .client { handshakes[cur].answered = true }
                handshakes[cur].lastServerFlightTime = now
            }
            if let range = hs.protection?.plaintext(recordLength: header.length) {
                handshakes[cur].flightLow[side] += range.lowerBound
                handshakes[cur].flightHigh[side] += range.upperBound
            } else {
                handshakes[cur].flightSizeKnown = false
            }
            handshakes[cur].flightRecords[side] += 1
        }
        handshakes[cur].handshakeRecords[side] += 1
        addEncryptedMessage(side: side, header: header, type: type)
    }

    /// At the client's ChangeCipherSpec in an encrypted renegotiation its flight is
    /// complete: compare it with the first handshake's ClientKeyExchange.
    func inferClientAuthentication(handshake cur: Int) {
        let hs = handshakes[cur]
        guard hs.encrypted, hs.index > 0, hs.clientCertificateInferred == nil, hs.flightSizeKnown, hs.flightRecords.client > 0,
              let baseline = handshakes.first(where: { !$0.encrypted && $0.clearClientKeyExchangeBytes != nil }),
              let keyExchange = baseline.clearClientKeyExchangeBytes else { return }
        let low = hs.flightLow.client - keyExchange
        let high = hs.flightHigh.client - keyExchange
        let exact = hs.protection?.isExact ?? false
        let sentCertificate: Bool
        if low >= Inference.clientCertificateMinimum {
            sentCertificate = true
        } else if exact && low == Inference.emptyCertificate && high == Inference.emptyCertificate {
            sentCertificate = false
        } else {
            return
        }
        handshakes[cur].clientCertificateInferred = sentCertificate
        handshakes[cur].certificateRequested = true
        handshakes[cur].certificateRequestInferred = true
        if !sentCertificate { handshakes[cur].clientCertificateEmpty = true }
        let askedAt = hs.lastServerFlightTime ?? now
        let appBytes = hs.applicationBytesAtStart
        if firstCertificateRequestPhase == nil {
            firstCertificateRequestPhase = .renegotiation
            certificateRequestInferred = true
        }
        emit(.certificateRequest(CertificateRequestEvent(
            handshake: hs.index, encrypted: true, decrypted: false, phase: .renegotiation,
            afterApplicationData: appBytes.client > 0 || appBytes.server > 0, applicationBytesBefore: appBytes,
            msSinceConnectionStart: askedAt.milliseconds(since: start),
            certificateTypes: nil, signatureAlgorithms: nil, caNames: nil, inferred: true)))
        let firstServerFlight = baseline.clearServerFlightBytes
        var evidence: [(String, EvidenceValue)] = [
            ("inferred", .bool(true)),
            ("client_flight_plaintext_bytes", .int(hs.flightLow.client)),
            ("first_handshake_client_key_exchange_bytes", .int(keyExchange)),
            ("extra_client_bytes", .int(low)),
            ("renegotiation_server_flight_plaintext_bytes", .int(hs.flightLow.server)),
            ("first_handshake_server_flight_bytes", .int(firstServerFlight)),
            ("after_application_data", .bool(appBytes.client > 0 || appBytes.server > 0)),
            ("client_application_bytes_before", .int(appBytes.client)),
            ("server_application_bytes_before", .int(appBytes.server)),
            ("ms_since_connection_start", .double(askedAt.milliseconds(since: start))),
            ("client_certificate_sent", .bool(sentCertificate)),
        ]
        if hs.protection?.isExact == false { evidence.append(("sizes_exact", .bool(false))) }
        let firstHandshakeAsked = handshakes.contains { $0.index == 0 && $0.certificateRequested }
        if hs.initiator == .server && !firstHandshakeAsked {
            let what = sentCertificate
                ? "the client's reply was \(low) bytes larger than its first key exchange, enough for a certificate and its signature"
                : "the client's reply was exactly 7 bytes larger than its first key exchange: an empty Certificate"
            raise("client_auth.via_renegotiation",
                  "The server asked for a client certificate only in a renegotiation it started after the first handshake (inferred from encrypted record sizes: \(what)); clients that expect the request in the first handshake can fail here.",
                  handshake: hs.index, evidence: evidence)
        }
        if !sentCertificate {
            raise("client_auth.no_certificate", "The server asked for a client certificate in the renegotiation and the client sent none (inferred: an empty Certificate is exactly 7 bytes).",
                  handshake: hs.index, evidence: evidence)
        }
    }

    /// An alert during a renegotiation: a refusal when the side asked sent no
    /// handshake record before it, else a failure.
    func renegotiationAlert(_ alert: AlertInfo, handshake cur: Int) {
        let hs = handshakes[cur]
        guard hs.index > 0, !hs.done, !hs.refused, !hs.failed else { return }
        guard let initiator = hs.initiator else { return }
        if alert.description == 100 || (alert.sender == initiator.other && !hs.answered) {
            handshakes[cur].refused = true
        } else if alert.level == 2 || alert.encrypted {
            handshakes[cur].failed = true
        } else {
            return
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
        let asked = hs.initiator?.other.rawValue ?? "peer"
        switch outcome {
        case .refused:
            raise("renegotiation.refused", "The \(asked) refused the renegotiation with an alert instead of a handshake.", handshake: hs.index,
                  evidence: [("refused_by", .string(asked)), ("inferred", .bool(hs.encrypted))])
        case .failed:
            raise("renegotiation.failed", "The renegotiation did not complete: \(hs.failureReason ?? "an alert or reset ended it").", handshake: hs.index,
                  evidence: [("reason", .string(hs.failureReason ?? "alert")), ("answered", .bool(hs.answered))])
        default:
            break
        }
    }

    /// At the end of the connection: a renegotiation still open tells what is known.
    func closeOpenRenegotiation() {
        guard let cur = currentHandshake, handshakes[cur].index > 0, !handshakes[cur].done, !handshakes[cur].outcomeReported else { return }
        let hs = handshakes[cur]
        if let asked = hs.initiator?.other, !hs.answered, hs.applicationRecordsDuring[asked] > 0 {
            // The side asked kept sending application data and never answered: it ignored the request.
            handshakes[cur].failed = true
            handshakes[cur].failureReason = "the \(asked.rawValue) ignored the request and kept sending application data"
            renegotiationEnded(cur)
        }
    }
}

func format3digits(_ v: Int) -> String {
    v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)"
}
