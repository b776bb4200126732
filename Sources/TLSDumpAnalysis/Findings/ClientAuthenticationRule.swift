/// Client certificates: asked only in a renegotiation (the IIS pattern),
/// asked after a TLS 1.3 handshake, or asked and not given.
enum ClientAuthenticationRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        switch fact {
        case .certificateRequested(let request):
            if request.phase == .postHandshake {
                findings.raise(.clientAuthPostHandshake, "The server asked for a client certificate after the TLS 1.3 handshake (post-handshake authentication).",
                               handshake: request.handshake, evidence: .postHandshakeRequest(encrypted: request.encrypted, decrypted: request.decrypted))
            }
            if request.phase == .renegotiation && request.initiator == .server && !request.firstHandshakeAsked {
                findings.raise(.clientAuthViaRenegotiation,
                               "The server asked for a client certificate only in a renegotiation it started after the first handshake; clients that expect the request in the first handshake can fail here.",
                               handshake: request.handshake, evidence: .certificateRequestSeen(encrypted: request.encrypted))
            }
        case .clientCertificate(let empty, let requested, let handshake):
            if empty && requested {
                findings.raise(.clientAuthNoCertificate, "The server asked for a client certificate and the client sent none.", handshake: handshake)
            }
        case .clientFlightInferred(let flight, let initiator, let firstHandshakeAsked, let handshake):
            if initiator == .server && !firstHandshakeAsked {
                let what = flight.certificateSent
                    ? "the client's reply was \(flight.extraClientBytes) bytes larger than its first key exchange, enough for a certificate and its signature"
                    : "the client's reply was exactly 7 bytes larger than its first key exchange: an empty Certificate"
                findings.raise(.clientAuthViaRenegotiation,
                               "The server asked for a client certificate only in a renegotiation it started after the first handshake (inferred from encrypted record sizes: \(what)); clients that expect the request in the first handshake can fail here.",
                               handshake: handshake, evidence: .clientFlight(flight))
            }
            if !flight.certificateSent {
                findings.raise(.clientAuthNoCertificate, "The server asked for a client certificate in the renegotiation and the client sent none (inferred: an empty Certificate is exactly 7 bytes).",
                               handshake: handshake, evidence: .clientFlight(flight))
            }
        default:
            break
        }
    }
}
