/// OID lookup tables for certificate summaries. Data, keyed by dotted OID.
enum X509OIDTables {
    /// Signature algorithm names as OpenSSL prints them (`openssl x509 -text`),
    /// lower-cased for the EdDSA ones. Unknown OIDs are shown dotted.
    static let signatureAlgorithms: [String: String] = [
        // PKCS #1
        "1.2.840.113549.1.1.1": "rsaEncryption",
        "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
        "1.2.840.113549.1.1.3": "md4WithRSAEncryption",
        "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10": "rsassaPss",
        "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
        "1.2.840.113549.1.1.15": "sha512-224WithRSAEncryption",
        "1.2.840.113549.1.1.16": "sha512-256WithRSAEncryption",
        // OIW (old Windows / Java certificates)
        "1.3.14.3.2.3": "md5WithRSA",
        "1.3.14.3.2.29": "sha1WithRSA",
        "1.3.14.3.2.27": "dsaWithSHA1-old",
        // ECDSA (X9.62, RFC 5758)
        "1.2.840.10045.4.1": "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
        // DSA
        "1.2.840.10040.4.3": "dsaWithSHA1",
        "2.16.840.1.101.3.4.3.1": "dsa_with_SHA224",
        "2.16.840.1.101.3.4.3.2": "dsa_with_SHA256",
        // SHA-3 based (NIST)
        "2.16.840.1.101.3.4.3.9": "ecdsa_with_SHA3-224",
        "2.16.840.1.101.3.4.3.10": "ecdsa_with_SHA3-256",
        "2.16.840.1.101.3.4.3.11": "ecdsa_with_SHA3-384",
        "2.16.840.1.101.3.4.3.12": "ecdsa_with_SHA3-512",
        "2.16.840.1.101.3.4.3.13": "RSA-SHA3-224",
        "2.16.840.1.101.3.4.3.14": "RSA-SHA3-256",
        "2.16.840.1.101.3.4.3.15": "RSA-SHA3-384",
        "2.16.840.1.101.3.4.3.16": "RSA-SHA3-512",
        // Post-quantum (FIPS 204, FIPS 205)
        "2.16.840.1.101.3.4.3.17": "ML-DSA-44",
        "2.16.840.1.101.3.4.3.18": "ML-DSA-65",
        "2.16.840.1.101.3.4.3.19": "ML-DSA-87",
        "2.16.840.1.101.3.4.3.20": "SLH-DSA-SHA2-128s",
        "2.16.840.1.101.3.4.3.21": "SLH-DSA-SHA2-128f",
        "2.16.840.1.101.3.4.3.22": "SLH-DSA-SHA2-192s",
        "2.16.840.1.101.3.4.3.23": "SLH-DSA-SHA2-192f",
        "2.16.840.1.101.3.4.3.24": "SLH-DSA-SHA2-256s",
        "2.16.840.1.101.3.4.3.25": "SLH-DSA-SHA2-256f",
        "2.16.840.1.101.3.4.3.26": "SLH-DSA-SHAKE-128s",
        "2.16.840.1.101.3.4.3.27": "SLH-DSA-SHAKE-128f",
        "2.16.840.1.101.3.4.3.28": "SLH-DSA-SHAKE-192s",
        "2.16.840.1.101.3.4.3.29": "SLH-DSA-SHAKE-192f",
        "2.16.840.1.101.3.4.3.30": "SLH-DSA-SHAKE-256s",
        "2.16.840.1.101.3.4.3.31": "SLH-DSA-SHAKE-256f",
        // EdDSA (RFC 8410)
        "1.3.101.112": "ed25519",
        "1.3.101.113": "ed448",
        // Chinese national (SM2 with SM3)
        "1.2.156.10197.1.501": "SM2-with-SM3",
    ]

