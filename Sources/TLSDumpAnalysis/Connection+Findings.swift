import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Findings about what was negotiated: suite, version, compression, keys, certificates.
extension Connection {
    func negotiatedParameterFindings(version: UInt16, suite: UInt16?, compression: UInt8, handshake: Int) {
        let versionName = TLSRegistry.versionName(version)
        switch version {
        case ProtocolVersion.sslv2:
            raise("old_protocol.sslv2", "SSL 2.0 was negotiated; it is broken and prohibited (RFC 6176).", handshake: handshake, evidence: [("version", .string(versionName))])
        case ProtocolVersion.sslv3:
            raise("old_protocol.sslv3", "SSL 3.0 was negotiated; it is broken (POODLE) and prohibited (RFC 7568).", handshake: handshake, evidence: [("version", .string(versionName))])
        case ProtocolVersion.tls10:
            raise("old_protocol.tls1.0", "TLS 1.0 was negotiated; it is deprecated (RFC 8996).", handshake: handshake, evidence: [("version", .string(versionName))])
        case ProtocolVersion.tls11:
            raise("old_protocol.tls1.1", "TLS 1.1 was negotiated; it is deprecated (RFC 8996).", handshake: handshake, evidence: [("version", .string(versionName))])
        default:
            break
        }
        if compression != 0 {
            raise("compression.enabled", "TLS compression was negotiated (method \(TLSRegistry.compressionMethodName(compression) ?? String(compression))), which exposes secrets to CRIME.",
                  handshake: handshake, evidence: [("method", .int(Int(compression)))])
        }
        guard let suite, let info = CipherSuiteRegistry.info(suite) else { return }
        suiteFindings(name: info.name, cipher: info.cipher, mac: info.mac, export: info.isExport,
                      anonymous: info.authentication == .anonymous, handshake: handshake)
    }

    func suiteFindings(name: String, cipher: BulkCipher, mac: MACAlgorithm, export: Bool, anonymous: Bool, handshake: Int) {
        let evidence: [(String, EvidenceValue)] = [("cipher_suite", .string(name))]
        switch cipher {
        case .rc4_40, .rc4_56, .rc4_128:
            raise("weak_cipher.rc4", "The negotiated suite \(name) uses RC4, which is broken (RFC 7465).", handshake: handshake, evidence: evidence)
        case .null:
            raise("weak_cipher.null", "The negotiated suite \(name) does not encrypt at all.", handshake: handshake, evidence: evidence)
        case .des, .des40:
            raise("weak_cipher.des", "The negotiated suite \(name) uses single DES (56-bit key or less).", handshake: handshake, evidence: evidence)
        case .tripleDES:
            raise("weak_cipher.3des", "The negotiated suite \(name) uses 3DES, a 64-bit block cipher open to Sweet32.", handshake: handshake, evidence: evidence)
        default:
            break
        }
        if export {
            raise("weak_cipher.export", "The negotiated suite \(name) is an export suite with deliberately weakened keys.", handshake: handshake, evidence: evidence)
        }
        if anonymous {
            raise("weak_cipher.anon", "The negotiated suite \(name) has no server authentication (anonymous key exchange).", handshake: handshake, evidence: evidence)
        }
        if mac == .md5 {
            raise("weak_mac.md5", "The negotiated suite \(name) authenticates records with HMAC-MD5.", handshake: handshake, evidence: evidence)
        }
    }

    /// SSLv2 cipher kinds (RFC-less: draft-hickman); every SSLv2 kind uses MD5.
    func sslv2Findings(kind: UInt32, handshake: Int) {
        let name = TLSRegistry.sslv2CipherKindName(kind) ?? hexNumber(kind, digits: 6)
        let cipher: BulkCipher
        switch kind {
        case 0x010080, 0x020080: cipher = .rc4_128
        case 0x060040: cipher = .des
        case 0x0700c0: cipher = .tripleDES
        default: cipher = .unknown
        }
        let export = kind == 0x020080 || kind == 0x040080
        suiteFindings(name: name, cipher: cipher, mac: .md5, export: export, anonymous: false, handshake: handshake)
    }

    func certificateFindings(_ leaf: CertificateSummary, handshake: Int) {
        let subject = leaf.subject ?? "(unreadable subject)"
        if let bits = leaf.keyBits, let type = leaf.keyType {
            if (type == "RSA" || type == "DSA") && bits < 2048 {
                raise("weak_key.rsa", "The server certificate has a \(bits)-bit \(type) key (under 2048 bits).", handshake: handshake,
                      evidence: [("key_type", .string(type)), ("key_bits", .int(bits)), ("subject", .string(subject))])
            } else if type == "EC" && bits < 224 {
                raise("weak_key.ec", "The server certificate has a \(bits)-bit EC key (under 224 bits).", handshake: handshake,
                      evidence: [("key_type", .string(type)), ("key_bits", .int(bits)), ("subject", .string(subject))])
            }
        }
        let seconds = now.seconds
        if let notAfter = leaf.notAfterEpoch, notAfter < seconds {
            raise("cert.expired", "The server certificate expired on \(leaf.notAfter ?? "?") before this connection.", handshake: handshake,
                  evidence: [("not_after", .string(leaf.notAfter ?? "")), ("subject", .string(subject))])
        }
        if let notBefore = leaf.notBeforeEpoch, notBefore > seconds {
            raise("cert.not_yet_valid", "The server certificate is valid only from \(leaf.notBefore ?? "?"), after this connection.", handshake: handshake,
                  evidence: [("not_before", .string(leaf.notBefore ?? "")), ("subject", .string(subject))])
        }
        if leaf.isSelfIssued {
            raise("cert.self_signed", "The server certificate is self-signed (subject equals issuer).", handshake: handshake,
                  evidence: [("subject", .string(subject))])
        }
        if let sni, !sni.isEmpty, !(leaf.subjectAlternativeNames.isEmpty && leaf.commonNames.isEmpty), !leaf.matches(hostname: sni) {
            raise("cert.sni_mismatch", "The client asked for \(sni) but the server certificate names neither it nor a matching wildcard.", handshake: handshake,
                  evidence: [("sni", .string(sni)), ("subject", .string(subject)), ("san", .strings(leaf.subjectAlternativeNames))])
        }
    }

    func keyExchangeFindings(_ exchange: ServerKeyExchange, handshake: Int) {
        if let bits = exchange.dhPrimeBits, bits < 2048 {
            raise("weak_key.dh", "The server's Diffie-Hellman group has a \(bits)-bit prime (under 2048 bits, Logjam).", handshake: handshake,
                  evidence: [("dh_bits", .int(bits))])
        }
        if let group = exchange.namedGroup, let bits = Connection.ellipticCurveBits[group], bits < 224 {
            raise("weak_key.ec", "The server chose the \(bits)-bit curve \(TLSRegistry.groupName(group) ?? String(group)) (under 224 bits).", handshake: handshake,
                  evidence: [("group", .string(TLSRegistry.groupName(group) ?? String(group))), ("bits", .int(bits))])
        }
        if let bits = exchange.rsaModulusBits, bits < 2048 {
            raise("weak_key.rsa", "The server's export RSA key has \(bits) bits.", handshake: handshake, evidence: [("key_bits", .int(bits))])
        }
    }

    /// Field sizes of the small named curves (RFC 4492 registry); larger ones need no entry.
    static let ellipticCurveBits: [UInt16: Int] = [
        1: 163, 2: 163, 3: 163, 4: 193, 5: 193, 6: 233, 7: 233, 8: 239,
        15: 160, 16: 160, 17: 160, 18: 192, 19: 192, 20: 224, 21: 224,
    ]
}

