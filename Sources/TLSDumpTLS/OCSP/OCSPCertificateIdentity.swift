import Crypto
import TLSDumpBase

/// What an OCSP CertID is computed from (RFC 6960 4.1.1), taken from the
/// presented chain: the leaf's serial and issuer Name, and its issuer's
/// public key when the issuer is in the chain. Kept between the Certificate
/// and the CertificateStatus messages; hashed only when a response comes.
public struct OCSPCertificateIdentity: Sendable, Equatable {
    /// The leaf's serial as `CertificateSummary.serial` writes it.
    public var serial: String
    /// The DER of the leaf's issuer Name (issuerNameHash is a hash of it).
    var issuerName: [UInt8]
    /// The issuer's subjectPublicKey BIT STRING value, without its unused-bits
    /// octet (issuerKeyHash is a hash of it); nil when the issuer is not in the chain.
    var issuerPublicKey: [UInt8]?

    /// nil when the leaf's serial or issuer cannot be read. The issuer is the
    /// first other chain certificate whose subject is the leaf's issuer Name
    /// (chains are not always in order).
    public static func make(leaf: [UInt8], chain: ArraySlice<[UInt8]>) -> OCSPCertificateIdentity? {
        guard let parts = try? CertificateParts(der: leaf) else { return nil }
        var identity = OCSPCertificateIdentity(serial: parts.serial, issuerName: parts.issuerName, issuerPublicKey: nil)
        for der in chain {
            guard let candidate = try? CertificateParts(der: der), candidate.subjectName == parts.issuerName else { continue }
            identity.issuerPublicKey = candidate.publicKey
            break
        }
        return identity
    }

    /// Compares a CertID with this certificate.
    public func check(_ certID: OCSPCertID) -> OCSPMatch {
        var matched: [OCSPMatch.Part] = []
        var mismatched: [OCSPMatch.Part] = []
        var unchecked: [OCSPMatch.Part] = []
        var reasons: [String] = []
        if certID.serial == serial { matched.append(.serial) } else { mismatched.append(.serial) }
        if let nameHash = Self.digest(certID.hashAlgorithm, issuerName) {
            if nameHash == certID.issuerNameHash { matched.append(.issuerName) } else { mismatched.append(.issuerName) }
        } else {
            unchecked.append(.issuerName)
        }
        if let key = issuerPublicKey, let keyHash = Self.digest(certID.hashAlgorithm, key) {
            if keyHash == certID.issuerKeyHash { matched.append(.issuerKey) } else { mismatched.append(.issuerKey) }
        } else {
            unchecked.append(.issuerKey)
            if issuerPublicKey == nil { reasons.append("the issuer certificate is not in the presented chain") }
        }
        if Self.digest(certID.hashAlgorithm, []) == nil {
            reasons.append("the CertID hash algorithm \(certID.hashAlgorithm.name) is not one tlsdump computes")
        }
        let verdict: OCSPMatch.Verdict = !mismatched.isEmpty ? .mismatch : (unchecked.isEmpty ? .match : .partial)
        return OCSPMatch(verdict: verdict, matched: matched, mismatched: mismatched, unchecked: unchecked,
                         reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }

    static func digest(_ algorithm: OCSPHashAlgorithm, _ bytes: [UInt8]) -> [UInt8]? {
        switch algorithm {
        case .sha1: Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        case .other: nil
        }
    }
}

/// The few TBSCertificate fields a CertID needs, read with the bounds-checked walker.
private struct CertificateParts {
    let serial: String
    let issuerName: [UInt8]
    let subjectName: [UInt8]
    let publicKey: [UInt8]

    //   Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { version [0] OPTIONAL,
    //       serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }
    init(der bytes: [UInt8]) throws(X509ParseFailure) {
        var top = X509DERReader(bytes)
        let certificate = try top.read(expecting: X509DERTag.sequence, "certificate")
        var body = top.children(of: certificate)
        let tbs = try body.read(expecting: X509DERTag.sequence, "tbsCertificate")
        var fields = body.children(of: tbs)
        _ = try fields.readIfPresent(X509DERTag.contextConstructed(0))
        let serial = try fields.read(expecting: X509DERTag.integer, "serialNumber")
        _ = try fields.read(expecting: X509DERTag.sequence, "signature")
        let issuer = try fields.read(expecting: X509DERTag.sequence, "issuer")
        _ = try fields.read(expecting: X509DERTag.sequence, "validity")
        let subject = try fields.read(expecting: X509DERTag.sequence, "subject")
        let spki = try fields.read(expecting: X509DERTag.sequence, "subjectPublicKeyInfo")
        var keyFields = fields.children(of: spki)
        _ = try keyFields.read(expecting: X509DERTag.sequence, "algorithm")
        let key = try keyFields.read(expecting: X509DERTag.bitString, "subjectPublicKey")
        guard key.contentLength >= 1 else { throw X509ParseFailure("empty public key") }
        self.serial = X509SerialNumber.hex(bytes[serial.content])
        self.issuerName = Array(bytes[issuer.encoded])
        self.subjectName = Array(bytes[subject.encoded])
        self.publicKey = Array(bytes[(key.contentStart + 1)..<key.end])
    }
}
