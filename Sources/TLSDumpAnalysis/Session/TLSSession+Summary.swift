import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import TLSDumpTrust

extension TLSSession {
    /// The `connection` event: the story of the connection as one typed
    /// value, built when it ends. Every writer reads it; none re-derives it.
    func summary(close: CloseReason, evicted: Bool, tcp: SidePair<TCPSideState>, start: Timestamp, end: Timestamp) -> ConnectionSummary {
        let lastDone = handshakes.last { $0.isCompleted }
        let first = handshakes.first
        var unknownReasons: [(String, String)] = []
        var certificateRequest: String? = firstCertificateRequest?.phase.rawValue ?? "none"
        if firstCertificateRequest == nil, let hidden = handshakes.first(where: { $0.hasHiddenContent || ($0.encrypted && !$0.decrypted) }) {
            // A CertificateRequest could hide in ciphertext: do not claim "none".
            certificateRequest = nil
            let reason: String
            if let tls13 = handshakes.first(where: { $0.isTLS13 && $0.hasHiddenContent }) {
                reason = tls13.decryptedRecords > 0
                    ? "TLS 1.3 records after the handshake stayed encrypted (no traffic secret); a post-handshake CertificateRequest could be in them"
                    : "TLS 1.3 encrypts the CertificateRequest; no key was available"
            } else {
                reason = hidden.decrypted ? "a record of a decrypted handshake did not decrypt" : "a renegotiation was encrypted; no key was available"
            }
            unknownReasons.append(("certificate_request", reason))
        }
        unknownReasons += stapledUnknownReasons()
        // Unknown clients are most connections: their reason is told by the writers
        // (ClientCatalogue.identify again), not stored on every summary.
        let client = ClientCatalogue.identify(ja4: fingerprints[.ja4])
        // TLS 1.3 without a key: the server's (possibly compressed) Certificate was sent, hidden.
        if serverCertificate == nil, handshakes.contains(where: { $0.isTLS13 && $0.decryptedRecords == 0 && $0.resumed == false }) {
            unknownReasons.append(("server_certificate", "TLS 1.3 encrypts the server's Certificate (or CompressedCertificate) and its records were not decrypted (no key for them)"))
        }
        var clientAuthenticated: Bool? = nil
        for hs in handshakes {
            switch hs.clientAuthenticated {
            case true?: clientAuthenticated = true
            case false?: if clientAuthenticated == nil { clientAuthenticated = false }
            case nil: if clientAuthenticated == false { clientAuthenticated = nil }
            }
        }
        if clientAuthenticated == false && handshakes.contains(where: { $0.clientAuthenticated == nil }) { clientAuthenticated = nil }
        var summary = ConnectionSummary(
            start: start, end: end,
            version: lastDone?.version ?? negotiatedVersion,
            cipherSuite: lastDone?.cipherSuite ?? negotiatedSuite,
            sni: sni, alpn: alpn,
            established: lastDone != nil,
            resumed: first?.resumed,
            serverCertificate: serverCertificate?.value, clientCertificate: clientCertificate?.value,
            secureRenegotiation: secureRenegotiation,
            renegotiations: max(0, handshakes.count + handshakesDropped - 1),
            certificateRequest: certificateRequest,
            certificateRequestInferred: firstCertificateRequest?.inferred == true,
            clientAuthenticatedInferred: clientAuthenticated != nil && handshakes.contains { $0.clientCertificateInferred != nil && !$0.clientCertificateVerified },
            unknownReasons: unknownReasons,
            clientAuthenticated: clientAuthenticated,
            handshakes: handshakes.map(handshakeSummary),
            records: SidePair(client: sides.client.records, server: sides.server.records),
            alerts: alerts, findingIDs: findings.ids, findings: findings.kept,
            ja3: fingerprints[.ja3], ja3s: fingerprints[.ja3s], ja4: fingerprints[.ja4], ja4s: fingerprints[.ja4s],
            bytes: SidePair(client: tcp.client.payloadBytes, server: tcp.server.payloadBytes),
            gaps: tcp.client.gapBytes + tcp.server.gapBytes,
            decrypted: decryption?.used == true, close: close, evicted: evicted, sslv2: isSSLv2,
            sslv2CipherKind: sslv2CipherKind,
            rare: nil)
        summary.decryptionNote = decryptionNote
        summary.clientSoftware = client.software
        if sides.client.preamble != nil || sides.server.preamble != nil {
            let client = sides.client.preamble?.value, server = sides.server.preamble?.value
            summary.starttls = StartTLSProtocol.recognise(client: client, server: server)?.rawValue
            summary.plaintextBytes = SidePair(client: client?.count ?? 0, server: server?.count ?? 0)
        }
        // The last completed handshake whose key exchange was seen (an encrypted renegotiation
        // without keys hides its own), else the first.
        if let told = handshakes.last(where: { $0.isCompleted && $0.keyExchange.method != nil }) ?? first {
            summary.keyExchange = told.keyExchangeReport
        }
        summary.ech = ech
        if let stapled {
            summary.ocsp = stapled.ocsp
            if stapled.scts.count > 0 { summary.sct = stapled.scts }
        }
        // The time is this connection's own: the same output whichever connection made a shared verdict.
        if isTLS {
            if var v = serverValidation?.value {
                v.validatedAt = serverValidationSeconds
                summary.validation = v
            } else {
                summary.validation = .notChecked(chainNotSeenReason)
            }
        }
        if let client = clientChains.first(where: { $0.validation != nil }), var v = client.validation?.value {
            v.validatedAt = client.at
            summary.clientValidation = v
        }
        if certificateCompression.isAllocated {
            summary.serverCertificateCompression = certificateCompression.value.server
            summary.clientCertificateCompression = certificateCompression.value.client
        }
        return summary
    }

