/// What tlsdump reports about one certificate of a chain (the `certificate`
/// event's chain elements). Built by `X509Summarizer.summarize(der:)`.
public struct CertificateSummary: Sendable, Equatable {
    /// RFC 4514 strings (see `X509DistinguishedNameFormatter` for the exact rules).
    public var subject: String?
    public var issuer: String?
    /// Uppercase hex of the serial's magnitude, `-` prefixed when negative ("00" for zero).
    public var serial: String?
    /// RFC 3339 UTC, e.g. "2011-12-20T13:38:39Z".
    public var notBefore: String?
    public var notAfter: String?
    /// Seconds since the Unix epoch, for validity findings.
    public var notBeforeEpoch: Int64?
    public var notAfterEpoch: Int64?
    /// "RSA", "EC", "DSA", "DH", "Ed25519", "Ed448", "X25519", "X448",
    /// "ML-DSA-44/65/87", or the dotted SPKI algorithm OID when unknown.
    public var keyType: String?
    /// RSA modulus bits, EC field bits, DSA/DH prime bits, EdDSA/XDH raw key bits.
    public var keyBits: Int?
    /// OpenSSL-style name ("sha256WithRSAEncryption", "ecdsa-with-SHA256",
    /// "rsassaPss", "ed25519", ...) or the dotted OID.
    public var signatureAlgorithm: String?
    /// DNS names, IP addresses, email addresses and URIs, plain values in certificate order.
    public var subjectAlternativeNames: [String]
    /// The DNS-name subset of the SAN (used for hostname matching).
    public var dnsNames: [String]
    /// subjectAltName entries past `X509Summarizer.maxAlternativeNames`,
    /// counted but not kept (a certificate may carry 10,000: memory follows
    /// open connections, and each would hold them all).
    public var omittedAlternativeNames = 0
    /// The IP-address subset of the SAN, formatted like `IPAddress.description`.
    public var ipAddresses: [String]
    /// Subject commonName values (decoded, unescaped).
    public var commonNames: [String]
    /// Lowercase hex SHA-256 of the DER bytes; always present.
    public var sha256: String
    /// Lowercase hex SHA-1 of the DER bytes (what Suricata and many blocklists key on); empty only in hand-made summaries.
    public var sha1: String = ""
    /// The SCTs embedded by the CA (extension 1.3.6.1.4.1.11129.2.4.2); nil when absent.
    public var signedCertificateTimestamps: SignedCertificateTimestampList?
    /// Subject and issuer Names are byte-identical.
    public var isSelfIssued: Bool
    /// Set when the DER could not be fully read; the fields read before the
    /// problem (or in independent parts of the certificate) are still filled.
    public var parseError: String?

    public init(
        subject: String? = nil, issuer: String? = nil, serial: String? = nil,
        notBefore: String? = nil, notAfter: String? = nil,
        notBeforeEpoch: Int64? = nil, notAfterEpoch: Int64? = nil,
        keyType: String? = nil, keyBits: Int? = nil, signatureAlgorithm: String? = nil,
        subjectAlternativeNames: [String] = [], dnsNames: [String] = [], ipAddresses: [String] = [],
        commonNames: [String] = [], sha256: String, isSelfIssued: Bool = false, parseError: String? = nil
    ) {
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.notBeforeEpoch = notBeforeEpoch
        self.notAfterEpoch = notAfterEpoch
        self.keyType = keyType
        self.keyBits = keyBits
        self.signatureAlgorithm = signatureAlgorithm
        self.subjectAlternativeNames = subjectAlternativeNames
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.commonNames = commonNames
        self.sha256 = sha256
        self.isSelfIssued = isSelfIssued
        self.parseError = parseError
    }

    /// Whether the certificate names `hostname` (e.g. the SNI).
    ///
    /// Reference identifiers are the SAN DNS names, or the subject CNs when the
    /// certificate has no DNS SAN (RFC 6125 6.4.4). Comparison is ASCII
    /// case-insensitive and ignores one trailing dot. A wildcard is honoured
    /// only as the complete left-most label (`*.example.com`, the RFC 9525 /
    /// CA/Browser Forum rule; partial labels like `f*.example.com` never
    /// match), matches exactly one non-empty label, and needs at least two
    /// labels after it (`*.com` matches nothing). An IP-literal hostname is
    /// compared with the SAN IP addresses only.
    public func matches(hostname: String) -> Bool {
        guard let host = X509HostnameMatcher.normalize(hostname), !host.isEmpty else { return false }
        if X509HostnameMatcher.looksLikeIPLiteral(host) {
            return ipAddresses.contains { $0.lowercased() == host }
        }
        let references = dnsNames.isEmpty ? commonNames : dnsNames
        return references.contains { X509HostnameMatcher.matches(pattern: $0, host: host) }
    }
}

enum X509HostnameMatcher {
    /// ASCII-lowercased, one trailing dot removed; nil when it has empty labels.
    static func normalize(_ name: String) -> String? {
        var bytes = Array(name.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        for i in bytes.indices where bytes[i] >= UInt8(ascii: "A") && bytes[i] <= UInt8(ascii: "Z") {
            bytes[i] |= 0x20
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.isEmpty { return text }
        // Reject "a..b", ".a": an empty label never matches anything.
        if text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return nil
        }
        return text
    }

    static func looksLikeIPLiteral(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let labels = host.utf8.split(separator: UInt8(ascii: "."))
        return labels.count == 4 && labels.allSatisfy { label in
            label.count <= 3 && label.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
    }

    /// `host` is already normalized.
    static func matches(pattern rawPattern: String, host: String) -> Bool {
        guard let pattern = normalize(rawPattern), !pattern.isEmpty else { return false }
        guard pattern.contains("*") else { return pattern == host }
        let patternLabels = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let hostLabels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard patternLabels.count >= 3, patternLabels.count == hostLabels.count,
              patternLabels[0] == "*", !hostLabels[0].isEmpty else { return false }
        // Only one wildcard, and only in the left-most label.
        guard !patternLabels.dropFirst().contains(where: { $0.contains("*") }) else { return false }
        return patternLabels.dropFirst().elementsEqual(hostLabels.dropFirst())
    }
}
