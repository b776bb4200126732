import TLSDumpBase

/// A Certificate message: the DER certificates in sender order.
/// TLS 1.3 adds a request context and per-certificate extensions.
public struct CertificateMessage: Sendable, Equatable {
    public var certificates: [[UInt8]] = []
    public var requestContext: [UInt8]?
    /// A cap on chain length: a hostile peer can list thousands.
    public static let maxCertificates = 64

    public var truncatedChain = false
    /// TLS 1.3: the leaf's CertificateEntry extensions the server staples
    /// there (RFC 8446 4.4.2.1): a CertificateStatus (status_request) and an
    /// SCT list (signed_certificate_timestamp), as their extension bodies.
    public var leafStatus: [UInt8]?
    public var leafSCTList: [UInt8]?

    public static func parse(_ body: UnsafeRawBufferPointer, tls13: Bool) throws(ParseError) -> CertificateMessage {
        do throws(ParseError) {
            return try parse(body, format13: tls13)
        } catch {
            // Without keys the version can be a guess (mid-stream): try the other format.
            if let other = try? parse(body, format13: !tls13) { return other }
            throw error
        }
    }

    private static func parse(_ body: UnsafeRawBufferPointer, format13: Bool) throws(ParseError) -> CertificateMessage {
        var r = ByteReader(body)
        var message = CertificateMessage()
        if format13 { message.requestContext = Array(try r.vector(lengthBytes: 1).bytes) }
        var list = try r.vector(lengthBytes: 3)
        guard r.isAtEnd else { throw .malformed("bytes after the certificate list") }
        while !list.isAtEnd {
            let der = try list.vector(lengthBytes: 3)
            if format13 {
                let extensions = try list.vector(lengthBytes: 2)
                if message.certificates.isEmpty { message.readLeafExtensions(extensions) }
            }
            if message.certificates.count < maxCertificates {
                message.certificates.append(Array(der.bytes))
            } else {
                message.truncatedChain = true
            }
        }
        return message
    }

    /// The leaf entry's extensions: only the two that carry stapled data are
    /// kept. A malformed block is left unread (the chain itself still counts).
    private mutating func readLeafExtensions(_ block: ByteReader) {
        var r = block
        while !r.isAtEnd {
            guard let type = try? r.u16(), let body = try? r.vector(lengthBytes: 2) else { return }
            switch type {
            case ExtensionType.statusRequest where leafStatus == nil:
                leafStatus = Array(body.bytes)
            case ExtensionType.signedCertificateTimestamp where leafSCTList == nil:
                leafSCTList = Array(body.bytes)
            default:
                break
            }
        }
    }
}

/// A CertificateRequest in the TLS 1.0/1.1, TLS 1.2 or TLS 1.3 layout.
public struct CertificateRequest: Sendable, Equatable {
    public var certificateTypes: [UInt8] = []
    public var signatureAlgorithms: [UInt16] = []
    /// DER-encoded distinguished names of acceptable CAs.
    public var certificateAuthorities: [[UInt8]] = []
    public var requestContext: [UInt8]?

    public static func parse(_ body: UnsafeRawBufferPointer, version: UInt16) throws(ParseError) -> CertificateRequest {
        if ProtocolVersion.isTLS13Family(version) { return try parse13(body) }
        let hasSignatureAlgorithms = version >= ProtocolVersion.tls12
        do throws(ParseError) {
            return try parse12(body, signatureAlgorithms: hasSignatureAlgorithms)
        } catch {
            if let other = try? parse12(body, signatureAlgorithms: !hasSignatureAlgorithms) { return other }
            throw error
        }
    }

    private static func parse12(_ body: UnsafeRawBufferPointer, signatureAlgorithms: Bool) throws(ParseError) -> CertificateRequest {
        var r = ByteReader(body)
        var request = CertificateRequest()
        request.certificateTypes = Array(try r.vector(lengthBytes: 1).bytes)
        if signatureAlgorithms { request.signatureAlgorithms = try r.u16List(lengthBytes: 2) }
        var names = try r.vector(lengthBytes: 2)
        while !names.isAtEnd { request.certificateAuthorities.append(Array(try names.vector(lengthBytes: 2).bytes)) }
        guard r.isAtEnd else { throw .malformed("bytes after certificate_authorities") }
        return request
    }

    private static func parse13(_ body: UnsafeRawBufferPointer) throws(ParseError) -> CertificateRequest {
        var r = ByteReader(body)
        var request = CertificateRequest()
        request.requestContext = Array(try r.vector(lengthBytes: 1).bytes)
        for ext in try r.extensions() {
            var e = ByteReader(ext.body)
            switch ext.type {
            case ExtensionType.signatureAlgorithms:
                request.signatureAlgorithms = try e.u16List(lengthBytes: 2)
            case ExtensionType.certificateAuthorities:
                var names = try e.vector(lengthBytes: 2)
                while !names.isAtEnd { request.certificateAuthorities.append(Array(try names.vector(lengthBytes: 2).bytes)) }
            default:
                break
            }
        }
        return request
    }
}

/// The parts of a ServerKeyExchange that matter for key strength.
public struct ServerKeyExchange: Sendable, Equatable {
    public var namedGroup: UInt16?
    /// Bit length of the DH prime p (finite-field DHE), or of an export RSA modulus.
    public var dhPrimeBits: Int?
    /// The DH prime is a well-known one (RFC 7919 ffdhe, RFC 3526 MODP): its index in `FiniteFieldPrime.known`.
    public var dhKnownPrime: Int?
    public var rsaModulusBits: Int?

    public enum Kind { case ecdhe, dhe, rsaExport, pskHintOnly, unknown }

    public static func parse(_ body: UnsafeRawBufferPointer, kind: Kind, pskHint: Bool) throws(ParseError) -> ServerKeyExchange {
        var r = ByteReader(body)
        if pskHint { _ = try r.vector(lengthBytes: 2) }
        var result = ServerKeyExchange()
        switch kind {
        case .ecdhe:
            let curveType = try r.u8()
            guard curveType == 3 else { throw .malformed("EC curve type \(curveType) is not named_curve") }
            result.namedGroup = try r.u16()
        case .dhe:
            let prime = try r.vector(lengthBytes: 2).bytes
            result.dhPrimeBits = bitLength(prime)
            result.dhKnownPrime = FiniteFieldPrime.identify(prime)
        case .rsaExport:
            result.rsaModulusBits = bitLength(try r.vector(lengthBytes: 2).bytes)
        case .pskHintOnly, .unknown:
            break
        }
        return result
    }

    /// Number of significant bits in a big-endian unsigned integer.
    public static func bitLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i < bytes.count && bytes[i] == 0 { i += 1 }
        guard i < bytes.count else { return 0 }
        return (bytes.count - i - 1) * 8 + (8 - bytes[i].leadingZeroBitCount)
    }
}

/// NewSessionTicket (RFC 5077 / RFC 8446) — only the lifetime is of interest.
public struct NewSessionTicket: Sendable, Equatable {
    public var lifetimeHint: UInt32

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> NewSessionTicket {
        var r = ByteReader(body)
        return NewSessionTicket(lifetimeHint: try r.u32())
    }
}

/// An Alert record body: level and description.
public struct Alert: Sendable, Equatable {
    public var level: UInt8
    public var description: UInt8

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> Alert {
        var r = ByteReader(body)
        let alert = Alert(level: try r.u8(), description: try r.u8())
        return alert
    }

    public var isFatal: Bool { level == 2 }
}