    /// TLS 1.3 staples OCSP and SCTs inside the encrypted Certificate: when
    /// the client asked for them and the certificate stayed hidden, their
    /// absence says nothing.
    private func stapledUnknownReasons() -> [(String, String)] {
        guard serverCertificate == nil, let first = handshakes.first, first.isTLS13, let hello = first.clientHello else { return [] }
        let why: String
        if first.messages.contains(where: { $0.sender == .server && $0.type == "CompressedCertificate" }) {
            why = "the server's certificate came in a CompressedCertificate message, which was not decompressed"
        } else if first.decryptedRecords > 0 {
            why = "the server's Certificate message was not read"
        } else {
            why = "no key was available"
        }
        var reasons: [(String, String)] = []
        if hello.offersStatusRequest && stapled?.ocsp == nil {
            reasons.append(("ocsp", "TLS 1.3 staples the OCSP response inside the encrypted Certificate; " + why))
        }
        if hello.offersSCT && (stapled?.scts.count ?? 0) == 0 {
            reasons.append(("sct", "TLS 1.3 carries SCTs inside the encrypted Certificate; " + why))
        }
        return reasons
    }

    /// Why the server's chain was not validated, when none was.
    private var chainNotSeenReason: String {
        guard context.config.validator != nil else { return "validation is turned off (--no-validate)" }
        guard let first = handshakes.first else { return "no handshake was seen" }
        if serverCertificate != nil { return "the chain was not validated" }
        let cap = HandshakeDefragmenter.defaultMaxCertificateMessageLength
        if let big = handshakes.lazy.flatMap(\.messages).first(where: {
            $0.sender == .server && ($0.type == "Certificate" || $0.type == "CompressedCertificate")
                && $0.length > HandshakeDefragmenter.defaultMaxMessageLength
        }) {
            return big.length > cap
                ? "the server's \(big.type ?? "Certificate") message (\(big.length) bytes) is over the \(cap)-byte limit: it was not read"
                : "the server's \(big.type ?? "Certificate") message (\(big.length) bytes) was not read: the memory all connections may hold in large messages (\(LargeMessageBudget.shared.limit) bytes) was in use"
        }
        if first.resumed == true || handshakes.allSatisfy({ $0.resumed == true }) {
            return "a resumed session: the server sends no certificate"
        }
        if handshakes.contains(where: { $0.isTLS13 }) && decryption?.used != true {
            return "TLS 1.3 encrypts the Certificate message and no key was available"
        }
        if handshakes.contains(where: { $0.encrypted && !$0.decrypted }) {
            return "the handshake was encrypted and no key was available"
        }
        if !handshakes.contains(where: { $0.isCompleted }) && !(first.fullServerFlight) {
            return "the server's Certificate message was not seen (the handshake did not get that far)"
        }
        return "no Certificate message was seen (an anonymous or PSK suite, or a lost segment)"
    }

    private func handshakeSummary(_ hs: Handshake) -> HandshakeSummary {
        let answer: ClientCertificateAnswer
        if let chain = clientChains.first(where: { $0.handshake == hs.index }) {
            answer = chain.leaf.map { .certificate($0) } ?? .empty
        } else if let inferred = hs.clientCertificateInferred {
            answer = .inferred(sent: inferred)
        } else {
            answer = .notSeen
        }
        let record = hs.renegotiation.value
        return HandshakeSummary(
            // A handshake any of whose messages stayed ciphertext (a renegotiation's Finished under keys
            // not found) was not decrypted, even when its hellos were.
            index: hs.index, initiator: hs.initiator, phase: hs.phase, encrypted: hs.encrypted,
            decrypted: hs.decrypted && !hs.messages.contains { $0.encrypted && !$0.decrypted },
            messages: hs.messages, messagesDropped: hs.messagesDropped, start: record.start,
            certificateRequest: certificateRequests.first { $0.handshake == hs.index },
            clientCertificate: answer, clientAuthenticated: hs.clientAuthenticated,
            inference: record.inference, inferenceCheck: inferenceCheck(hs), keyExchange: hs.keyExchangeReport,
            endedAfterFinished: record.endedAfterFinished)
    }
}
