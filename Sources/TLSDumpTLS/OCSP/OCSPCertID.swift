/// Which certificate a SingleResponse speaks of (RFC 6960 4.1.1 CertID):
/// hashes of its issuer's name and key, and its serial number.
public struct OCSPCertID: Sendable, Equatable {
    /// The hash algorithm of the two issuer hashes.
    public var hashAlgorithm: OCSPHashAlgorithm
    public var issuerNameHash: [UInt8]
    public var issuerKeyHash: [UInt8]
    /// The serial as `CertificateSummary.serial` writes it (uppercase hex magnitude).
    public var serial: String
}

/// The CertID hash algorithms tlsdump can recompute; others are named by OID.
public enum OCSPHashAlgorithm: Sendable, Equatable {
    case sha1, sha256, sha384, sha512
    case other(String)

    static func named(dottedOID oid: String) -> OCSPHashAlgorithm {
        switch oid {
        case "1.3.14.3.2.26": .sha1
        case "2.16.840.1.101.3.4.2.1": .sha256
        case "2.16.840.1.101.3.4.2.2": .sha384
        case "2.16.840.1.101.3.4.2.3": .sha512
        default: .other(oid)
        }
    }

    /// "sha1", "sha256" ..., or the dotted OID.
    public var name: String {
        switch self {
        case .sha1: "sha1"
        case .sha256: "sha256"
        case .sha384: "sha384"
        case .sha512: "sha512"
        case .other(let oid): oid
        }
    }
}