    /// How to get a key's size from its SubjectPublicKeyInfo.
    enum KeyBitsSource: Sendable {
        /// Bit length of the modulus in the RSAPublicKey inside the BIT STRING.
        case rsaModulus
        /// Named curve (or explicit curve's field size) in the algorithm parameters.
        case ellipticCurve
        /// Bit length of the prime p, first INTEGER of the algorithm parameters (DSA, DH).
        case domainPrime
        /// Size of the raw public key in the BIT STRING (EdDSA, X25519/X448):
        /// Ed25519 256, Ed448 456, X25519 256, X448 448.
        case rawKeyLength
        case unknown
    }

    struct KeyAlgorithm: Sendable {
        let name: String
        let bits: KeyBitsSource
    }

    /// SubjectPublicKeyInfo algorithm OIDs. Unknown OIDs report the dotted OID.
    static let keyAlgorithms: [String: KeyAlgorithm] = [
        "1.2.840.113549.1.1.1": KeyAlgorithm(name: "RSA", bits: .rsaModulus),
        "1.2.840.113549.1.1.10": KeyAlgorithm(name: "RSA", bits: .rsaModulus), // RSASSA-PSS key
        "2.5.8.1.1": KeyAlgorithm(name: "RSA", bits: .rsaModulus),              // X.500 rsa
        "1.2.840.10045.2.1": KeyAlgorithm(name: "EC", bits: .ellipticCurve),
        "1.3.132.1.12": KeyAlgorithm(name: "EC", bits: .ellipticCurve),         // id-ecDH
        "1.3.132.1.13": KeyAlgorithm(name: "EC", bits: .ellipticCurve),         // id-ecMQV
        "1.2.840.10040.4.1": KeyAlgorithm(name: "DSA", bits: .domainPrime),
        "1.3.14.3.2.12": KeyAlgorithm(name: "DSA", bits: .domainPrime),         // OIW dsa
        "1.2.840.10046.2.1": KeyAlgorithm(name: "DH", bits: .domainPrime),      // X9.42 dhpublicnumber
        "1.2.840.113549.1.3.1": KeyAlgorithm(name: "DH", bits: .domainPrime),   // PKCS #3 dhKeyAgreement
        "1.3.101.110": KeyAlgorithm(name: "X25519", bits: .rawKeyLength),
        "1.3.101.111": KeyAlgorithm(name: "X448", bits: .rawKeyLength),
        "1.3.101.112": KeyAlgorithm(name: "Ed25519", bits: .rawKeyLength),
        "1.3.101.113": KeyAlgorithm(name: "Ed448", bits: .rawKeyLength),
        "2.16.840.1.101.3.4.3.17": KeyAlgorithm(name: "ML-DSA-44", bits: .unknown),
        "2.16.840.1.101.3.4.3.18": KeyAlgorithm(name: "ML-DSA-65", bits: .unknown),
        "2.16.840.1.101.3.4.3.19": KeyAlgorithm(name: "ML-DSA-87", bits: .unknown),
        "2.16.840.1.101.3.4.3.20": KeyAlgorithm(name: "SLH-DSA-SHA2-128s", bits: .unknown),
        "2.16.840.1.101.3.4.3.21": KeyAlgorithm(name: "SLH-DSA-SHA2-128f", bits: .unknown),
        "2.16.840.1.101.3.4.3.22": KeyAlgorithm(name: "SLH-DSA-SHA2-192s", bits: .unknown),
        "2.16.840.1.101.3.4.3.23": KeyAlgorithm(name: "SLH-DSA-SHA2-192f", bits: .unknown),
        "2.16.840.1.101.3.4.3.24": KeyAlgorithm(name: "SLH-DSA-SHA2-256s", bits: .unknown),
        "2.16.840.1.101.3.4.3.25": KeyAlgorithm(name: "SLH-DSA-SHA2-256f", bits: .unknown),
        "2.16.840.1.101.3.4.3.26": KeyAlgorithm(name: "SLH-DSA-SHAKE-128s", bits: .unknown),
        "2.16.840.1.101.3.4.3.27": KeyAlgorithm(name: "SLH-DSA-SHAKE-128f", bits: .unknown),
        "2.16.840.1.101.3.4.3.28": KeyAlgorithm(name: "SLH-DSA-SHAKE-192s", bits: .unknown),
        "2.16.840.1.101.3.4.3.29": KeyAlgorithm(name: "SLH-DSA-SHAKE-192f", bits: .unknown),
        "2.16.840.1.101.3.4.3.30": KeyAlgorithm(name: "SLH-DSA-SHAKE-256s", bits: .unknown),
        "2.16.840.1.101.3.4.3.31": KeyAlgorithm(name: "SLH-DSA-SHAKE-256f", bits: .unknown),
    ]

