/// Where TLS starts after plaintext (STARTTLS, PostgreSQL's SSLRequest, a
/// proxy's CONNECT): a handshake record that opens with a ClientHello or a
/// ServerHello. Eleven bytes are checked, so that text or arbitrary binary
/// data does not pass for TLS by chance.
public enum HelloStart {
    /// Bytes needed to judge a position: the record header (5), the handshake
    /// header (4) and the hello's version (2).
    public static let windowSize = 11
    /// The smallest hello record body: a ServerHello without session id,
    /// compression or extensions (TLS 1.3 drafts) is 4 + 2 + 32 + 2 + 2 bytes.
    static let minimumRecordLength = 42
    static let minimumHelloLength = 38

    /// True when the `windowSize` bytes at `offset` open a hello record: content type 22,
    /// record version 0x0300-0x0304, a sane length, handshake type 1 or 2 with a length
    /// of at least a minimal hello, and a hello version of SSL 3.0 to TLS 1.3 or a
    /// TLS 1.3 draft or experiment (0x7fNN, 0x7eNN, 0xfbNN).
    /// The caller checks that `windowSize` bytes exist from `offset`.
    public static func matches(_ b: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard b[offset] == ContentType.handshake, b[offset + 1] == 3, b[offset + 2] <= 4 else { return false }
        let recordLength = Int(b[offset + 3]) << 8 | Int(b[offset + 4])
        guard recordLength >= minimumRecordLength, recordLength <= RecordHeader.maxLength else { return false }
        let type = b[offset + 5]
        guard type == 1 || type == 2 else { return false }
        // A hello is far below 2^16 bytes (a fragmented one may exceed its record).
        guard b[offset + 6] == 0 else { return false }
        let helloLength = Int(b[offset + 7]) << 8 | Int(b[offset + 8])
        guard helloLength >= minimumHelloLength else { return false }
        let major = b[offset + 9], minor = b[offset + 10]
        switch major {
        case 3: return minor <= 4
        case 0x7f, 0x7e, 0xfb: return true
        default: return false
        }
    }
}
