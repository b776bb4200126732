import TLSDumpBase

/// CertificateStatus (RFC 6066 8, RFC 6961 2.2): the stapled OCSP response(s).
/// TLS 1.2 sends it as handshake message 22; TLS 1.3 puts the same structure
/// in the status_request extension of a CertificateEntry (RFC 8446 4.4.2.1).
/// The DER is kept as bytes: `OCSPResponse.parse` reads it.
public struct CertificateStatusMessage: Sendable, Equatable {
    /// 1 ocsp, 2 ocsp_multi.
    public var statusType: UInt8
    /// The responses in order: one for `ocsp`; for `ocsp_multi`, one per chain
    /// certificate, the leaf's first, an empty one where the server had none.
    public var responses: [[UInt8]]
    /// Responses the message listed (more than `responses.count` when capped).
    public var responseCount: Int

    public static let ocsp: UInt8 = 1
    public static let ocspMulti: UInt8 = 2
    /// Only the leaf's response is reported; a few more are kept for counting sense.
    public static let maxResponses = 8

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> CertificateStatusMessage {
        var r = ByteReader(body)
        let type = try r.u8()
        var message = CertificateStatusMessage(statusType: type, responses: [], responseCount: 0)
        switch type {
        case ocsp:
            let response = try r.vector(lengthBytes: 3)
            guard response.remaining > 0 else { throw .malformed("empty OCSPResponse") }
            message.responses = [Array(response.bytes)]
            message.responseCount = 1
        case ocspMulti:
            var list = try r.vector(lengthBytes: 3)
            while !list.isAtEnd {
                let response = try list.vector(lengthBytes: 3)
                message.responseCount += 1
                if message.responses.count < maxResponses { message.responses.append(Array(response.bytes)) }
            }
        default:
            throw .malformed("unknown CertificateStatusType \(type)")
        }
        guard r.isAtEnd else { throw .malformed("bytes after the CertificateStatus") }
        return message
    }
}
