import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS

/// Facts about one connection gathered from its events until the `connection` event.
struct FlowFacts {
    var identity: FlowIdentity?
    var findings: [Finding] = []
    var certificateRequests: [CertificateRequestEvent] = []
    var clientChains: [Int: [CertificateSummary]] = [:]
    var renegotiations: [RenegotiationEvent] = []
    var helloRequests: [HelloRequestEvent] = []

    /// Takes what the story needs from an event; false when the event is not about facts.
    mutating func absorb(_ body: EventBody, flow: FlowIdentity) -> Bool {
        switch body {
        case .finding(let f):
            findings.append(f)
            if f.id == "not_tls" { identity = flow }
        case .certificateRequest(let e):
            certificateRequests.append(e)
        case .certificate(let e) where e.sender == .client:
            clientChains[e.handshake] = e.chain
        case .renegotiation(let e):
            renegotiations.append(e)
        case .helloRequest(let e):
            helloRequests.append(e)
        default:
            return false
        }
        return true
    }

    func finding(_ id: String) -> Finding? { findings.first { $0.id == id } }
}

/// The story of a connection in sentences an IIS or Java administrator reads:
/// who renegotiated, when the certificate was requested, what the client did,
/// how it ended, and whether renegotiation was secure. Inferred facts say so.
enum Narrative {
    static func sentences(_ c: ConnectionSummary, _ facts: FlowFacts) -> [String] {
        var out: [String] = []
        guard let first = c.handshakes.first else { return out }
        let version = c.version.map(Naming.version) ?? "TLS"
        // The first handshake.
        let firstRequest = facts.certificateRequests.first { $0.handshake == 0 }
        if first.outcome == "completed" {
            var s = "The first handshake completed (\(version)"
            if let suite = c.cipherSuite { s += ", \(Naming.cipherSuiteName(suite) ?? Naming.hex4(suite))" }
            s += ")"
            if let request = firstRequest {
                s += " with a client certificate request" + caList(request)
                if let chain = facts.clientChains[0] {
                    s += chain.isEmpty ? "; the client sent no certificate." : "; the client sent \(chain[0].subject ?? "a certificate")."
                } else {
                    s += "."
                }
            } else if c.version.map(ProtocolVersion.isTLS13Family) == true {
                s += "; TLS 1.3 encrypts any certificate request, so without keys it cannot be seen."
            } else {
                s += " without asking for a client certificate."
            }
            out.append(s)
        } else if first.outcome == "failed", let failed = facts.finding("handshake.failed") {
            out.append("The first handshake failed: \(lowerFirst(failed.message))")
        } else {
            out.append("The first handshake did not complete in the capture.")
        }
        // Renegotiations.
        for h in c.handshakes.dropFirst() {
            out.append(contentsOf: renegotiationSentences(h, c, facts))
        }
        if c.handshakes.count > 1 {
            switch c.secureRenegotiation {
            case true?: out.append("Secure renegotiation (RFC 5746) was in force.")
            case false?: out.append("Secure renegotiation (RFC 5746) was NOT negotiated: this is the insecure renegotiation of CVE-2009-3555.")
            case nil: out.append("Whether secure renegotiation (RFC 5746) was in force is unknown (the first hellos were not seen).")
            }
        }
        if facts.finding("client_auth.via_renegotiation") != nil {
            out.append("This is the IIS pattern: the certificate is requested only in a renegotiation after the first request, and clients that expect the request in the first handshake (Java's HttpClient among them) or refuse renegotiation (BoringSSL, Go, Botan) fail here. On IIS, enabling client certificate negotiation on the binding (netsh http ... clientcertnegotiation=enable) moves the request into the first handshake; on Apache, SSLVerifyClient per virtual host instead of per directory does.")
        }
        return out
    }

    private static func renegotiationSentences(_ h: HandshakeSummary, _ c: ConnectionSummary, _ facts: FlowFacts) -> [String] {
        var out: [String] = []
        let request = facts.certificateRequests.first { $0.handshake == h.index }
        let started = facts.findings.first { ($0.id == "renegotiation.server_initiated" || $0.id == "renegotiation.client_initiated") && $0.handshake == h.index }
        var s: String
        switch h.initiator {
        case .server?:
            s = "The server then asked for a new handshake (HelloRequest"
            s += h.decrypted ? ", decrypted)" : h.encrypted ? ", seen as an encrypted handshake record)" : ")"
        case .client?:
            s = "The client then started a new handshake (renegotiation" + (h.decrypted ? ", decrypted)" : h.encrypted ? ", seen as an encrypted handshake record)" : ")")
        case nil:
            s = "A new handshake started"
        }
        if let started, case .int(let clientBytes)? = started.evidence.first(where: { $0.0 == "client_application_bytes_before" })?.1,
           case .int(let serverBytes)? = started.evidence.first(where: { $0.0 == "server_application_bytes_before" })?.1,
           case .double(let ms)? = started.evidence.first(where: { $0.0 == "ms_since_connection_start" })?.1 {
            s += clientBytes + serverBytes > 0
                ? " after \(clientBytes) bytes of client and \(serverBytes) bytes of server application data, \(formatDuration(ms)) into the connection."
                : " before any application data, \(formatDuration(ms)) into the connection."
        } else {
            s += "."
        }
        out.append(s)
        if let request {
            var r = "In that renegotiation the server asked for a client certificate"
            if request.inferred {
                let via = facts.finding("client_auth.via_renegotiation") ?? facts.finding("client_auth.no_certificate")
                if let via, case .int(let extra)? = via.evidence.first(where: { $0.0 == "extra_client_bytes" })?.1 {
                    r += " (inferred from encrypted record sizes: the client's reply was \(extra) bytes larger than its first key exchange)"
                } else {
                    r += " (inferred from encrypted record sizes)"
                }
            } else {
                r += caList(request)
            }
            if let chain = facts.clientChains[h.index] {
                r += chain.isEmpty ? "; the client sent no certificate." : "; the client sent \(chain[0].subject ?? "a certificate")."
            } else if facts.finding("client_auth.no_certificate")?.handshake == h.index {
                r += "; the client sent an empty certificate list."
            } else if request.inferred {
                r += "; the client's reply carried a certificate and its signature (inferred)."
            } else {
                r += "."
            }
            out.append(r)
        }
        switch h.outcome {
        case "completed": out.append("The renegotiation completed.")
        case "refused": out.append("The \(h.initiator?.other.rawValue ?? "peer") refused it with an alert instead of a handshake.")
        case "failed":
            let reason = facts.finding("renegotiation.failed").map { lowerFirst($0.message) } ?? "an alert or reset ended it."
            out.append("It failed: \(reason)")
        default: out.append("How it ended is not in the capture.")
        }
        return out
    }

    private static func caList(_ request: CertificateRequestEvent) -> String {
        guard let names = request.caNames else { return "" }
        if names.isEmpty { return " (no CA names listed)" }
        return " (acceptable CAs: " + names.joined(separator: "; ") + ")"
    }

    private static func lowerFirst(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.lowercased() + s.dropFirst()
    }
}