    /// Named elliptic curves and their field size in bits.
    static let curveBits: [String: Int] = [
        // SEC 2 / X9.62 prime curves
        "1.2.840.10045.3.1.1": 192,   // prime192v1 / P-192
        "1.2.840.10045.3.1.2": 192,   // prime192v2
        "1.2.840.10045.3.1.3": 192,   // prime192v3
        "1.2.840.10045.3.1.4": 239,   // prime239v1
        "1.2.840.10045.3.1.5": 239,   // prime239v2
        "1.2.840.10045.3.1.6": 239,   // prime239v3
        "1.2.840.10045.3.1.7": 256,   // prime256v1 / P-256
        "1.3.132.0.6": 112,           // secp112r1
        "1.3.132.0.7": 112,           // secp112r2
        "1.3.132.0.28": 128,          // secp128r1
        "1.3.132.0.29": 128,          // secp128r2
        "1.3.132.0.8": 160,           // secp160r1
        "1.3.132.0.9": 160,           // secp160k1
        "1.3.132.0.30": 160,          // secp160r2
        "1.3.132.0.31": 192,          // secp192k1
        "1.3.132.0.32": 224,          // secp224k1
        "1.3.132.0.33": 224,          // secp224r1 / P-224
        "1.3.132.0.10": 256,          // secp256k1
        "1.3.132.0.34": 384,          // secp384r1 / P-384
        "1.3.132.0.35": 521,          // secp521r1 / P-521
        // SEC 2 binary curves
        "1.3.132.0.1": 163,           // sect163k1
        "1.3.132.0.2": 163,           // sect163r1
        "1.3.132.0.15": 163,          // sect163r2
        "1.3.132.0.24": 193,          // sect193r1
        "1.3.132.0.25": 193,          // sect193r2
        "1.3.132.0.26": 233,          // sect233k1
        "1.3.132.0.27": 233,          // sect233r1
        "1.3.132.0.3": 239,           // sect239k1
        "1.3.132.0.16": 283,          // sect283k1
        "1.3.132.0.17": 283,          // sect283r1
        "1.3.132.0.36": 409,          // sect409k1
        "1.3.132.0.37": 409,          // sect409r1
        "1.3.132.0.38": 571,          // sect571k1
        "1.3.132.0.39": 571,          // sect571r1
        // Brainpool (RFC 5639), r1 and t1 variants
        "1.3.36.3.3.2.8.1.1.1": 160, "1.3.36.3.3.2.8.1.1.2": 160,
        "1.3.36.3.3.2.8.1.1.3": 192, "1.3.36.3.3.2.8.1.1.4": 192,
        "1.3.36.3.3.2.8.1.1.5": 224, "1.3.36.3.3.2.8.1.1.6": 224,
        "1.3.36.3.3.2.8.1.1.7": 256, "1.3.36.3.3.2.8.1.1.8": 256,
        "1.3.36.3.3.2.8.1.1.9": 320, "1.3.36.3.3.2.8.1.1.10": 320,
        "1.3.36.3.3.2.8.1.1.11": 384, "1.3.36.3.3.2.8.1.1.12": 384,
        "1.3.36.3.3.2.8.1.1.13": 512, "1.3.36.3.3.2.8.1.1.14": 512,
        // SM2
        "1.2.156.10197.1.301": 256,
    ]

    /// X9.62 field types inside explicit EC parameters.
    static let primeFieldOID = "1.2.840.10045.1.1"
    static let characteristicTwoFieldOID = "1.2.840.10045.1.2"

