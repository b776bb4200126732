import TLSDumpBase

/// Extension type codes that tlsdump reads (names come from the registry tables).
public enum ExtensionType {
    public static let serverName: UInt16 = 0
    public static let statusRequest: UInt16 = 5
    public static let supportedGroups: UInt16 = 10
    public static let ecPointFormats: UInt16 = 11
    public static let signatureAlgorithms: UInt16 = 13
    public static let alpn: UInt16 = 16
    /// RFC 6961: CertificateStatus for every chain certificate (ocsp_multi).
    public static let statusRequestV2: UInt16 = 17
    public static let signedCertificateTimestamp: UInt16 = 18
    public static let padding: UInt16 = 21
    public static let encryptThenMAC: UInt16 = 22
    /// RFC 8879: the certificate compression algorithms a peer accepts.
    public static let compressCertificate: UInt16 = 27
    public static let extendedMasterSecret: UInt16 = 23
    public static let sessionTicket: UInt16 = 35
    public static let preSharedKey: UInt16 = 41
    public static let earlyData: UInt16 = 42
    public static let supportedVersions: UInt16 = 43
    public static let certificateAuthorities: UInt16 = 47
    public static let postHandshakeAuth: UInt16 = 49
    public static let signatureAlgorithmsCert: UInt16 = 50
    public static let keyShare: UInt16 = 51
    public static let renegotiationInfo: UInt16 = 0xff01
    /// RFC 9849: ClientHello (outer/inner), HelloRetryRequest, EncryptedExtensions (retry_configs).
    public static let encryptedClientHello: UInt16 = 0xfe0d
    /// QUIC transport parameters (RFC 9001 8.2), and the codepoint drafts 27-34 used.
    public static let quicTransportParameters: UInt16 = 0x39
    public static let quicTransportParametersDraft: UInt16 = 0xffa5
}

/// One extension as it appeared: type and borrowed body.
public struct RawExtension {
    public var type: UInt16
    public var body: UnsafeRawBufferPointer
}

extension ByteReader {
    /// Reads an extensions block (2-byte total length, then type/length/body triples).
    /// An absent block (no bytes left) is an empty list, as in SSL 3.0 hellos.
    public mutating func extensions() throws(ParseError) -> [RawExtension] {
        guard remaining > 0 else { return [] }
        var block = try vector(lengthBytes: 2)
        var result: [RawExtension] = []
        while !block.isAtEnd {
            let type = try block.u16()
            let length = Int(try block.u16())
            guard block.remaining >= length else { throw .malformed("extension 0x\(String(type, radix: 16)) length \(length) runs past the block") }
            result.append(RawExtension(type: type, body: try block.slice(length)))
        }
        return result
    }

    /// A list of 16-bit values with a length prefix of `lengthBytes`.
    mutating func u16List(lengthBytes: Int) throws(ParseError) -> [UInt16] {
        var list = try vector(lengthBytes: lengthBytes)
        guard list.remaining % 2 == 0 else { throw .malformed("odd length in a list of 16-bit values") }
        var values: [UInt16] = []
        values.reserveCapacity(list.remaining / 2)
        while !list.isAtEnd { values.append(try list.u16()) }
        return values
    }
}

/// Decodes protocol-name bytes for display: printable ASCII as is, else hex.
/// (The JSON writer could carry any bytes, but text views want something legible.)
public func displayString(_ bytes: [UInt8]) -> String {
    if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return String(decoding: bytes, as: UTF8.self) }
    return "0x" + hexEncode(bytes)
}
