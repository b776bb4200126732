import Crypto
import Foundation

extension QUICPacketProtection {
    /// Applies packet and header protection (the inverse of `open`): for
    /// building test packets and fuzz seeds, not used to dissect. `header` ends
    /// with the packet number (its length in the first byte's low 2 bits);
    /// `pnOffset` is where it starts. nil when the sample would not fit (pad
    /// the payload) or the keys do not fit their cipher.
    public static func seal(header: [UInt8], pnOffset: Int, packetNumber: Int64, payload: [UInt8],
                            keys: QUICPacketKeys) -> [UInt8]? {
        guard let first = header.first, pnOffset >= 1, pnOffset < header.count else { return nil }
        let pnLength = Int(first & 0x03) + 1
        guard header.count == pnOffset + pnLength, keys.key.count == keys.aead.keyLength, keys.iv.count == 12 else { return nil }
        let key = SymmetricKey(data: keys.key)
        let nonce = self.nonce(iv: keys.iv, packetNumber: packetNumber)
        var body: [UInt8]
        do {
            switch keys.aead {
            case .aes128gcm, .aes256gcm:
                let box = try AES.GCM.seal(payload, using: key, nonce: AES.GCM.Nonce(data: nonce), authenticating: header)
                body = Array(box.ciphertext) + Array(box.tag)
            case .chacha20poly1305:
                let box = try ChaChaPoly.seal(payload, using: key, nonce: ChaChaPoly.Nonce(data: nonce), authenticating: header)
                body = Array(box.ciphertext) + Array(box.tag)
            }
        } catch {
            return nil
        }
        var packet = header + body
        let sampleStart = pnOffset + sampleOffset
        guard packet.count >= sampleStart + sampleLength else { return nil }
        let mask = packet.withUnsafeBytes {
            QUICHeaderProtection.mask(sample: UnsafeRawBufferPointer(rebasing: $0[sampleStart..<(sampleStart + sampleLength)]),
                                      hp: keys.hp, aead: keys.aead)
        }
        guard let mask else { return nil }
        packet[0] ^= mask[0] & (first & 0x80 != 0 ? 0x0f : 0x1f)
        for i in 0..<pnLength { packet[pnOffset + i] ^= mask[1 + i] }
        return packet
    }
}
