/// Every finding tlsdump can report. The raw values are the contract's ids
/// (docs/events.md, "Finding ids"); each carries its severity, so a finding
/// cannot be raised under a misspelt id or without a severity.
public enum FindingID: String, Sendable, CaseIterable, Comparable {
    case weakCipherRC4 = "weak_cipher.rc4"
    case weakCipherNull = "weak_cipher.null"
    case weakCipherExport = "weak_cipher.export"
    case weakCipherDES = "weak_cipher.des"
    case weakCipher3DES = "weak_cipher.3des"
    case weakCipherAnonymous = "weak_cipher.anon"
    case weakMACMD5 = "weak_mac.md5"
    case oldProtocolSSLv2 = "old_protocol.sslv2"
    case oldProtocolSSLv3 = "old_protocol.sslv3"
    case oldProtocolTLS10 = "old_protocol.tls1.0"
    case oldProtocolTLS11 = "old_protocol.tls1.1"
    case weakKeyRSA = "weak_key.rsa"
    case weakKeyDH = "weak_key.dh"
    case weakKeyEC = "weak_key.ec"
    case renegotiationServerInitiated = "renegotiation.server_initiated"
    case renegotiationClientInitiated = "renegotiation.client_initiated"
    case renegotiationInsecure = "renegotiation.insecure"
    case renegotiationRefused = "renegotiation.refused"
    case renegotiationFailed = "renegotiation.failed"
    case clientAuthViaRenegotiation = "client_auth.via_renegotiation"
    case clientAuthPostHandshake = "client_auth.post_handshake"
    case clientAuthNoCertificate = "client_auth.no_certificate"
    case certExpired = "cert.expired"
    case certNotYetValid = "cert.not_yet_valid"
    case certSelfSigned = "cert.self_signed"
    case certSNIMismatch = "cert.sni_mismatch"
    case compressionEnabled = "compression.enabled"
    case handshakeFailed = "handshake.failed"
    case handshakeUnexpectedMessage = "handshake.unexpected_message"
    case streamGap = "stream.gap"
    case notTLS = "not_tls"
    case tlsMalformed = "tls.malformed"
    case decryptionError = "decryption_error"
    case decryptionUnsupported = "decryption_unsupported"
    case quicDecryptionFailed = "quic.decryption_failed"

    public var severity: Severity {
        switch self {
        case .weakCipherRC4, .weakCipherNull, .weakCipherExport, .weakCipherDES, .weakCipherAnonymous,
             .oldProtocolSSLv2, .oldProtocolSSLv3, .renegotiationInsecure, .compressionEnabled:
            .high
        case .weakCipher3DES, .weakMACMD5, .oldProtocolTLS10, .oldProtocolTLS11, .weakKeyRSA, .weakKeyDH, .weakKeyEC,
             .renegotiationRefused, .renegotiationFailed, .clientAuthViaRenegotiation, .clientAuthNoCertificate,
             .certExpired, .certNotYetValid, .handshakeFailed:
            .medium
        case .renegotiationClientInitiated, .certSelfSigned, .certSNIMismatch, .streamGap, .tlsMalformed, .decryptionError,
             .handshakeUnexpectedMessage, .quicDecryptionFailed:
            .low
        case .renegotiationServerInitiated, .clientAuthPostHandshake, .notTLS, .decryptionUnsupported:
            .info
        }
    }

    /// A bit of its own, for a per-connection set in one word.
    var bit: UInt64 { 1 << UInt64(Self.ordinals[self] ?? 63) }

    private static let ordinals: [FindingID: Int] = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    public static func < (a: FindingID, b: FindingID) -> Bool { a.rawValue < b.rawValue }
}

extension FindingID: CustomStringConvertible {
    /// The contract's id, wherever an id is written as text.
    public var description: String { rawValue }
}
