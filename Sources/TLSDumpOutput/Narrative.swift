import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS

/// The story of a connection in sentences an IIS or Java administrator reads:
/// who renegotiated, when the certificate was requested, what the client did,
/// how it ended, and whether renegotiation was secure. Inferred facts say so.
/// Everything comes from the `connection` summary: the text and the JSON
/// tell the same values.
enum Narrative {
    static func sentences(_ c: ConnectionSummary) -> [String] {
        var out: [String] = []
        guard let first = c.handshakes.first else { return out }
        if let client = c.clientSoftware { out.append("The client is " + clientLine(client) + ".") }
        let version = c.version.map(Naming.version) ?? "TLS"
        // The first handshake.
        switch first.outcome {
        case .completed:
            var s = "The first handshake completed (\(version)"
            if let suite = c.cipherSuite { s += ", \(Naming.cipherSuiteName(suite) ?? Naming.hex4(suite))" }
            s += ")"
            if let request = first.certificateRequest, request.phase != .postHandshake {
                s += " with a client certificate request" + caList(request)
                switch first.clientCertificate {
                case .certificate(let leaf): s += "; the client sent \(leaf.subject ?? "a certificate")."
                case .empty: s += "; the client sent no certificate."
                case .notSeen, .inferred: s += "."
                }
            } else if c.version.map(ProtocolVersion.isTLS13Family) == true
                        && (c.certificateRequest == nil || (c.certificateRequest == "post_handshake" && c.certificateRequestInferred)) {
                s += "; TLS 1.3 encrypts any certificate request in the handshake, so without keys it cannot be seen."
            } else {
                s += " without asking for a client certificate."
            }
            out.append(s)
        case .failed:
            if let failure = first.failure, let how = firstHandshakeFailure(failure) {
                out.append("The first handshake failed: \(how)")
            } else {
                out.append("The first handshake did not complete in the capture.")
            }
        case .abandoned:
            out.append("The first handshake was abandoned: " + closedSentence(first, c))
            if let retry = measuredRetry(c, scenario: "tls12-certreq-first") { out.append(retry) }
        case .refused, .unknown:
            out.append("The first handshake did not complete in the capture.")
        }
        if let request = first.certificateRequest, request.phase == .postHandshake {
            out.append(postHandshakeSentence(request, first))
        }
        // Renegotiations.
        for h in c.handshakes.dropFirst() {
            out.append(contentsOf: renegotiationSentences(h, c))
        }
        if c.handshakes.count > 1 {
            switch c.secureRenegotiation {
            case true?: out.append("Secure renegotiation (RFC 5746) was in force.")
            case false?: out.append("Secure renegotiation (RFC 5746) was NOT negotiated: this is the insecure renegotiation of CVE-2009-3555.")
            case nil: out.append("Whether secure renegotiation (RFC 5746) was in force is unknown (the first hellos were not seen).")
            }
        }
        // The remedy: where the certificate was asked only in a renegotiation, and where the
        // client did not go through a renegotiation the server started (refused, failed, abandoned).
        let askedInRenegotiation = c.findingIDs.contains(.clientAuthViaRenegotiation)
        let clientWouldNot = c.handshakes.dropFirst().contains {
            $0.initiator == .server && $0.endedBy == .client && [.refused, .failed, .abandoned].contains($0.outcome)
        }
        if askedInRenegotiation || clientWouldNot {
            out.append(remedy(c, certificateRequestSeen: askedInRenegotiation))
        }
        return out
    }

    /// Who the client is, from the measured catalogue, and on what basis.
    static func clientLine(_ client: ClientSoftware) -> String {
        switch client.basis {
        case .exactJA4:
            if client.candidates.count > 1 {
                return client.candidates.map { $0.name + " " + $0.version }.joined(separator: " or ")
                    + " (\(client.library ?? "their libraries")): they send the same ClientHello (exact JA4 match with the catalogue)"
            }
            return client.label + " (exact JA4 match with the catalogue)"
        case .libraryTraits:
            return "a \(client.library ?? "known-library") client of a stack the catalogue does not hold (" + client.traits.joined(separator: "; ") + ")"
        }
    }

