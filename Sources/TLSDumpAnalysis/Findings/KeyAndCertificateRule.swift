import TLSDumpBase
import TLSDumpTLS

/// Weak server keys (certificate, Diffie-Hellman group, curve, export RSA)
/// and certificates outside their validity, self-signed, or for another name.
enum KeyAndCertificateRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        switch fact {
        case .serverCertificate(let leaf, let handshake, let sni, let at):
            certificateFindings(leaf, handshake: handshake, sni: sni, seconds: at.seconds, &findings)
        case .serverKeyExchange(let exchange, let handshake):
            keyExchangeFindings(exchange, handshake: handshake, &findings)
        default:
            break
        }
    }

    private static func certificateFindings(_ leaf: CertificateSummary, handshake: Int, sni: String?, seconds: Int64, _ findings: inout FindingLog) {
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
        if let sni, !sni.isEmpty, !leaf.matches(hostname: sni) {
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
