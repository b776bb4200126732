/// The findings of one connection: each id at most once (a lossy or hostile
/// stream can hit the same condition on every packet, so a finding's
/// message and evidence are only built when its id is new). The ids are
/// kept for the summary; the findings themselves only when `keepsFindings`.
struct FindingLog {
    private var raisedBits: UInt64 = 0
    private(set) var ids: [FindingID] = []
    private(set) var kept: [Finding] = []
    /// Raised and not yet emitted.
    private(set) var unsent: [Finding] = []
    let keepsFindings: Bool

    init(keepsFindings: Bool) { self.keepsFindings = keepsFindings }

    func contains(_ id: FindingID) -> Bool { raisedBits & id.bit != 0 }

    mutating func raise(_ id: FindingID, _ message: @autoclosure () -> String, handshake: Int?,
                        evidence: @autoclosure () -> Evidence = .none) {
        guard !contains(id) else { return }
        raisedBits |= id.bit
        ids.append(id)
        let finding = Finding(id: id, message: message(), handshake: handshake, evidence: evidence())
        if keepsFindings { kept.append(finding) }
        unsent.append(finding)
    }

    /// The findings raised since the last call, oldest first; the log lets go of them.
    mutating func takeUnsent() -> [Finding] {
        defer { unsent = [] }
        return unsent
    }
}

/// A policy over session facts (as Zeek's TLS policies are over its events):
/// each rule looks at the facts of its concern and raises findings.
protocol FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog)
}

/// The rules every session runs, in the order their findings are raised.
enum FindingRules {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        // One concern per fact: a switch picks the rule instead of asking all five.
        switch fact {
        case .negotiated, .sslv2CipherChosen:
            ProtocolRule.observe(fact, &findings)
        case .serverCertificate, .serverKeyExchange, .certificateRevoked:
            KeyAndCertificateRule.observe(fact, &findings)
        case .stapledOCSP:
            OCSPRule.observe(fact, &findings)
        case .certificateCompressionRejected:
            CertificateCompressionRule.observe(fact, &findings)
        case .renegotiationStarted, .renegotiationRefused, .renegotiationFailed, .renegotiationAbandoned, .renegotiationEndedAfterFinished:
            RenegotiationRule.observe(fact, &findings)
        case .certificateRequested, .clientCertificate, .clientFlightInferred:
            ClientAuthenticationRule.observe(fact, &findings)
        case .firstHandshakeFailed, .firstHandshakeAbandoned, .unexpectedMessage, .bytesMissing, .notTLS, .malformed, .decryptionFailed, .decryptionUnsupported:
            StreamHealthRule.observe(fact, &findings)
        case .quicDecryptionFailed:
            QUICRule.observe(fact, &findings)
        case .keyExchangeChosen:
            KeyExchangeRule.observe(fact, &findings)
        }
    }
}
