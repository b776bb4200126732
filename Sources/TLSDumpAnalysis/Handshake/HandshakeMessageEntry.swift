import TLSDumpTLS

/// One handshake message of the summary in 8 bytes (a `HandshakeMessageInfo`
/// is 40: its type name is a String); the name is rendered when the
/// `connection` event is built.
struct HandshakeMessageEntry {
    enum Name {
        /// Unknown (an encrypted message nobody could read).
        case none
        /// The registry name of a handshake type ("unknown_N" when unregistered).
        case handshakeType(UInt8)
        /// SSLv2's CLIENT-MASTER-KEY, which has no TLS handshake type.
        case sslv2ClientMasterKey
    }

    private static let serverBit: UInt8 = 1, encryptedBit: UInt8 = 2, decryptedBit: UInt8 = 4, inferredBit: UInt8 = 8
    private static let typeBit: UInt8 = 16, clientMasterKeyBit: UInt8 = 32

    /// Handshake messages (24-bit lengths), records (16-bit) and SSLv2 records
    /// (15-bit) all fit; clamping only guards the type's range.
    private let length: UInt32
    private let typeCode: UInt8
    private let flags: UInt8

    init(sender: Side, name: Name, length: Int, encrypted: Bool, decrypted: Bool, inferred: Bool) {
        var flags: UInt8 = 0
        if sender == .server { flags |= Self.serverBit }
        if encrypted { flags |= Self.encryptedBit }
        if decrypted { flags |= Self.decryptedBit }
        if inferred { flags |= Self.inferredBit }
        var code: UInt8 = 0
        switch name {
        case .none: break
        case .handshakeType(let type):
            flags |= Self.typeBit
            code = type
        case .sslv2ClientMasterKey:
            flags |= Self.clientMasterKeyBit
        }
        self.length = UInt32(clamping: length)
        self.typeCode = code
        self.flags = flags
    }

    var typeName: String? {
        if flags & Self.typeBit != 0 { return TLSRegistry.handshakeTypeName(typeCode) ?? "unknown_\(typeCode)" }
        if flags & Self.clientMasterKeyBit != 0 { return "ClientMasterKey" }
        return nil
    }

    var info: HandshakeMessageInfo {
        HandshakeMessageInfo(sender: flags & Self.serverBit != 0 ? .server : .client, type: typeName, length: Int(length),
                             encrypted: flags & Self.encryptedBit != 0, decrypted: flags & Self.decryptedBit != 0,
                             inferred: flags & Self.inferredBit != 0)
    }
}

