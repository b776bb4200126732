import TLSDumpBase
import TLSDumpTLS
import TLSDumpTrust

/// Weak server keys (certificate, Diffie-Hellman group, curve, export RSA)
/// and certificates outside their validity, self-signed, or for another name.
enum KeyAndCertificateRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        switch fact {
        case .serverCertificate(let leaf, let handshake, let sni, let at, let validation):
            certificateFindings(leaf, handshake: handshake, sni: sni, seconds: at.seconds, validation: validation, &findings)
        case .certificateRevoked(let validation, let handshake):
            revoked(validation, handshake: handshake, &findings)
        case .serverKeyExchange(let exchange, let handshake):
            keyExchangeFindings(exchange, handshake: handshake, &findings)
        default:
            break
        }
    }

    private static func certificateFindings(_ leaf: CertificateSummary, handshake: Int, sni: String?, seconds: Int64,
                                            validation: ChainValidation?, _ findings: inout FindingLog) {
        let subject = leaf.subject ?? "(unreadable subject)"
        if let bits = leaf.keyBits, let type = leaf.keyType {
            if (type == "RSA" || type == "DSA") && bits < 2048 {
                findings.raise(.weakKeyRSA, "The server certificate has a \(bits)-bit \(type) key (under 2048 bits).", handshake: handshake,
                               evidence: .certificateKey(type: type, bits: bits, subject: subject))
            } else if type == "EC" && bits < 224 {
                findings.raise(.weakKeyEC, "The server certificate has a \(bits)-bit EC key (under 224 bits).", handshake: handshake,
                               evidence: .certificateKey(type: type, bits: bits, subject: subject))
            }
        }
        if let validation, validation.status != .notChecked {
            chainFindings(validation, handshake: handshake, &findings)
        } else {
            // Not validated (turned off, no trust store, a leaf swift-certificates
            // cannot parse): the leaf's own dates and names still tell these.
            leafFindings(leaf, subject: subject, handshake: handshake, seconds: seconds, &findings)
        }
        // Names past the kept ones were not looked at: no mismatch can be claimed then.
        if let sni, !sni.isEmpty, !leaf.matches(hostname: sni), leaf.omittedAlternativeNames == 0 {
            if !(leaf.subjectAlternativeNames.isEmpty && leaf.commonNames.isEmpty) {
                findings.raise(.certSNIMismatch, "The client asked for \(sni) but the server certificate names neither it nor a matching wildcard.", handshake: handshake,
                               evidence: .nameMismatch(sni: sni, subject: subject, san: leaf.subjectAlternativeNames))
            } else if leaf.parseError == nil {
                // Read whole and naming no host at all (no SAN, no CN): no client can match it.
                findings.raise(.certSNIMismatch, "The client asked for \(sni) but the server certificate names no host at all (no subjectAltName, no CN).",
                               handshake: handshake, evidence: .nameMismatch(sni: sni, subject: subject, san: []))
            }
        }
    }

    /// The findings a chain verdict deserves (the verifier decided; see TLSDumpTrust).
    private static func chainFindings(_ v: ChainValidation, handshake: Int, _ findings: inout FindingLog) {
        let reason = v.reason ?? v.status.rawValue
        if let expired = v.firstProblem(ValidationStatus.expired.rawValue) {
            findings.raise(.certExpired, "A certificate of the server's chain had expired at the capture's time (\(sentence(expired))).", handshake: handshake,
                           evidence: problemEvidence(expired))
        }
        if let early = v.firstProblem(ValidationStatus.notYetValid.rawValue) {
            findings.raise(.certNotYetValid, "A certificate of the server's chain was not yet valid at the capture's time (\(sentence(early))).", handshake: handshake,
                           evidence: problemEvidence(early))
        }
        if v.selfSigned {
            findings.raise(.certSelfSigned, "The server certificate is self-signed and not in the trust store.", handshake: handshake,
                           evidence: .chainValidation(status: v.status.rawValue, reason: reason, subject: v.path.first?.subject))
        } else if v.status == .unknownIssuer || v.status == .badSignature || v.status == .policyViolation {
            findings.raise(.certUntrusted, "The server's chain is not trusted (\(v.status.rawValue)): \(reason)", handshake: handshake,
                           evidence: .chainValidation(status: v.status.rawValue, reason: reason, subject: v.path.last?.subject))
        }
        if v.missingIntermediates {
            findings.raise(.certChainIncomplete, "The server did not send the intermediate certificates its chain needs: \(reason)", handshake: handshake,
                           evidence: .chainValidation(status: v.status.rawValue, reason: reason, subject: v.path.last?.subject))
        }
        if v.outOfOrder {
            findings.raise(.certChainOrder, "The server sent its chain out of order (a certificate before the one it issued).", handshake: handshake,
                           evidence: .chainValidation(status: v.status.rawValue, reason: "out of order", subject: v.path.first?.subject))
        }
        if let weak = v.firstProblem(ChainProblem.weakSignatureKind) {
            findings.raise(.certWeakSignature, "A certificate of the server's chain has a weak signature (\(sentence(weak))).", handshake: handshake,
                           evidence: problemEvidence(weak))
        }
        if v.status == .revoked { revoked(v, handshake: handshake, &findings) }
    }

    private static func revoked(_ v: ChainValidation, handshake: Int, _ findings: inout FindingLog) {
        let problem = v.firstProblem(ValidationStatus.revoked.rawValue)
        findings.raise(.certRevoked, "The server certificate is revoked: \(problem?.detail ?? v.reason ?? "revoked")", handshake: handshake,
                       evidence: problem.map(problemEvidence) ?? .chainValidation(status: v.status.rawValue, reason: v.reason ?? "", subject: nil))
    }

    /// "subject: detail" without the detail's final period (it goes inside parentheses).
    private static func sentence(_ p: ChainProblem) -> String {
        let detail = p.detail.hasSuffix(".") ? String(p.detail.dropLast()) : p.detail
        return p.subject.map { "\($0): \(detail)" } ?? detail
    }

    private static func problemEvidence(_ p: ChainProblem) -> Evidence {
        .chainProblem(kind: p.kind, detail: p.detail, subject: p.subject, position: p.position)
    }

    /// The rules before chains were validated: the leaf's dates and names alone.
    private static func leafFindings(_ leaf: CertificateSummary, subject: String, handshake: Int, seconds: Int64, _ findings: inout FindingLog) {
        if let notAfter = leaf.notAfterEpoch, notAfter < seconds {
            findings.raise(.certExpired, "The server certificate expired on \(leaf.notAfter ?? "?") before this connection.", handshake: handshake,
                           evidence: .certificateNotAfter(date: leaf.notAfter ?? "", subject: subject))
        }
        if let notBefore = leaf.notBeforeEpoch, notBefore > seconds {
            findings.raise(.certNotYetValid, "The server certificate is valid only from \(leaf.notBefore ?? "?"), after this connection.", handshake: handshake,
                           evidence: .certificateNotBefore(date: leaf.notBefore ?? "", subject: subject))
        }
        if leaf.isSelfIssued {
            findings.raise(.certSelfSigned, "The server certificate is self-signed (subject equals issuer).", handshake: handshake,
                           evidence: .certificateSubject(subject))
        }
    }

    private static func keyExchangeFindings(_ exchange: ServerKeyExchange, handshake: Int, _ findings: inout FindingLog) {
        if let bits = exchange.dhPrimeBits, bits < 2048 {
            findings.raise(.weakKeyDH, "The server's Diffie-Hellman group has a \(bits)-bit prime (under 2048 bits, Logjam).", handshake: handshake,
                           evidence: .dhPrime(bits: bits))
        }
        if let group = exchange.namedGroup, let bits = ellipticCurveBits[group], bits < 224 {
            let name = TLSRegistry.groupName(group) ?? String(group)
            findings.raise(.weakKeyEC, "The server chose the \(bits)-bit curve \(name) (under 224 bits).", handshake: handshake,
                           evidence: .curve(group: name, bits: bits))
        }
        if let bits = exchange.rsaModulusBits, bits < 2048 {
            findings.raise(.weakKeyRSA, "The server's export RSA key has \(bits) bits.", handshake: handshake, evidence: .exportRSAKey(bits: bits))
        }
    }

    /// Field sizes of the small named curves (RFC 4492 registry); larger ones need no entry.
    static let ellipticCurveBits: [UInt16: Int] = [
        1: 163, 2: 163, 3: 163, 4: 193, 5: 193, 6: 233, 7: 233, 8: 239,
        15: 160, 16: 160, 17: 160, 18: 192, 19: 192, 20: 224, 21: 224,
    ]
}
