import Crypto
import Foundation

/// Removes header and packet protection from one packet (RFC 9001 5.3, 5.4).
public enum QUICPacketProtection {
    /// The AEAD tag length of every QUIC AEAD.
    public static let tagLength = 16
    /// The header protection sample starts 4 bytes after the packet number's start.
    static let sampleOffset = 4
    static let sampleLength = 16

    /// Opens `packet` (exactly the bytes the splitter delimited: header,
    /// packet number, ciphertext, tag). `pnOffset` is the packet number's
    /// offset in it; `largestPacketNumber` the largest packet number received
    /// in this packet number space (nil: none yet).
    public static func open(packet: UnsafeRawBufferPointer, pnOffset: Int, keys: QUICPacketKeys,
                            largestPacketNumber: Int64?) -> Result<QUICOpenedPacket, QUICOpenError> {
        guard pnOffset >= 1, pnOffset <= packet.count,
              packet.count - pnOffset >= sampleOffset + sampleLength else { return .failure(.tooShort) }
        guard keys.key.count == keys.aead.keyLength, keys.iv.count == 12 else { return .failure(.unsupportedCipher) }
        let sampleStart = pnOffset + sampleOffset
        let sample = UnsafeRawBufferPointer(rebasing: packet[sampleStart..<(sampleStart + sampleLength)])
        guard let mask = QUICHeaderProtection.mask(sample: sample, hp: keys.hp, aead: keys.aead) else {
            return .failure(.unsupportedCipher)
        }

        let isLong = packet[0] & 0x80 != 0
        let first = packet[0] ^ (mask[0] & (isLong ? 0x0f : 0x1f))
        let pnLength = Int(first & 0x03) + 1
        // The header (with first byte and packet number unmasked) is the AAD.
        var header = Array(packet[0..<(pnOffset + pnLength)])
        header[0] = first
        var truncated: UInt64 = 0
        for i in 0..<pnLength {
            let b = header[pnOffset + i] ^ mask[1 + i]
            header[pnOffset + i] = b
            truncated = truncated << 8 | UInt64(b)
        }
        let packetNumber = QUICPacketNumber.decode(truncated: truncated, length: pnLength, largest: largestPacketNumber)

        // The sample check above guarantees pnOffset + 4 + 16 bytes, so the tag fits.
        let bodyStart = pnOffset + pnLength
        let tagStart = packet.count - tagLength
        let ciphertext = UnsafeRawBufferPointer(rebasing: packet[bodyStart..<tagStart])
        let tag = UnsafeRawBufferPointer(rebasing: packet[tagStart...])
        let nonce = self.nonce(iv: keys.iv, packetNumber: packetNumber)

        guard let payload = decrypt(ciphertext: ciphertext, tag: tag, nonce: nonce, aad: header, keys: keys) else {
            return .failure(.authenticationFailed)
        }
        let opened = QUICOpenedPacket(packetNumber: packetNumber, payload: payload,
                                      keyPhase: isLong ? nil : first & 0x04 != 0,
                                      firstByte: first, packetNumberLength: pnLength)
        // Reserved bits are only meaningful once the AEAD vouched for the header.
        if first & (isLong ? 0x0c : 0x18) != 0 { return .failure(.reservedBitsSet(opened)) }
        return .success(opened)
    }

    /// Opens a packet held in an array.
    public static func open(packet: [UInt8], pnOffset: Int, keys: QUICPacketKeys,
                            largestPacketNumber: Int64?) -> Result<QUICOpenedPacket, QUICOpenError> {
        packet.withUnsafeBytes { open(packet: $0, pnOffset: pnOffset, keys: keys, largestPacketNumber: largestPacketNumber) }
    }

    /// The AEAD nonce: the IV with the packet number XORed into its low bytes.
    static func nonce(iv: [UInt8], packetNumber: Int64) -> [UInt8] {
        var nonce = iv
        let pn = UInt64(truncatingIfNeeded: packetNumber)
        for i in 0..<8 where nonce.count - 1 - i >= 0 {
            nonce[nonce.count - 1 - i] ^= UInt8(truncatingIfNeeded: pn >> (8 * i))
        }
        return nonce
    }

    private static func decrypt(ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, nonce: [UInt8],
                                aad: [UInt8], keys: QUICPacketKeys) -> [UInt8]? {
        let key = SymmetricKey(data: keys.key)
        do {
            switch keys.aead {
            case .aes128gcm, .aes256gcm:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try AES.GCM.open(box, using: key, authenticating: aad))
            case .chacha20poly1305:
                let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try ChaChaPoly.open(box, using: key, authenticating: aad))
            }
        } catch {
            return nil
        }
    }
}