    /// The IIS pattern's remedy paragraph, speaking from the catalogue: what
    /// this client was measured to do, or (unidentified) which measured stacks
    /// complete and which do not; then the server-side remedies.
    static func remedy(_ c: ConnectionSummary, certificateRequestSeen: Bool) -> String {
        // Both openings say the same first words: with keys the story adds, it does not say otherwise.
        var s = certificateRequestSeen
            ? "This is the IIS pattern: the certificate is requested only in a renegotiation after the first request."
            : "This is the IIS way of asking for a client certificate, if that is what the server meant: it renegotiated after the first request."
        let scenario = ClientStack.renegotiationScenario
        if let client = c.clientSoftware, !client.candidates.isEmpty {
            let told = client.candidates.map { stack -> String in
                var t = "\(stack.name) \(stack.version) " + measuredClause(stack.outcome(scenario))
                if let tickets = stack.outcome("tls12-reneg"), tickets != stack.outcome(scenario) {
                    t += " (with session tickets on, it " + measuredClause(tickets) + ")"
                }
                return t
            }
            s += " Measured against this pattern (TLS 1.2, captures/clients), " + told.joined(separator: "; ") + "."
        } else {
            let (complete, fail) = ClientCatalogue.renegotiationVerdicts
            s += " The client is not identified"
            if let library = c.clientSoftware?.library { s += " beyond its library (\(library))" }
            s += "; measured against this pattern (TLS 1.2, captures/clients), "
            s += complete.map { "\($0.name) \($0.version)" }.joined(separator: ", ") + " complete it and send their certificate"
            if !fail.isEmpty {
                s += ", while " + fail.map { "\($0.name) \($0.version) (\(($0.outcome(scenario) ?? "unknown").replacingOccurrences(of: "_", with: " ")))" }
                    .joined(separator: ", ") + " do not"
            }
            s += "."
        }
        s += " On IIS 7 and later, enabling client certificate negotiation on the binding (netsh http update sslcert ... clientcertnegotiation=enable) moves the request into the first handshake; on IIS 6 (Windows Server 2003), httpcfg set ssl -i IP:443 -h HASH -f 2 does, with SSLAlwaysNegoClientCert=\"TRUE\" in the IIS metabase; on Apache, SSLVerifyClient per virtual host instead of per directory does."
        return s
    }

    /// A measured outcome in words (past tense: what the stack did).
    private static func measuredClause(_ outcome: String?) -> String {
        switch outcome {
        case "completes_with_certificate"?: "completed it and sent its certificate"
        case "completes"?: "completed it"
        case "refuses"?: "refused it (a no_renegotiation alert; the server then ended the connection)"
        case "abandons"?: "closed the connection at the certificate request"
        case "abandons_then_retries_with_certificate"?:
            "closed the connection at the certificate request (no alert), picked a certificate, and retried on a new connection, where it completed the renegotiation with its certificate"
        case "fails_after_finished"?: "ended the connection right after the renegotiation's Finished"
        case "resumes_session"?: "resumed its session in the renegotiation, so no certificate was asked"
        case "fails"?: "failed it"
        case let other?: "ended as \(other.replacingOccurrences(of: "_", with: " "))"
        case nil: "was not measured against it"
        }
    }

    /// How a first handshake failed, when it can be said (an encrypted alert says nothing more).
    private static func firstHandshakeFailure(_ failure: HandshakeFailure) -> String? {
        switch failure {
        case .alert(let side, let level, let description, _) where level == 2:
            let name = description.flatMap { TLSRegistry.alertName($0) } ?? "unknown"
            return "the \(side.rawValue) ended the handshake with a fatal \(name) alert."
        case .reset(let side):
            return "the \(side.rawValue) reset the connection before the handshake completed."
        default:
            return nil
        }
    }

    /// A handshake a side abandoned by closing TCP: who, and what the other side's alert was.
    private static func closedSentence(_ h: HandshakeSummary, _ c: ConnectionSummary) -> String {
        guard let side = h.endedBy else { return "the connection closed before it completed." }
        var s = "the \(side.rawValue) closed the connection (TCP FIN, no alert)"
        if h.certificateRequest != nil && side == .client && h.clientCertificate.isNotSeen {
            s += " after the server's certificate request, without answering it"
        }
        let closerAlerted = c.alerts.contains { $0.sender == side }
        if !closerAlerted, c.alerts.contains(where: { $0.sender == side.other && ($0.level == 2 || $0.encrypted) }) {
            s += "; the \(side.other.rawValue)'s alert that followed answers that close, it did not end the handshake"
        }
        return s + "."
    }

    /// A client that closed at a certificate request: when the catalogue measured
    /// it doing so and retrying (Chromium), the story says what comes next.
    private static func measuredRetry(_ c: ConnectionSummary, scenario: String) -> String? {
        guard let client = c.clientSoftware, !client.candidates.isEmpty,
              client.candidates.allSatisfy({ $0.outcome(scenario)?.hasSuffix("_then_retries_with_certificate") == true }) else { return nil }
        let names = client.candidates.map { "\($0.name) \($0.version)" }.joined(separator: " and ")
        return "That is \(names)'s measured pattern (captures/clients): it closes the connection at the certificate request, picks a certificate, and retries on a new connection to the same server, where it sends it; the retry is the next connection from this client with the same JA4."
    }

