/// The findings of one connection: each id at most once (a lossy or hostile
/// stream can hit the same condition on every packet, so a finding's
/// message and evidence are only built when its id is new).
struct FindingLog {
    private var raisedBits: UInt64 = 0
    private(set) var raised: [Finding] = []
    /// Raised since the session last emitted them.
    private(set) var unsent = 0

    func contains(_ id: FindingID) -> Bool { raisedBits & id.bit != 0 }

    mutating func raise(_ id: FindingID, _ message: @autoclosure () -> String, handshake: Int?,
                        evidence: @autoclosure () -> Evidence = .none) {
        guard !contains(id) else { return }
        raisedBits |= id.bit
        raised.append(Finding(id: id, message: message(), handshake: handshake, evidence: evidence()))
        unsent += 1
    }

    /// The findings raised since the last call, oldest first.
    mutating func takeUnsent() -> ArraySlice<Finding> {
        defer { unsent = 0 }
        return raised.suffix(unsent)
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
        case .serverCertificate, .serverKeyExchange:
            KeyAndCertificateRule.observe(fact, &findings)
        case .renegotiationStarted, .renegotiationRefused, .renegotiationFailed:
            RenegotiationRule.observe(fact, &findings)
        case .certificateRequested, .clientCertificate, .clientFlightInferred:
            ClientAuthenticationRule.observe(fact, &findings)
        case .firstHandshakeFailed, .unexpectedMessage, .bytesMissing, .notTLS, .malformed, .decryptionFailed, .decryptionUnsupported:
            StreamHealthRule.observe(fact, &findings)
        }
    }
}