    /// Attribute type names used in RFC 4514 strings: the RFC 4514 section 3
    /// table (CN, L, ST, O, OU, C, STREET, DC, UID), plus the short names
    /// OpenSSL prints for other common attributes (emailAddress, serialNumber,
    /// jurisdiction*, ...). Any other type is shown as a dotted OID with a
    /// `#hex` value, as RFC 4514 section 2.4 requires.
    static let attributeNames: [String: String] = [
        "2.5.4.3": "CN",
        "2.5.4.7": "L",
        "2.5.4.8": "ST",
        "2.5.4.10": "O",
        "2.5.4.11": "OU",
        "2.5.4.6": "C",
        "2.5.4.9": "STREET",
        "0.9.2342.19200300.100.1.25": "DC",
        "0.9.2342.19200300.100.1.1": "UID",
        "2.5.4.4": "SN",
        "2.5.4.5": "serialNumber",
        "2.5.4.12": "title",
        "2.5.4.13": "description",
        "2.5.4.15": "businessCategory",
        "2.5.4.17": "postalCode",
        "2.5.4.18": "postOfficeBox",
        "2.5.4.41": "name",
        "2.5.4.42": "GN",
        "2.5.4.43": "initials",
        "2.5.4.44": "generationQualifier",
        "2.5.4.46": "dnQualifier",
        "2.5.4.65": "pseudonym",
        "2.5.4.97": "organizationIdentifier",
        "1.2.840.113549.1.9.1": "emailAddress",
        "1.2.840.113549.1.9.2": "unstructuredName",
        "1.2.840.113549.1.9.8": "unstructuredAddress",
        "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
    ]

    static let commonNameOID = "2.5.4.3"
    static let subjectAltNameOID = "2.5.29.17"

    // MARK: Lookups by DER content bytes
    //
    // The same tables keyed by the OID's content octets, so a certificate's OIDs are
    // looked up without building dotted text. A miss falls back to the dotted table:
    // only non-minimal encodings (0x80 padding) of a listed OID can miss here and
    // still hit there, and they keep their old result that way.

    static let signatureAlgorithmsByContent = byContent(signatureAlgorithms)
    static let keyAlgorithmsByContent = byContent(keyAlgorithms)
    static let curveBitsByContent = byContent(curveBits)
    static let attributeNamesByContent = byContent(attributeNames)
    static let commonNameContent: [UInt8] = derContent(commonNameOID)
    static let subjectAltNameContent: [UInt8] = derContent(subjectAltNameOID)
    static let primeFieldContent: [UInt8] = derContent(primeFieldOID)
    static let characteristicTwoFieldContent: [UInt8] = derContent(characteristicTwoFieldOID)

    static func byContent<Value>(_ table: [String: Value]) -> [ArraySlice<UInt8>: Value] {
        var out: [ArraySlice<UInt8>: Value] = [:]
        for (dotted, value) in table { out[derContent(dotted)[...]] = value }
        return out
    }

    /// Minimal DER content octets of a dotted OID from the tables above (trusted
    /// text: at least two arcs, each fitting in UInt64).
    static func derContent(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0) ?? 0 }
        guard arcs.count >= 2 else { return [] }
        var out: [UInt8] = []
        func appendBase128(_ value: UInt64) {
            var septets: [UInt8] = [UInt8(value & 0x7F)]
            var rest = value >> 7
            while rest != 0 { septets.append(UInt8(rest & 0x7F) | 0x80); rest >>= 7 }
            out.append(contentsOf: septets.reversed())
        }
        appendBase128(arcs[0] * 40 + arcs[1])
        for arc in arcs.dropFirst(2) { appendBase128(arc) }
        return out
    }

    /// Whether the OID content at `range` is the (minimal) encoding `content`.
    static func isOID(_ bytes: [UInt8], _ range: Range<Int>, _ content: [UInt8]) -> Bool {
        bytes[range].elementsEqual(content)
    }
}
