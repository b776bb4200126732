/// What one QUIC version needs for keyless dissection: the Initial salt, the
/// HKDF labels, the long-header type codes and the Retry integrity key.
public struct QUICVersionInfo: Sendable, Equatable {
    /// The version number on the wire.
    public let raw: UInt32
    /// "QUICv1", "QUICv2", "draft-29", ...
    public let name: String
    /// RFC 9001 5.2 initial_salt (20 bytes).
    public let initialSalt: [UInt8]
    /// HKDF-Expand-Label labels (without the "tls13 " prefix).
    public let keyLabel: String
    public let ivLabel: String
    public let hpLabel: String
    public let keyUpdateLabel: String
    /// The packet type of each 2-bit long-header type code (index = code).
    public let longHeaderTypes: [QUICPacketType]
    /// RFC 9001 5.8 Retry integrity AES-128-GCM key and nonce; nil where the
    /// version has no integrity tag we know.
    public let retryKey: [UInt8]?
    public let retryNonce: [UInt8]?

    /// The packet type of a long header's first byte (bits 0x30).
    public func packetType(firstByte: UInt8) -> QUICPacketType {
        longHeaderTypes[Int((firstByte >> 4) & 0x03)]
    }

    /// The 2-bit type code this version uses for `type` (for building packets in tests).
    public func typeCode(_ type: QUICPacketType) -> UInt8? {
        guard let index = longHeaderTypes.firstIndex(of: type) else { return nil }
        return UInt8(truncatingIfNeeded: index)
    }
}
