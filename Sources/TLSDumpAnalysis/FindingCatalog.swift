/// Every finding id tlsdump can report, with its severity: one table, the
/// contract's (docs/events.md, "Finding ids"). Messages are built where the
/// finding is raised, because they name the specifics.
public enum FindingCatalog {
    public static let severities: [String: Severity] = [
        "weak_cipher.rc4": .high,
        "weak_cipher.null": .high,
        "weak_cipher.export": .high,
        "weak_cipher.des": .high,
        "weak_cipher.3des": .medium,
        "weak_cipher.anon": .high,
        "weak_mac.md5": .medium,
        "old_protocol.sslv2": .high,
        "old_protocol.sslv3": .high,
        "old_protocol.tls1.0": .medium,
        "old_protocol.tls1.1": .medium,
        "weak_key.rsa": .medium,
        "weak_key.dh": .medium,
        "weak_key.ec": .medium,
        "renegotiation.server_initiated": .info,
        "renegotiation.client_initiated": .low,
        "renegotiation.insecure": .high,
        "renegotiation.refused": .medium,
        "renegotiation.failed": .medium,
        "client_auth.via_renegotiation": .medium,
        "client_auth.post_handshake": .info,
        "client_auth.no_certificate": .medium,
        "cert.expired": .medium,
        "cert.not_yet_valid": .medium,
        "cert.self_signed": .low,
        "cert.sni_mismatch": .low,
        "compression.enabled": .high,
        "handshake.failed": .medium,
        "stream.gap": .low,
        "not_tls": .info,
        "tls.malformed": .low,
        "decryption_error": .low,
        "decryption_unsupported": .info,
    ]

    public static func severity(of id: String) -> Severity {
        severities[id] ?? .info
    }
}
