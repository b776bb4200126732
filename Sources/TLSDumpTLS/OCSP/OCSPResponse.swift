import TLSDumpBase

/// An OCSP response (RFC 6960 4.2.1) as a server staples it: the responder's
/// answer status and, when successful, the basic response. Read with the
/// bounds-checked DER walker of the X.509 code; the responder's signature is
/// not verified (tlsdump is passive and has no trust store), only reported.
public struct OCSPResponse: Sendable, Equatable {
    public var status: OCSPResponseStatus
    /// The responseType OID when it is not id-pkix-ocsp-basic (then `basic` is nil).
    public var otherResponseType: String?
    public var basic: BasicOCSPResponse?

    /// A stapled response is a few kilobytes; one over this is not read.
    public static let maxLength = 1 << 16

    //   OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED,
    //       responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
    //   ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
    public static func parse(der bytes: [UInt8]) throws(ParseError) -> OCSPResponse {
        guard bytes.count <= maxLength else { throw .malformed("OCSP response of \(bytes.count) bytes (over \(maxLength))") }
        do throws(X509ParseFailure) {
            var top = X509DERReader(bytes)
            let outer = try top.read(expecting: X509DERTag.sequence, "OCSPResponse")
            guard top.isAtEnd else { throw X509ParseFailure("bytes after the OCSPResponse") }
            var fields = top.children(of: outer)
            let statusElement = try fields.read(expecting: enumerated, "responseStatus")
            guard let value = X509DERValue.smallInteger(bytes, statusElement.content) else {
                throw X509ParseFailure("responseStatus is not a small non-negative value")
            }
            var response = OCSPResponse(status: OCSPResponseStatus(value), otherResponseType: nil, basic: nil)
            guard let wrapper = try fields.readIfPresent(X509DERTag.contextConstructed(0)) else {
                // A successful response must carry its bytes; the others carry none.
                if response.status == .successful { throw X509ParseFailure("successful response without responseBytes") }
                return response
            }
            var inner = fields.children(of: wrapper)
            let responseBytes = try inner.read(expecting: X509DERTag.sequence, "ResponseBytes")
            var parts = inner.children(of: responseBytes)
            let type = try parts.read(expecting: X509DERTag.objectIdentifier, "responseType")
            let octets = try parts.read(expecting: X509DERTag.octetString, "response")
            if bytes[type.content].elementsEqual(basicResponseType) {
                response.basic = try BasicOCSPResponse.parse(bytes, octets)
            } else {
                response.otherResponseType = X509DERValue.objectIdentifier(bytes, type.content) ?? "malformed OID"
            }
            return response
        } catch {
            throw .malformed(error.message)
        }
    }

    /// The SingleResponse for `serial` (uppercase hex, as `CertificateSummary.serial`),
    /// else the first one: a response lists the staple's certificate first.
    public func singleResponse(forSerial serial: String?) -> OCSPSingleResponse? {
        guard let responses = basic?.responses else { return nil }
        if let serial, let exact = responses.first(where: { $0.certID.serial == serial }) { return exact }
        return responses.first
    }

    static let enumerated: UInt8 = 0x0A
    /// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1, content octets.
    static let basicResponseType: [UInt8] = [0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]
}
