import TLSDumpBase
import TLSDumpTLS

/// The stapled OCSP response of a connection, as read: the verdict on the
/// server certificate (`status`), when the responder said it, and whether
/// the response is about that certificate at all (`match`). The responder's
/// signature is not verified: this is what the server presented.
public struct OCSPReport: Sendable {
    /// Where the response travelled.
    public enum Source: String, Sendable {
        /// TLS 1.2 and older: the CertificateStatus handshake message.
        case certificateStatus = "certificate_status"
        /// TLS 1.3: the status_request extension of the leaf's CertificateEntry.
        case certificateEntry = "certificate_entry"
    }

    public var handshake: Int
    public var source: Source
    /// The message was encrypted (TLS 1.3: it was then read decrypted).
    public var encrypted: Bool
    /// 2 for RFC 6961's ocsp_multi (one response per chain certificate); 1 otherwise.
    public var statusType: UInt8
    /// nil when the response did not parse (`problem` says why).
    public var responseStatus: OCSPResponseStatus?
    public var responder: OCSPResponderID?
    public var producedAt: OCSPTime?
    public var signatureAlgorithm: String?
    /// SingleResponses in the response; the reported one is the leaf's.
    public var responseCount: Int
    /// The leaf's SingleResponse (by serial, else the first).
    public var single: OCSPSingleResponse?
    public var match: OCSPMatch
    /// The serial of the certificate `match` compared with (the leaf's).
    public var certificateSerial: String?
    /// nextUpdate was before the capture time of the message.
    public var stale: Bool
    /// Why `status` is null: the response did not parse, the responder did not
    /// answer (`responseStatus` not successful), or it listed no certificate.
    public var problem: String?

    /// The verdict on the server certificate: good, revoked or unknown; nil when the response gave none.
    public var status: OCSPCertStatus? { single?.status }
    /// The certificate is revoked by its own stapled response.
    public var revoked: Bool {
        if case .revoked? = status { return true }
        return false
    }
}
