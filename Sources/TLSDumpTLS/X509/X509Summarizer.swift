import Crypto
import TLSDumpBase

/// Summarizes DER certificates for the `certificate` event.
///
/// We walk the certificate with our own bounds-checked DER reader rather than
/// `X509.Certificate(derEncoded:)`: real captures carry certificates that
/// swift-certificates rejects (ML-DSA and other unknown algorithms, negative
/// serials, T61String names, v1 certificates, tiny RSA keys, BER leftovers),
/// and a single lenient path gives identical formatting for every
/// certificate. Each independent part (names, validity, key, extensions) is
/// read separately, so one malformed part still leaves the others filled;
/// the first problem met is reported in `parseError`.
public enum X509Summarizer {
    public static func summarize(der: [UInt8]) -> CertificateSummary {
        var walker = CertificateWalker(bytes: der)
        walker.walk()
        return walker.summary
    }

    /// RFC 4514 text of a DER `Name` (CertificateRequest certificate_authorities),
    /// or nil when it is not a well-formed Name.
    public static func distinguishedName(der: [UInt8]) -> String? {
        var reader = X509DERReader(der)
        do {
            let name = try reader.read(expecting: X509DERTag.sequence, "name")
            guard reader.isAtEnd else { return nil }
            return try X509DistinguishedNameFormatter.format(der, name: name).text
        } catch {
            return nil
        }
    }
}