    /// TLS 1.3 post-handshake authentication (RFC 8446 4.6.2): when, how it is known, what the client sent.
    private static func postHandshakeSentence(_ request: CertificateRequestEvent, _ h: HandshakeSummary) -> String {
        // Only the client's bytes: without keys the server's NewSessionTickets look like application data.
        let bytes = request.applicationBytesBefore
        var s = "After the handshake"
        if bytes.client > 0 { s += ", and after \(bytes.client) bytes of client application data" }
        s += ", \(formatDuration(request.msSinceConnectionStart)) into the connection, the server asked for a client certificate (TLS 1.3 post-handshake authentication"
        if request.inferred {
            s += ", inferred from encrypted record sizes: a short server record after the client's request, answered by a client flight the size of a certificate)"
        } else {
            s += request.decrypted ? ", decrypted)" : ")"
            s += caList(request)
        }
        switch h.clientCertificate {
        case .certificate(let leaf): s += "; the client sent \(leaf.subject ?? "a certificate")."
        case .empty: s += "; the client sent no certificate."
        case .inferred(sent: true): s += "; the client's reply carried a certificate and its signature (inferred)."
        case .inferred(sent: false): s += "; the client sent an empty certificate list (inferred)."
        case .notSeen: s += "."
        }
        return s
    }

    private static func renegotiationSentences(_ h: HandshakeSummary, _ c: ConnectionSummary) -> [String] {
        var out: [String] = []
        let how = h.decrypted ? ", decrypted)" : h.encrypted ? ", seen as an encrypted handshake record)" : ")"
        var s: String
        switch h.initiator {
        case .server?: s = "The server then asked for a new handshake (HelloRequest" + how
        case .client?: s = "The client then started a new handshake (renegotiation" + how
        case nil: s = "A new handshake started"
        }
        if let start = h.start {
            let bytes = start.applicationBytesBefore
            s += bytes.client + bytes.server > 0
                ? " after \(bytes.client) bytes of client and \(bytes.server) bytes of server application data, \(formatDuration(start.msSinceConnectionStart)) into the connection."
                : " before any application data, \(formatDuration(start.msSinceConnectionStart)) into the connection."
        } else {
            s += "."
        }
        out.append(s)
        if let request = h.certificateRequest {
            var r = "In that renegotiation the server asked for a client certificate"
            if request.inferred {
                if let inference = h.inference {
                    r += " (inferred from encrypted record sizes: the client's reply was \(inference.extraClientBytes) bytes larger than its first key exchange)"
                } else {
                    r += " (inferred from encrypted record sizes)"
                }
            } else {
                r += caList(request)
            }
            switch h.clientCertificate {
            case .certificate(let leaf): r += "; the client sent \(leaf.subject ?? "a certificate")."
            case .empty: r += "; the client sent no certificate."
            case .inferred(sent: false): r += "; the client sent an empty certificate list."
            case .inferred(sent: true): r += "; the client's reply carried a certificate and its signature (inferred)."
            case .notSeen: r += "."
            }
            out.append(r)
        }
        switch h.inferenceCheck {
        case .confirmed?: out.append("The decrypted messages confirm what the record sizes showed.")
        case .corrected?: out.append("The decrypted messages correct what the record sizes suggested: the client \(h.clientCertificate.sentCertificate ? "did" : "did not") send a certificate.")
        case nil: break
        }
        switch h.phase {
        case .completed:
            if let after = h.endedAfterFinished {
                out.append("Both Finished messages were seen, but the client then ended the connection (\(endedAfterFinishedWords(after))) before sending any application data: the handshake finished, yet the renegotiation did not work for this client.")
            } else {
                out.append("The renegotiation completed.")
            }
        case .closed:
            out.append("The renegotiation was abandoned: " + closedSentence(h, c))
            if h.endedBy == .client, let retry = measuredRetry(c, scenario: ClientStack.renegotiationScenario) { out.append(retry) }
        case .refused(let side, let alert):
            // With keys (or in clear) the alert is named: the story adds to the keyless one.
            let which = alert.flatMap { TLSRegistry.alertName($0) }.map { "a \($0) alert" } ?? "an alert"
            out.append("The \(side.rawValue) refused it with \(which) instead of a handshake" + (h.inferred ? " (inferred from encrypted records)." : "."))
        case .failed(_, let failure):
            out.append("It failed: \(failure.reason).")
        default:
            out.append("How it ended is not in the capture.")
        }
        return out
    }

    private static func endedAfterFinishedWords(_ failure: HandshakeFailure) -> String {
        switch failure {
        case .alert(_, let level, let description, _):
            guard let level else { return "an encrypted alert" }
            return "a \(level == 2 ? "fatal" : "warning") \(description.flatMap { TLSRegistry.alertName($0) } ?? "unknown") alert"
        case .reset: return "a TCP reset"
        case .ignored: return "it ignored the handshake"
        }
    }

    private static func caList(_ request: CertificateRequestEvent) -> String {
        guard let names = request.caNames else { return "" }
        if names.isEmpty { return " (no CA names listed)" }
        return " (acceptable CAs: " + names.joined(separator: "; ") + ")"
    }
}

extension ClientCertificateAnswer {
    var isNotSeen: Bool {
        if case .notSeen = self { return true }
        return false
    }

    var sentCertificate: Bool {
        switch self {
        case .certificate: true
        case .inferred(let sent): sent
        case .empty, .notSeen: false
        }
    }
}
