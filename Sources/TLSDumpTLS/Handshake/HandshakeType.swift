/// Handshake message type codes (RFC 8446 section 4, RFC 5246 section 7.4 and extensions).
public enum HandshakeType {
    public static let helloRequest: UInt8 = 0
    public static let clientHello: UInt8 = 1
    public static let serverHello: UInt8 = 2
    public static let helloVerifyRequest: UInt8 = 3
    public static let newSessionTicket: UInt8 = 4
    public static let endOfEarlyData: UInt8 = 5
    public static let encryptedExtensions: UInt8 = 8
    public static let certificate: UInt8 = 11
    public static let serverKeyExchange: UInt8 = 12
    public static let certificateRequest: UInt8 = 13
    public static let serverHelloDone: UInt8 = 14
    public static let certificateVerify: UInt8 = 15
    public static let clientKeyExchange: UInt8 = 16
    public static let finished: UInt8 = 20
    public static let certificateURL: UInt8 = 21
    public static let certificateStatus: UInt8 = 22
    public static let supplementalData: UInt8 = 23
    public static let keyUpdate: UInt8 = 24
    public static let compressedCertificate: UInt8 = 25
    public static let nextProtocol: UInt8 = 67
    public static let messageHash: UInt8 = 254
}

/// Protocol version codes.
public enum ProtocolVersion {
    public static let sslv2: UInt16 = 0x0002
    public static let sslv3: UInt16 = 0x0300
    public static let tls10: UInt16 = 0x0301
    public static let tls11: UInt16 = 0x0302
    public static let tls12: UInt16 = 0x0303
    public static let tls13: UInt16 = 0x0304

    /// TLS 1.3 final or a TLS 1.3 draft (0x7fNN) or Facebook/Google experiments (0xfbNN, 0x7eNN).
    public static func isTLS13Family(_ v: UInt16) -> Bool {
        v == tls13 || v >> 8 == 0x7f || v >> 8 == 0x7e || v >> 8 == 0xfb
    }
}

/// A handshake message: type and body, borrowed from the record or the defragmentation buffer.
public struct HandshakeMessage {
    public var type: UInt8
    public var body: UnsafeRawBufferPointer
    public var length: Int { body.count }
}
