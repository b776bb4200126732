import TLSDumpBase

/// BasicOCSPResponse (RFC 6960 4.2.1): who answered, when, and the answers.
public struct BasicOCSPResponse: Sendable, Equatable {
    public var responder: OCSPResponderID
    public var producedAt: OCSPTime
    /// The SingleResponses read, at most `maxResponses`.
    public var responses: [OCSPSingleResponse]
    /// How many the response held.
    public var responseCount: Int
    /// The signature algorithm (OpenSSL's name, or the dotted OID); the signature itself is not checked.
    public var signatureAlgorithm: String
    /// Certificates the responder included (a delegated responder's own).
    public var certificateCount: Int

    /// A staple answers for one certificate, a few at most.
    public static let maxResponses = 16

    //   BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData,
    //       signatureAlgorithm AlgorithmIdentifier, signature BIT STRING,
    //       certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
    //   ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
    //       responderID ResponderID, producedAt GeneralizedTime,
    //       responses SEQUENCE OF SingleResponse,
    //       responseExtensions [1] EXPLICIT Extensions OPTIONAL }
    static func parse(_ bytes: [UInt8], _ octets: X509DERElement) throws(X509ParseFailure) -> BasicOCSPResponse {
        var wrapper = X509DERReader(bytes: bytes, contentOf: octets)
        let basic = try wrapper.read(expecting: X509DERTag.sequence, "BasicOCSPResponse")
        guard wrapper.isAtEnd else { throw X509ParseFailure("bytes after the BasicOCSPResponse") }
        var fields = wrapper.children(of: basic)
        let tbs = try fields.read(expecting: X509DERTag.sequence, "tbsResponseData")
        var data = fields.children(of: tbs)
        _ = try data.readIfPresent(X509DERTag.contextConstructed(0))
        let responder = try readResponder(bytes, &data)
        let producedElement = try data.read(expecting: X509DERTag.generalizedTime, "producedAt")
        guard let produced = X509Time.parse(tag: producedElement.identifier, bytes, producedElement.content) else {
            throw X509ParseFailure("invalid producedAt time")
        }
        let list = try data.read(expecting: X509DERTag.sequence, "responses")
        var items = data.children(of: list)
        var responses: [OCSPSingleResponse] = []
        var count = 0
        while !items.isAtEnd {
            let item = try items.read(expecting: X509DERTag.sequence, "SingleResponse")
            count += 1
            if responses.count < maxResponses { responses.append(try OCSPSingleResponse.parse(bytes, item)) }
        }
        // responseExtensions (a nonce, rarely in a staple) are not reported.

        let algorithm = try fields.read(expecting: X509DERTag.sequence, "signatureAlgorithm")
        var algorithmFields = fields.children(of: algorithm)
        let oid = try algorithmFields.read(expecting: X509DERTag.objectIdentifier, "algorithm")
        let dotted = X509DERValue.objectIdentifier(bytes, oid.content) ?? "malformed OID"
        _ = try fields.read(expecting: X509DERTag.bitString, "signature")
        var certificates = 0
        if let certs = try fields.readIfPresent(X509DERTag.contextConstructed(0)) {
            var inner = fields.children(of: certs)
            let sequence = try inner.read(expecting: X509DERTag.sequence, "certs")
            var list = inner.children(of: sequence)
            while !list.isAtEnd {
                _ = try list.read(expecting: X509DERTag.sequence, "certificate")
                certificates += 1
            }
        }
        return BasicOCSPResponse(responder: responder, producedAt: OCSPTime(epochSeconds: produced.epochSeconds, rfc3339: produced.rfc3339),
                                 responses: responses, responseCount: count,
                                 signatureAlgorithm: X509OIDTables.signatureAlgorithms[dotted] ?? dotted,
                                 certificateCount: certificates)
    }

    //   ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }  (EXPLICIT tags)
    //   KeyHash ::= OCTET STRING
    private static func readResponder(_ bytes: [UInt8], _ data: inout X509DERReader) throws(X509ParseFailure) -> OCSPResponderID {
        let choice = try data.read()
        var inner = data.children(of: choice)
        switch choice.identifier {
        case X509DERTag.contextConstructed(1):
            let name = try inner.read(expecting: X509DERTag.sequence, "responder Name")
            return .name(try X509DistinguishedNameFormatter.format(bytes, name: name).text)
        case X509DERTag.contextConstructed(2):
            let key = try inner.read(expecting: X509DERTag.octetString, "responder KeyHash")
            return .keyHash(X509Hex.string(bytes[key.content], uppercase: false))
        default:
            throw X509ParseFailure("unexpected tag 0x\(X509Hex.byte(choice.identifier)) for responderID")
        }
    }
}
