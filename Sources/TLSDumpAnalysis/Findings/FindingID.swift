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
    case renegotiationAbandoned = "renegotiation.abandoned"
    case renegotiationFailedAfterFinished = "renegotiation.failed_after_finished"
    case clientAuthViaRenegotiation = "client_auth.via_renegotiation"
    case clientAuthPostHandshake = "client_auth.post_handshake"
    case clientAuthNoCertificate = "client_auth.no_certificate"
    case certExpired = "cert.expired"
    case certNotYetValid = "cert.not_yet_valid"
    case certSelfSigned = "cert.self_signed"
    case certSNIMismatch = "cert.sni_mismatch"
    case certRevoked = "cert.revoked"
    case ocspMismatch = "ocsp.mismatch"
    case ocspStale = "ocsp.stale"
    case certUntrusted = "cert.untrusted"
    case certChainIncomplete = "cert.chain_incomplete"
    case certChainOrder = "cert.chain_order"
    case certWeakSignature = "cert.weak_signature"
    case certCompressionBomb = "cert.compression_bomb"
    case certCompressionInvalid = "cert.compression_invalid"
    case compressionEnabled = "compression.enabled"
    case handshakeFailed = "handshake.failed"
    case handshakeUnexpectedMessage = "handshake.unexpected_message"
    case streamGap = "stream.gap"
    case notTLS = "not_tls"
    case tlsMalformed = "tls.malformed"
    case tlsOversizedMessage = "tls.oversized_message"
    case decryptionError = "decryption_error"
    case decryptionUnsupported = "decryption_unsupported"
    case quicDecryptionFailed = "quic.decryption_failed"
    case kexPostQuantumNotSelected = "kex.post_quantum_not_selected"

    public var severity: Severity {
        switch self {
        case .weakCipherRC4, .weakCipherNull, .weakCipherExport, .weakCipherDES, .weakCipherAnonymous,
             .oldProtocolSSLv2, .oldProtocolSSLv3, .renegotiationInsecure, .compressionEnabled, .certRevoked:
            .high
        case .weakCipher3DES, .weakMACMD5, .oldProtocolTLS10, .oldProtocolTLS11, .weakKeyRSA, .weakKeyDH, .weakKeyEC,
             .renegotiationRefused, .renegotiationFailed, .renegotiationAbandoned, .renegotiationFailedAfterFinished, .clientAuthViaRenegotiation, .clientAuthNoCertificate,
             .certExpired, .certNotYetValid, .handshakeFailed, .ocspMismatch, .certUntrusted, .certChainIncomplete, .certWeakSignature, .certCompressionBomb:
            .medium
        case .renegotiationClientInitiated, .certSelfSigned, .certSNIMismatch, .certChainOrder, .streamGap, .tlsMalformed, .tlsOversizedMessage, .decryptionError,
             .handshakeUnexpectedMessage, .quicDecryptionFailed, .ocspStale, .certCompressionInvalid:
            .low
        case .renegotiationServerInitiated, .clientAuthPostHandshake, .notTLS, .decryptionUnsupported, .kexPostQuantumNotSelected:
            .info
        }
    }

    /// What to do about it, in one sentence (the HTML report prints it under the finding).
    public var remedy: String {
        switch self {
        case .weakCipherRC4: "Remove RC4 suites from the server's and clients' cipher lists (RFC 7465 forbids them)."
        case .weakCipherNull: "Remove NULL suites: the records travel unencrypted."
        case .weakCipherExport: "Remove export suites (FREAK, Logjam); no current client needs them."
        case .weakCipherDES: "Remove single-DES suites and prefer AES-GCM or ChaCha20-Poly1305."
        case .weakCipher3DES: "Remove 3DES suites (Sweet32) and prefer AES-GCM or ChaCha20-Poly1305."
        case .weakCipherAnonymous: "Remove anonymous (anon) suites: the server is not authenticated, so anyone in the path can impersonate it."
        case .weakMACMD5: "Prefer AEAD suites (AES-GCM, ChaCha20-Poly1305) over suites that authenticate records with HMAC-MD5."
        case .oldProtocolSSLv2: "Disable SSL 2.0 on the server and the clients."
        case .oldProtocolSSLv3: "Disable SSL 3.0 (POODLE); TLS 1.2 is the minimum to allow."
        case .oldProtocolTLS10: "Enable TLS 1.2 and 1.3 on both ends and disable TLS 1.0 (RFC 8996)."
        case .oldProtocolTLS11: "Enable TLS 1.2 and 1.3 on both ends and disable TLS 1.1 (RFC 8996)."
        case .weakKeyRSA: "Reissue the certificate with an RSA key of at least 2048 bits (or an ECDSA key)."
        case .weakKeyDH: "Configure Diffie-Hellman parameters of at least 2048 bits, or prefer ECDHE."
        case .weakKeyEC: "Use a curve of at least 256 bits (x25519, secp256r1 or larger)."
        case .renegotiationServerInitiated: "Check that the client supports renegotiation; request client certificates in the first handshake if it does not."
        case .renegotiationClientInitiated: "Refuse or rate-limit client-initiated renegotiation on the server unless an application needs it."
        case .renegotiationInsecure: "Upgrade both ends to support RFC 5746 secure renegotiation, or disable renegotiation."
        case .renegotiationRefused: "Avoid renegotiation with this peer: request the client certificate in the first handshake, or use TLS 1.3 post-handshake authentication."
        case .renegotiationFailed: "Read the alert and the renegotiation's messages; request the client certificate in the first handshake to avoid renegotiating."
        case .renegotiationAbandoned: "The client gave up the renegotiation by closing the connection (some clients, Chromium among them, do so at a CertificateRequest, pick a certificate and retry on a new connection); request the client certificate in the first handshake."
        case .renegotiationFailedAfterFinished: "The client ended the connection right after the renegotiation's Finished (GnuTLS clients do so when the server announced a session ticket and sent none): turn session tickets off on the server, or request the client certificate in the first handshake."
        case .clientAuthViaRenegotiation: "Request the client certificate in the first handshake (IIS: clientcertnegotiation=enable on the binding; Apache: SSLVerifyClient per virtual host)."
        case .clientAuthPostHandshake: "Check that the client supports TLS 1.3 post-handshake authentication, or request the certificate in the handshake."
        case .clientAuthNoCertificate: "Install a client certificate issued by one of the CAs the server lists, and configure the client to send it."
        case .certExpired: "Renew the server certificate and install the new one with its chain."
        case .certNotYetValid: "Check the server's clock and the certificate's validity dates; install a certificate valid now."
        case .certSelfSigned: "Use a certificate issued by a CA the clients trust, or distribute this one to them deliberately."
        case .certSNIMismatch: "Serve a certificate whose names cover the requested host name (SNI), or fix the name the client asks for."
        case .certRevoked: "Replace the server certificate now (its CA revoked it), and find out why: a compromised key must not be reused."
        case .ocspMismatch: "Fix the server's OCSP stapling configuration so it fetches the response for the certificate it serves (a stale file, or the wrong issuer)."
        case .ocspStale: "Check that the server refreshes its stapled OCSP response before nextUpdate (its responder fetch may be failing)."
        case .certUntrusted: "Use a certificate that chains to a root the clients trust, and check its signatures; a root removed from the stores since the capture reads as unknown too."
        case .certChainIncomplete: "Configure the server to send its intermediate certificates after the leaf (the full chain file), not the leaf alone."
        case .certChainOrder: "Send the chain in order: the leaf, then the certificate that issued it, and so on up to (not necessarily including) the root."
        case .certWeakSignature: "Reissue the certificate (and its intermediates) with SHA-256 or stronger signatures; SHA-1 and MD5 signatures can be forged."
        case .certCompressionBomb: "Find out what sent a CompressedCertificate that decompresses past its declared length or declares more than 256 KiB: no genuine TLS stack does, and receivers must refuse it."
        case .certCompressionInvalid: "Compare the peer's certificate compression (RFC 8879) with what its counterpart offered and accepts, or disable certificate compression on the sender."
        case .compressionEnabled: "Disable TLS compression on the server (CRIME)."
        case .handshakeFailed: "Read the alert: compare the versions, suites and certificates each side offered and accepts."
        case .handshakeUnexpectedMessage: "Compare both peers' TLS stacks and versions; a middlebox rewriting traffic can also cause it."
        case .streamGap: "Capture closer to an endpoint, with a larger buffer (-B) and snapshot length, so no bytes are lost."
        case .notTLS: "If this port should carry TLS, check the server's configuration; otherwise narrow the capture filter."
        case .tlsMalformed: "Check for a broken peer or a middlebox altering the stream; capture at the endpoint to compare."
        case .tlsOversizedMessage: "Nothing is wrong with the stream: the message is larger than tlsdump reads (1 MiB for certificates, 256 KiB otherwise, 64 MiB of large messages at once); its contents are unknown."
        case .decryptionError: "Check that the key log or RSA key belongs to this connection and capture."
        case .decryptionUnsupported: "Give a key log (SSLKEYLOGFILE) for this connection; an RSA key decrypts only RSA key exchange."
        case .quicDecryptionFailed: "Check that the key log belongs to this QUIC connection; packets lost from the capture also stay unreadable."
        case .kexPostQuantumNotSelected: "Enable a hybrid post-quantum group on the server (X25519MLKEM768: OpenSSL 3.5, BoringSSL, Go 1.24, nginx/Caddy with them) and prefer it, so recorded traffic cannot be decrypted later."
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
