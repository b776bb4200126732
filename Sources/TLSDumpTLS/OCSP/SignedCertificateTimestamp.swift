import TLSDumpBase

/// One signed certificate timestamp (RFC 6962 3.2): a Certificate
/// Transparency log's promise to publish the certificate. tlsdump reads who
/// signed it and when; the signature is not checked (that needs the log's key).
public struct SignedCertificateTimestamp: Sendable, Equatable {
    /// 0 is v1; later versions are counted but not read further (RFC 6962 says not to).
    public var version: UInt8
    /// SHA-256 of the log's public key (32 bytes for v1; empty for other versions).
    public var logID: [UInt8]
    /// Milliseconds since the Unix epoch (v1 only).
    public var timestampMilliseconds: UInt64?

    public init(version: UInt8, logID: [UInt8], timestampMilliseconds: UInt64?) {
        self.version = version
        self.logID = logID
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The log id in standard base64, as CT log lists (log_list.json) name logs.
    public var logIDBase64: String? { logID.isEmpty ? nil : Base64.encode(logID) }

    /// RFC 3339 UTC with milliseconds ("2017-01-11T02:13:48.123Z"); nil past year 9999.
    public var timestampText: String? {
        guard let ms = timestampMilliseconds else { return nil }
        let seconds = ms / 1000
        guard seconds <= UInt64(RFC3339.maxEpochSeconds),
              let text = X509CivilDate.rfc3339(epochSeconds: Int64(seconds)) else { return nil }
        let millis = Int(ms % 1000)
        let fraction = String(millis + 1000).dropFirst()   // three digits, zero-padded
        return String(text.dropLast()) + "." + fraction + "Z"
    }

    /// One SerializedSCT body (the bytes inside its 2-byte length).
    static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> SignedCertificateTimestamp {
        var r = ByteReader(body)
        let version = try r.u8()
        guard version == 0 else {
            // An unknown version's layout is unknown: count it, read nothing more.
            return SignedCertificateTimestamp(version: version, logID: [], timestampMilliseconds: nil)
        }
        let logID = try r.array(32)
        let high = UInt64(try r.u32())
        let low = UInt64(try r.u32())
        _ = try r.vector(lengthBytes: 2)          // CtExtensions
        _ = try r.u8()                            // hash algorithm
        _ = try r.u8()                            // signature algorithm
        _ = try r.vector(lengthBytes: 2)          // signature
        guard r.isAtEnd else { throw .malformed("bytes after an SCT's signature") }
        return SignedCertificateTimestamp(version: version, logID: logID, timestampMilliseconds: high << 32 | low)
    }
}

/// A SignedCertificateTimestampList (RFC 6962 3.3), as the X.509 extension,
/// the TLS extension and the OCSP extension carry it.
public struct SignedCertificateTimestampList: Sendable, Equatable {
    /// The SCTs read, in list order, at most `maxEntries`.
    public var entries: [SignedCertificateTimestamp] = []
    /// How many the list held (more than `entries.count` when capped).
    public var count = 0

    /// Logs a certificate needs are two or three; a list of thousands is hostile.
    public static let maxEntries = 32

    public init() {}

    /// The list's bytes: a 2-byte total length, then 2-byte-length SerializedSCTs.
    /// An empty list is allowed (a server may send the extension empty in
    /// answer to the client's request).
    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> SignedCertificateTimestampList {
        var list = SignedCertificateTimestampList()
        var r = ByteReader(body)
        guard !r.isAtEnd else { return list }
        var items = try r.vector(lengthBytes: 2)
        guard r.isAtEnd else { throw .malformed("bytes after the SCT list") }
        while !items.isAtEnd {
            let item = try items.vector(lengthBytes: 2)
            list.count += 1
            guard list.entries.count < maxEntries else { continue }
            list.entries.append(try SignedCertificateTimestamp.parse(item.bytes))
        }
        return list
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> SignedCertificateTimestampList {
        // withUnsafeBytes cannot carry a typed throw: catch inside, rethrow outside.
        let result: Result<SignedCertificateTimestampList, ParseError> = bytes.withUnsafeBytes { buffer in
            do throws(ParseError) {
                return .success(try parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
