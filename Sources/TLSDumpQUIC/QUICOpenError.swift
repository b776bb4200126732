/// Why a packet could not be opened.
public enum QUICOpenError: Error, Sendable, Equatable {
    /// Too short for the header protection sample (pnOffset + 4 + 16 bytes)
    /// or `pnOffset` outside the packet.
    case tooShort
    /// The AEAD tag did not verify: wrong keys, or a corrupted packet.
    case authenticationFailed
    /// The keys do not fit their cipher, or the cipher could not run.
    case unsupportedCipher
    /// Decrypted, but the reserved header bits (0x0c long, 0x18 short) are not
    /// zero: a protocol violation (RFC 9000 17.2). The packet is carried along.
    case reservedBitsSet(QUICOpenedPacket)
}
