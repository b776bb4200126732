import TLSDumpBase
import TLSDumpTLS

/// Old protocol versions, compression and weak cipher suites.
enum ProtocolRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        switch fact {
        case .negotiated(let version, let suite, let compression, let handshake):
            versionFindings(version, handshake: handshake, &findings)
            if compression != 0 {
                findings.raise(.compressionEnabled, "TLS compression was negotiated (method \(TLSRegistry.compressionMethodName(compression) ?? String(compression))), which exposes secrets to CRIME.",
                               handshake: handshake, evidence: .compression(method: compression))
            }
            guard let suite, let info = CipherSuiteRegistry.info(suite) else { return }
            suiteFindings(name: info.name, cipher: info.cipher, mac: info.mac, export: info.isExport,
                          anonymous: info.authentication == .anonymous, handshake: handshake, &findings)
        case .sslv2CipherChosen(let kind, let handshake):
            // SSLv2 cipher kinds (draft-hickman); every SSLv2 kind uses MD5.
            let name = TLSRegistry.sslv2CipherKindName(kind) ?? hexNumber(kind, digits: 6)
            let cipher: BulkCipher
            switch kind {
            case 0x010080, 0x020080: cipher = .rc4_128
            case 0x060040: cipher = .des
            case 0x0700c0: cipher = .tripleDES
            default: cipher = .unknown
            }
            let export = kind == 0x020080 || kind == 0x040080
            suiteFindings(name: name, cipher: cipher, mac: .md5, export: export, anonymous: false, handshake: handshake, &findings)
        default:
            break
        }
    }

    private static func versionFindings(_ version: UInt16, handshake: Int, _ findings: inout FindingLog) {
        let name = TLSRegistry.versionName(version)
        switch version {
        case ProtocolVersion.sslv2:
            findings.raise(.oldProtocolSSLv2, "SSL 2.0 was negotiated; it is broken and prohibited (RFC 6176).", handshake: handshake, evidence: .version(name: name))
        case ProtocolVersion.sslv3:
            findings.raise(.oldProtocolSSLv3, "SSL 3.0 was negotiated; it is broken (POODLE) and prohibited (RFC 7568).", handshake: handshake, evidence: .version(name: name))
        case ProtocolVersion.tls10:
            findings.raise(.oldProtocolTLS10, "TLS 1.0 was negotiated; it is deprecated (RFC 8996).", handshake: handshake, evidence: .version(name: name))
        case ProtocolVersion.tls11:
            findings.raise(.oldProtocolTLS11, "TLS 1.1 was negotiated; it is deprecated (RFC 8996).", handshake: handshake, evidence: .version(name: name))
        default:
            break
        }
    }

    private static func suiteFindings(name: String, cipher: BulkCipher, mac: MACAlgorithm, export: Bool, anonymous: Bool,
                                      handshake: Int, _ findings: inout FindingLog) {
        let evidence = Evidence.cipherSuite(name: name)
        switch cipher {
        case .rc4_40, .rc4_56, .rc4_128:
            findings.raise(.weakCipherRC4, "The negotiated suite \(name) uses RC4, which is broken (RFC 7465).", handshake: handshake, evidence: evidence)
        case .null:
            findings.raise(.weakCipherNull, "The negotiated suite \(name) does not encrypt at all.", handshake: handshake, evidence: evidence)
        case .des, .des40:
            findings.raise(.weakCipherDES, "The negotiated suite \(name) uses single DES (56-bit key or less).", handshake: handshake, evidence: evidence)
        case .tripleDES:
            findings.raise(.weakCipher3DES, "The negotiated suite \(name) uses 3DES, a 64-bit block cipher open to Sweet32.", handshake: handshake, evidence: evidence)
        default:
            break
        }
        if export {
            findings.raise(.weakCipherExport, "The negotiated suite \(name) is an export suite with deliberately weakened keys.", handshake: handshake, evidence: evidence)
        }
        if anonymous {
            findings.raise(.weakCipherAnonymous, "The negotiated suite \(name) has no server authentication (anonymous key exchange).", handshake: handshake, evidence: evidence)
        }
        if mac == .md5 {
            findings.raise(.weakMACMD5, "The negotiated suite \(name) authenticates records with HMAC-MD5.", handshake: handshake, evidence: evidence)
        }
    }
}
