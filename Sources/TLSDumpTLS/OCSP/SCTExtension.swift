import TLSDumpBase

/// The SCT list as X.509 and OCSP extensions carry it (RFC 6962 3.3): the
/// extnValue OCTET STRING holds a DER OCTET STRING whose content is the
/// TLS-encoded SignedCertificateTimestampList.
enum SCTExtension {
    /// 1.3.6.1.4.1.11129.2.4.2, in a certificate.
    static let certificateContent: [UInt8] = [0x2B, 0x06, 0x01, 0x04, 0x01, 0xD6, 0x79, 0x02, 0x04, 0x02]
    /// 1.3.6.1.4.1.11129.2.4.5, in an OCSP SingleResponse.
    static let ocspContent: [UInt8] = [0x2B, 0x06, 0x01, 0x04, 0x01, 0xD6, 0x79, 0x02, 0x04, 0x05]

    static func list(_ bytes: [UInt8], _ extnValue: X509DERElement) throws(X509ParseFailure) -> SignedCertificateTimestampList {
        var wrapper = X509DERReader(bytes: bytes, contentOf: extnValue)
        let octets = try wrapper.read(expecting: X509DERTag.octetString, "SignedCertificateTimestampList")
        guard wrapper.isAtEnd else { throw X509ParseFailure("bytes after the SCT list") }
        do throws(ParseError) {
            return try SignedCertificateTimestampList.parse(Array(bytes[octets.content]))
        } catch {
            switch error {
            case .malformed(let message): throw X509ParseFailure("SCT list: \(message)")
            case .needMoreBytes: throw X509ParseFailure("SCT list: truncated")
            }
        }
    }
}
