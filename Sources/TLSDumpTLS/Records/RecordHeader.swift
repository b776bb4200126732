import TLSDumpBase

/// TLS record content types (RFC 8446 section 5.1 and earlier).
public enum ContentType {
    public static let changeCipherSpec: UInt8 = 20
    public static let alert: UInt8 = 21
    public static let handshake: UInt8 = 22
    public static let applicationData: UInt8 = 23
    public static let heartbeat: UInt8 = 24
}

/// The 5-byte header every TLS record starts with. It stays in clear even
/// when the body is encrypted, which is what makes passive inference possible.
public struct RecordHeader: Sendable, Equatable {
    public static let size = 5
    /// RFC 5246: ciphertext may exceed 2^14 by 2048 bytes. We allow a little
    /// more because real stacks overshoot; anything larger is not TLS.
    public static let maxLength = (1 << 14) + 2048 + 256

    public var contentType: UInt8
    public var version: UInt16
    public var length: Int

    public init(contentType: UInt8, version: UInt16, length: Int) {
        self.contentType = contentType
        self.version = version
        self.length = length
    }

    /// Reads a header from 5 bytes at `offset`; caller checks that 5 bytes exist.
    @inlinable
    public static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> RecordHeader {
        RecordHeader(
            contentType: bytes[offset],
            version: UInt16(bytes[offset + 1]) << 8 | UInt16(bytes[offset + 2]),
            length: Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4]))
    }

    /// A header that a TLS peer could have sent: a known content type, an
    /// SSL 3.0 to TLS 1.3 record version and a length within the limit.
    @inlinable
    public var isPlausible: Bool {
        contentType >= ContentType.changeCipherSpec && contentType <= ContentType.heartbeat
            && version >> 8 == 3 && version & 0xff <= 4
            && length > 0 && length <= RecordHeader.maxLength
    }
}
