import TLSDumpTLS

/// What a server stapled to its certificate on one connection: the OCSP
/// response and the SCTs. Out of line (one pointer on the session): most
/// connections have neither.
final class StapledData {
    /// The first stapled response read (the one for the certificate the summary shows).
    var ocsp: OCSPReport?
    var scts = SCTReport()
    /// TLS 1.2: the ServerHello echoed status_request, so a CertificateStatus follows the Certificate.
    var statusPromised = false
    /// TLS 1.2: the leaf's CertID inputs, from the Certificate message to the CertificateStatus after it.
    var pendingIdentity: OCSPCertificateIdentity?
}
