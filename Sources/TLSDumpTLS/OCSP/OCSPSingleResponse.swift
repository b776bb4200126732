import TLSDumpBase

/// One certificate's answer in an OCSP response (RFC 6960 4.2.1 SingleResponse).
public struct OCSPSingleResponse: Sendable, Equatable {
    public var certID: OCSPCertID
    public var status: OCSPCertStatus
    public var thisUpdate: OCSPTime
    /// nil: the responder promises nothing about newer information.
    public var nextUpdate: OCSPTime?
    /// SCTs in the singleExtensions (1.3.6.1.4.1.11129.2.4.5), nil when absent.
    public var signedCertificateTimestamps: SignedCertificateTimestampList?

    //   SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus,
    //       thisUpdate GeneralizedTime, nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL,
    //       singleExtensions [1] EXPLICIT Extensions OPTIONAL }
    static func parse(_ bytes: [UInt8], _ element: X509DERElement) throws(X509ParseFailure) -> OCSPSingleResponse {
        var fields = X509DERReader(bytes: bytes, contentOf: element)
        let certID = try readCertID(bytes, try fields.read(expecting: X509DERTag.sequence, "certID"))
        let status = try readStatus(bytes, try fields.read())
        let thisUpdate = try time(bytes, try fields.read(), "thisUpdate")
        var nextUpdate: OCSPTime?
        if let wrapper = try fields.readIfPresent(X509DERTag.contextConstructed(0)) {
            var inner = fields.children(of: wrapper)
            nextUpdate = try time(bytes, try inner.read(), "nextUpdate")
        }
        var scts: SignedCertificateTimestampList?
        if let wrapper = try fields.readIfPresent(X509DERTag.contextConstructed(1)) {
            scts = try readExtensions(bytes, wrapper)
        }
        return OCSPSingleResponse(certID: certID, status: status, thisUpdate: thisUpdate, nextUpdate: nextUpdate,
                                  signedCertificateTimestamps: scts)
    }

    //   CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
    //       issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
    private static func readCertID(_ bytes: [UInt8], _ element: X509DERElement) throws(X509ParseFailure) -> OCSPCertID {
        var fields = X509DERReader(bytes: bytes, contentOf: element)
        let algorithm = try fields.read(expecting: X509DERTag.sequence, "hashAlgorithm")
        var algorithmFields = fields.children(of: algorithm)
        let oid = try algorithmFields.read(expecting: X509DERTag.objectIdentifier, "hash algorithm")
        guard let dotted = X509DERValue.objectIdentifier(bytes, oid.content) else { throw X509ParseFailure("malformed hash algorithm OID") }
        let nameHash = try fields.read(expecting: X509DERTag.octetString, "issuerNameHash")
        let keyHash = try fields.read(expecting: X509DERTag.octetString, "issuerKeyHash")
        let serial = try fields.read(expecting: X509DERTag.integer, "serialNumber")
        return OCSPCertID(hashAlgorithm: .named(dottedOID: dotted), issuerNameHash: Array(bytes[nameHash.content]),
                          issuerKeyHash: Array(bytes[keyHash.content]), serial: X509SerialNumber.hex(bytes[serial.content]))
    }

    //   CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
    //       unknown [2] IMPLICIT UnknownInfo }
    //   RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
    //       revocationReason [0] EXPLICIT CRLReason OPTIONAL }
    private static func readStatus(_ bytes: [UInt8], _ element: X509DERElement) throws(X509ParseFailure) -> OCSPCertStatus {
        switch element.identifier {
        case X509DERTag.contextPrimitive(0):
            return .good
        case X509DERTag.contextPrimitive(2):
            return .unknown
        case X509DERTag.contextConstructed(1):
            var info = X509DERReader(bytes: bytes, contentOf: element)
            let revokedAt = try time(bytes, try info.read(), "revocationTime")
            var reason: CRLReason?
            if let wrapper = try info.readIfPresent(X509DERTag.contextConstructed(0)) {
                var inner = info.children(of: wrapper)
                let value = try inner.read(expecting: OCSPResponse.enumerated, "revocationReason")
                guard let number = X509DERValue.smallInteger(bytes, value.content) else {
                    throw X509ParseFailure("revocationReason is not a small non-negative value")
                }
                reason = CRLReason(number)
            }
            return .revoked(time: revokedAt, reason: reason)
        default:
            throw X509ParseFailure("unexpected tag 0x\(X509Hex.byte(element.identifier)) for certStatus")
        }
    }

    private static func time(_ bytes: [UInt8], _ element: X509DERElement, _ what: String) throws(X509ParseFailure) -> OCSPTime {
        guard let parsed = X509Time.parse(tag: element.identifier, bytes, element.content) else {
            throw X509ParseFailure("invalid \(what) time")
        }
        return OCSPTime(epochSeconds: parsed.epochSeconds, rfc3339: parsed.rfc3339)
    }

    /// The singleExtensions: only the SCT list is read.
    private static func readExtensions(_ bytes: [UInt8], _ wrapper: X509DERElement) throws(X509ParseFailure) -> SignedCertificateTimestampList? {
        var outer = X509DERReader(bytes: bytes, contentOf: wrapper)
        let list = try outer.read(expecting: X509DERTag.sequence, "singleExtensions")
        var extensions = outer.children(of: list)
        var found: SignedCertificateTimestampList?
        while !extensions.isAtEnd {
            let ext = try extensions.read(expecting: X509DERTag.sequence, "extension")
            var fields = extensions.children(of: ext)
            let id = try fields.read(expecting: X509DERTag.objectIdentifier, "extnID")
            _ = try fields.readIfPresent(X509DERTag.boolean)
            let value = try fields.read(expecting: X509DERTag.octetString, "extnValue")
            guard found == nil, bytes[id.content].elementsEqual(SCTExtension.ocspContent) else { continue }
            found = try SCTExtension.list(bytes, value)
        }
        return found
    }
}
