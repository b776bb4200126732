import TLSDumpTLS

/// One certificate of a Certificate message: its bytes, and our own summary
/// of them (names, digests and the signature algorithm come from there, so
/// the verdict names certificates as the `certificate` event does).
public struct PresentedCertificate: Sendable {
    public var der: [UInt8]
    public var summary: CertificateSummary

    public init(der: [UInt8], summary: CertificateSummary) {
        self.der = der
        self.summary = summary
    }
}
