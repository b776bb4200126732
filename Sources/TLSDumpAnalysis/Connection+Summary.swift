import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

extension Connection {
    /// The `connection` event: the one-line story, built when the connection ends.
    func summary(close: CloseReason, evicted: Bool) -> ConnectionSummary {
        let lastDone = handshakes.last { $0.done }
        let first = handshakes.first
        var unknownReasons: [(String, String)] = []
        var certificateRequest: String? = firstCertificateRequestPhase?.rawValue ?? "none"
        if firstCertificateRequestPhase == nil && handshakes.contains(where: { $0.encrypted || $0.isTLS13 }) {
            // A CertificateRequest could hide in ciphertext: do not claim "none".
            certificateRequest = nil
            unknownReasons.append(("certificate_request", handshakes.contains { $0.isTLS13 }
                ? "TLS 1.3 encrypts the CertificateRequest; no key was available"
                : "a renegotiation was encrypted; no key was available"))
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
        return ConnectionSummary(
            start: start, end: last,
            version: lastDone?.version ?? negotiatedVersion,
            cipherSuite: lastDone?.cipherSuite ?? negotiatedSuite,
            sni: sni, alpn: alpn,
            established: lastDone != nil,
            resumed: first?.resumed,
            serverCertificate: serverCertificate, clientCertificate: clientCertificate,
            secureRenegotiation: secureRenegotiation,
            renegotiations: max(0, handshakes.count + handshakesDropped - 1),
            certificateRequest: certificateRequest,
            certificateRequestInferred: certificateRequestInferred && firstCertificateRequestPhase != nil,
            clientAuthenticatedInferred: clientAuthenticated != nil && handshakes.contains { $0.clientCertificateInferred != nil && !$0.clientCertificateVerify },
            unknownReasons: unknownReasons,
            clientAuthenticated: clientAuthenticated,
            handshakes: handshakes.map {
                HandshakeSummary(index: $0.index, initiator: $0.initiator, outcome: $0.outcome, encrypted: $0.encrypted, decrypted: $0.decrypted,
                                 messages: $0.messages, messagesDropped: $0.messagesDropped)
            },
            records: SidePair(client: sides.client.records, server: sides.server.records),
            alerts: alerts, findings: findingIDs, findingSeverities: findingSeverities,
            ja3: fingerprints[.ja3], ja3s: fingerprints[.ja3s], ja4: fingerprints[.ja4], ja4s: fingerprints[.ja4s],
            bytes: SidePair(client: sides.client.payloadBytes, server: sides.server.payloadBytes),
            gaps: sides.client.gapBytes + sides.server.gapBytes,
            decrypted: decryption?.used == true, close: close, evicted: evicted, sslv2: isSSLv2,
            sslv2CipherKind: sslv2CipherKind,
            decryptionNote: decryptionNote)
    }
}