/// One pass over Certificate / TBSCertificate, filling a summary as it goes.
private struct CertificateWalker {
    let bytes: [UInt8]
    var summary: CertificateSummary

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.summary = CertificateSummary(sha256: X509Hex.string(SHA256.hash(data: bytes), uppercase: false))
        summary.sha1 = X509Hex.string(Insecure.SHA1.hash(data: bytes), uppercase: false)
    }

    /// Keeps the first problem: later ones are usually consequences.
    mutating func note(_ problem: String) {
        if summary.parseError == nil { summary.parseError = problem }
    }

    mutating func walk() {
        do {
            try walkCertificate()
        } catch {
            note(error.message)
        }
    }

    //   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
    mutating func walkCertificate() throws(X509ParseFailure) {
        var top = X509DERReader(bytes)
        let certificate = try top.read(expecting: X509DERTag.sequence, "certificate", allowingTruncation: true)
        if certificate.isTruncated { note("truncated certificate") }
        if !top.isAtEnd { note("trailing bytes after certificate") }

        var body = top.children(of: certificate)
        let tbs = try body.read(expecting: X509DERTag.sequence, "tbsCertificate", allowingTruncation: true)
        try walkTBSCertificate(tbs)

        // The outer signatureAlgorithm is the one actually used; the TBS copy
        // (already recorded) stands in when the certificate is cut short.
        let algorithm = try body.read(expecting: X509DERTag.sequence, "signatureAlgorithm")
        summary.signatureAlgorithm = try signatureAlgorithmName(algorithm)
        _ = try body.read(expecting: X509DERTag.bitString, "signatureValue")
        if !body.isAtEnd { note("unexpected data after signatureValue") }
    }

    //   TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber,
    //       signature, issuer, validity, subject, subjectPublicKeyInfo,
    //       issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT OPTIONAL,
    //       extensions [3] EXPLICIT OPTIONAL }
    mutating func walkTBSCertificate(_ tbs: X509DERElement) throws(X509ParseFailure) {
        var fields = X509DERReader(bytes: bytes, contentOf: tbs)
        _ = try fields.readIfPresent(X509DERTag.contextConstructed(0))

        let serial = try fields.read(expecting: X509DERTag.integer, "serialNumber")
        summary.serial = X509SerialNumber.hex(bytes[serial.content])

        let signature = try fields.read(expecting: X509DERTag.sequence, "signature")
        summary.signatureAlgorithm = try signatureAlgorithmName(signature)

        let issuer = try fields.read(expecting: X509DERTag.sequence, "issuer")
        do {
            summary.issuer = try X509DistinguishedNameFormatter.format(bytes, name: issuer).text
        } catch {
            note("issuer: \(error.message)")
        }

        let validity = try fields.read(expecting: X509DERTag.sequence, "validity")
        readValidity(validity)

        let subject = try fields.read(expecting: X509DERTag.sequence, "subject")
        do {
            let name = try X509DistinguishedNameFormatter.format(bytes, name: subject)
            summary.subject = name.text
            summary.commonNames = name.commonNames
        } catch {
            note("subject: \(error.message)")
        }
        summary.isSelfIssued = bytes[issuer.encoded].elementsEqual(bytes[subject.encoded])

        let spki = try fields.read(expecting: X509DERTag.sequence, "subjectPublicKeyInfo")
        do {
            try readPublicKey(spki)
        } catch {
            note("subjectPublicKeyInfo: \(error.message)")
        }

        while !fields.isAtEnd {
            let element = try fields.read()
            if element.identifier == X509DERTag.contextConstructed(3) {
                do {
                    try readExtensions(element)
                } catch {
                    note("extensions: \(error.message)")
                }
            }
        }
        if tbs.isTruncated { throw X509ParseFailure("truncated tbsCertificate") }
    }

    // MARK: Algorithms

    /// The algorithm OID's content range (well-formed) and the parameters, if any.
    func algorithmOID(_ algorithmIdentifier: X509DERElement) throws(X509ParseFailure) -> (oid: Range<Int>, parameters: X509DERElement?) {
        var fields = X509DERReader(bytes: bytes, contentOf: algorithmIdentifier)
        let oidElement = try fields.read(expecting: X509DERTag.objectIdentifier, "algorithm")
        guard X509DERValue.isWellFormedOID(bytes, oidElement.content) else {
            throw X509ParseFailure("malformed algorithm OID")
        }
        let parameters = fields.isAtEnd ? nil : try fields.read()
        return (oidElement.content, parameters)
    }

    func signatureAlgorithmName(_ algorithmIdentifier: X509DERElement) throws(X509ParseFailure) -> String {
        let oid = try algorithmOID(algorithmIdentifier).oid
        let found = lookup(oid, X509OIDTables.signatureAlgorithmsByContent, X509OIDTables.signatureAlgorithms)
        return found.value ?? found.dotted
    }

    /// A table value for the well-formed OID at `range`: by its bytes, else (unlisted
    /// or non-minimal encoding) by its dotted text, which is then returned too.
    func lookup<Value>(_ range: Range<Int>, _ byContent: [ArraySlice<UInt8>: Value],
                       _ byDotted: [String: Value]) -> (value: Value?, dotted: String) {
        if let value = byContent[bytes[range]] { return (value, "") }
        let dotted = X509DERValue.objectIdentifier(bytes, range) ?? ""
        return (byDotted[dotted], dotted)
    }

    /// Whether the OID at `range` reads as `dotted` (whose minimal encoding is `content`).
    func oidEquals(_ range: Range<Int>, content: [UInt8], dotted: String) -> Bool {
        if bytes[range].elementsEqual(content) { return true }
        // Without a 0x80 octet every arc is minimally encoded, so other bytes mean another OID.
        guard bytes[range].contains(0x80) else { return false }
        return X509DERValue.objectIdentifier(bytes, range) == dotted
    }

    // MARK: Validity

    mutating func readValidity(_ validity: X509DERElement) {
        var times = X509DERReader(bytes: bytes, contentOf: validity)
        do {
            let notBefore = try times.read()
            if let time = X509Time.parse(tag: notBefore.identifier, bytes, notBefore.content) {
                summary.notBefore = time.rfc3339
                summary.notBeforeEpoch = time.epochSeconds
            } else {
                note("invalid notBefore time")
            }
            let notAfter = try times.read()
            if let time = X509Time.parse(tag: notAfter.identifier, bytes, notAfter.content) {
                summary.notAfter = time.rfc3339
                summary.notAfterEpoch = time.epochSeconds
            } else {
                note("invalid notAfter time")
            }
        } catch {
            note("validity: \(error.message)")
        }
    }

    // MARK: Public key

    //   SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
    mutating func readPublicKey(_ spki: X509DERElement) throws(X509ParseFailure) {
        var fields = X509DERReader(bytes: bytes, contentOf: spki)
        let algorithm = try fields.read(expecting: X509DERTag.sequence, "algorithm")
        let (oid, parameters) = try algorithmOID(algorithm)
        let found = lookup(oid, X509OIDTables.keyAlgorithmsByContent, X509OIDTables.keyAlgorithms)
        guard let known = found.value else {
            summary.keyType = found.dotted
            return
        }
        summary.keyType = known.name
        let key = try fields.read(expecting: X509DERTag.bitString, "subjectPublicKey")
        // BIT STRING content: one "unused bits" octet, then the key octets.
        guard key.contentLength >= 1 else { throw X509ParseFailure("empty public key") }
        let keyBytes = (key.contentStart + 1)..<key.end

        switch known.bits {
        case .rsaModulus:
            //   RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
            var rsa = X509DERReader(bytes: bytes, range: keyBytes)
            let sequence = try rsa.read(expecting: X509DERTag.sequence, "RSAPublicKey")
            var numbers = rsa.children(of: sequence)
            let modulus = try numbers.read(expecting: X509DERTag.integer, "modulus")
            summary.keyBits = X509DERValue.unsignedBitLength(bytes, modulus.content)
        case .ellipticCurve:
            summary.keyBits = try curveBits(parameters)
        case .domainPrime:
            // DSA Dss-Parms / DH DomainParameters both start with the prime p.
            // Absent parameters (inherited from the issuer) leave the size unknown.
            guard let parameters, parameters.identifier == X509DERTag.sequence else { return }
            var numbers = X509DERReader(bytes: bytes, contentOf: parameters)
            let p = try numbers.read(expecting: X509DERTag.integer, "prime p")
            summary.keyBits = X509DERValue.unsignedBitLength(bytes, p.content)
        case .rawKeyLength:
            summary.keyBits = keyBytes.count * 8
        case .unknown:
            break
        }
    }

    /// Field size of a named curve, or of an explicit curve's prime / binary field.
    func curveBits(_ parameters: X509DERElement?) throws(X509ParseFailure) -> Int? {
        guard let parameters else { return nil }
        switch parameters.identifier {
        case X509DERTag.objectIdentifier:
            guard X509DERValue.isWellFormedOID(bytes, parameters.content) else {
                throw X509ParseFailure("malformed curve OID")
            }
            return lookup(parameters.content, X509OIDTables.curveBitsByContent, X509OIDTables.curveBits).value
        case X509DERTag.sequence:
            //   ECParameters ::= SEQUENCE { version, fieldID FieldID, curve, base, order, cofactor OPTIONAL }
            //   FieldID ::= SEQUENCE { fieldType OID, parameters ANY }
            //   prime field: parameters = p INTEGER; binary field: SEQUENCE { m INTEGER, ... }
            var ecParameters = X509DERReader(bytes: bytes, contentOf: parameters)
            _ = try ecParameters.read(expecting: X509DERTag.integer, "ECParameters version")
            let fieldID = try ecParameters.read(expecting: X509DERTag.sequence, "fieldID")
            var field = X509DERReader(bytes: bytes, contentOf: fieldID)
            let fieldType = try field.read(expecting: X509DERTag.objectIdentifier, "fieldType")
            if oidEquals(fieldType.content, content: X509OIDTables.primeFieldContent, dotted: X509OIDTables.primeFieldOID) {
                let p = try field.read(expecting: X509DERTag.integer, "field prime")
                return X509DERValue.unsignedBitLength(bytes, p.content)
            }
            if oidEquals(fieldType.content, content: X509OIDTables.characteristicTwoFieldContent,
                         dotted: X509OIDTables.characteristicTwoFieldOID) {
                let characteristicTwo = try field.read(expecting: X509DERTag.sequence, "characteristic-two field")
                var m = X509DERReader(bytes: bytes, contentOf: characteristicTwo)
                let degree = try m.read(expecting: X509DERTag.integer, "field degree")
                return X509DERValue.smallInteger(bytes, degree.content)
            }
            return nil
        default:
            return nil // NULL: implicitlyCA, inherited from the issuer
        }
    }

    // MARK: Extensions

    //   Extensions ::= SEQUENCE OF Extension
    //   Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    mutating func readExtensions(_ wrapper: X509DERElement) throws(X509ParseFailure) {
        var outer = X509DERReader(bytes: bytes, contentOf: wrapper)
        let list = try outer.read(expecting: X509DERTag.sequence, "extensions")
        var extensions = outer.children(of: list)
        while !extensions.isAtEnd {
            let ext = try extensions.read(expecting: X509DERTag.sequence, "extension")
            var fields = extensions.children(of: ext)
            let id = try fields.read(expecting: X509DERTag.objectIdentifier, "extnID")
            _ = try fields.readIfPresent(X509DERTag.boolean)
            let value = try fields.read(expecting: X509DERTag.octetString, "extnValue")
            if oidEquals(id.content, content: X509OIDTables.subjectAltNameContent, dotted: X509OIDTables.subjectAltNameOID) {
                do {
                    try readSubjectAltNames(value)
                } catch {
                    note("subjectAltName: \(error.message)")
                }
            } else if summary.signedCertificateTimestamps == nil, bytes[id.content].elementsEqual(SCTExtension.certificateContent) {
                do {
                    summary.signedCertificateTimestamps = try SCTExtension.list(bytes, value)
                } catch {
                    note("signed certificate timestamps: \(error.message)")
                }
            }
        }
    }

    //   GeneralNames ::= SEQUENCE OF GeneralName; we keep rfc822Name [1],
    //   dNSName [2], uniformResourceIdentifier [6] and iPAddress [7].
    mutating func readSubjectAltNames(_ octetString: X509DERElement) throws(X509ParseFailure) {
        var wrapper = X509DERReader(bytes: bytes, contentOf: octetString)
        let sequence = try wrapper.read(expecting: X509DERTag.sequence, "GeneralNames")
        var names = wrapper.children(of: sequence)
        while !names.isAtEnd {
            let name = try names.read()
            if summary.subjectAlternativeNames.count >= Self.maxAlternativeNames {
                summary.omittedAlternativeNames += 1
                continue
            }
            let content = bytes[name.content]
            switch name.identifier {
            case X509DERTag.contextPrimitive(1), X509DERTag.contextPrimitive(6):
                summary.subjectAlternativeNames.append(String(decoding: content, as: UTF8.self))
            case X509DERTag.contextPrimitive(2):
                let dns = String(decoding: content, as: UTF8.self)
                summary.subjectAlternativeNames.append(dns)
                summary.dnsNames.append(dns)
            case X509DERTag.contextPrimitive(7):
                guard let text = Self.ipAddressText(content) else { continue }
                summary.subjectAlternativeNames.append(text)
                summary.ipAddresses.append(text)
            default:
                continue // otherName, x400Address, directoryName, ediPartyName, registeredID
            }
        }
    }

    /// subjectAltName entries kept per certificate; the rest are counted.
    public static let maxAlternativeNames = 1000

    static func ipAddressText(_ content: ArraySlice<UInt8>) -> String? {
        switch content.count {
        case 4:
            var value: UInt32 = 0
            for b in content { value = value << 8 | UInt32(b) }
            return IPAddress(ipv4: value).description
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (i, b) in content.enumerated() {
                if i < 8 { high = high << 8 | UInt64(b) } else { low = low << 8 | UInt64(b) }
            }
            return IPAddress(ipv6High: high, low: low).description
        default:
            return nil // address+mask forms belong to name constraints, not SANs
        }
    }
}

enum X509SerialNumber {
    /// OpenSSL's `-serial` form: magnitude in uppercase hex, `-` when negative,
    /// "00" for zero (or an empty, malformed INTEGER).
    static func hex(_ content: ArraySlice<UInt8>) -> String {
        guard let first = content.first else { return "00" }
        var magnitude = Array(content)
        let negative = first & 0x80 != 0
        if negative {
            // Two's complement negate: invert, then add one.
            var carry = true
            for i in magnitude.indices.reversed() {
                magnitude[i] = ~magnitude[i]
                if carry {
                    magnitude[i] = magnitude[i] &+ 1
                    carry = magnitude[i] == 0
                }
            }
        }
        let significant = magnitude.drop(while: { $0 == 0 })
        let text = significant.isEmpty ? "00" : X509Hex.string(significant, uppercase: true)
        return negative ? "-" + text : text
    }
}
