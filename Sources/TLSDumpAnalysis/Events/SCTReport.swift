import TLSDumpTLS

/// The signed certificate timestamps a server presented for its certificate,
/// from the three places RFC 6962 3.3 allows. Signatures are not verified
/// (that needs the logs' keys); the log ids say which logs signed.
public struct SCTReport: Sendable {
    public enum Source: String, Sendable {
        /// Embedded in the leaf certificate (X.509 extension 1.3.6.1.4.1.11129.2.4.2).
        case certificate
        /// The TLS extension signed_certificate_timestamp (ServerHello, EncryptedExtensions, or the leaf's CertificateEntry).
        case tlsExtension = "tls_extension"
        /// The stapled OCSP response's extension 1.3.6.1.4.1.11129.2.4.5.
        case ocsp
    }

    public struct Entry: Sendable, Equatable {
        public var source: Source
        public var sct: SignedCertificateTimestamp
    }

    /// In the order met, at most `maxEntries`; the same SCT from the same
    /// source (a renegotiation repeating the certificate) is listed once.
    public private(set) var entries: [Entry] = []
    /// SCTs presented (more than `entries.count` when capped).
    public private(set) var count = 0
    /// The sources that carried any, in the order met.
    public private(set) var sources: [Source] = []

    public static let maxEntries = 32

    init() {}

    mutating func add(_ list: SignedCertificateTimestampList, from source: Source) {
        if list.count > 0 && !sources.contains(source) { sources.append(source) }
        for sct in list.entries {
            let entry = Entry(source: source, sct: sct)
            if entries.contains(entry) { continue }
            count += 1
            if entries.count < Self.maxEntries { entries.append(entry) }
        }
        // Entries past the list's own cap were not read, so cannot be told apart: count them.
        count += list.count - list.entries.count
    }
}
