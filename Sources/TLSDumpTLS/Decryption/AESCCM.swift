import Crypto
import Foundation
import _CryptoExtras

/// AES-CCM (RFC 3610, NIST SP 800-38C) opening, built on AES-CTR (the
/// keystream, from swift-crypto's `AES._CTR`) and AES-CBC with a zero IV (the
/// CBC-MAC is its last ciphertext block): swift-crypto has no CCM. TLS uses
/// 12-byte nonces (L = 3) with 16-byte tags (CCM) or 8-byte ones (CCM_8,
/// RFC 6655); the construction here takes any nonce of 7 to 13 bytes and any
/// even tag length of 4 to 16, as the published vectors need.
public enum AESCCM {
    public enum Failure: Error, Equatable { case badParameters, authentication }

    /// Decrypts and authenticates `ciphertextAndTag` (the tag last).
    public static func open(key: SymmetricKey, nonce: [UInt8], aad: [UInt8], ciphertextAndTag: UnsafeRawBufferPointer,
                            tagLength: Int) throws(Failure) -> [UInt8] {
        let lengthSize = 15 - nonce.count                    // L
        guard (7...13).contains(nonce.count), (4...16).contains(tagLength), tagLength % 2 == 0,
              ciphertextAndTag.count >= tagLength else { throw .badParameters }
        let messageLength = ciphertextAndTag.count - tagLength
        // The message length must fit in L bytes (L >= 2 here: 2^16 at least, TLS records are smaller).
        guard lengthSize >= 8 || messageLength < 1 << (8 * lengthSize), aad.count < 0xff00 else { throw .badParameters }

        // Counter blocks A_i = flags(L-1) || nonce || i (L bytes): A_0 masks the tag, A_1... the message.
        var counter0 = [UInt8](repeating: 0, count: 16)
        counter0[0] = UInt8(lengthSize - 1)
        counter0.replaceSubrange(1...nonce.count, with: nonce)
        let encrypted = [UInt8](repeating: 0, count: 16) + ciphertextAndTag[0..<messageLength]
        let stream: [UInt8]
        do {
            stream = Array(try AES._CTR.encrypt(encrypted, using: key, nonce: AES._CTR.Nonce(nonceBytes: counter0)))
        } catch {
            throw .badParameters
        }
        let mask = stream[0..<16]                             // S_0 = E(A_0)
        let plaintext = Array(stream[16...])

        // B_0 = flags || nonce || message length; then the AAD (2-byte length prefix) and the message, each zero-padded.
        var blocks = [UInt8](repeating: 0, count: 16)
        blocks[0] = (aad.isEmpty ? 0 : 0x40) | UInt8((tagLength - 2) / 2) << 3 | UInt8(lengthSize - 1)
        blocks.replaceSubrange(1...nonce.count, with: nonce)
        for k in 0..<lengthSize { blocks[15 - k] = UInt8(truncatingIfNeeded: messageLength >> (8 * k)) }
        if !aad.isEmpty {
            blocks += [UInt8(aad.count >> 8), UInt8(aad.count & 0xff)] + aad
            blocks += [UInt8](repeating: 0, count: (16 - blocks.count % 16) % 16)
        }
        blocks += plaintext
        blocks += [UInt8](repeating: 0, count: (16 - blocks.count % 16) % 16)
        let mac: [UInt8]
        do {
            let chained = try AES._CBC.encrypt(blocks, using: key, iv: AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16)), noPadding: true)
            mac = Array(chained.suffix(16))
        } catch {
            throw .badParameters
        }
        guard mac.count == 16 else { throw .badParameters }
        var difference: UInt8 = 0
        for k in 0..<tagLength {
            difference |= (mac[k] ^ mask[mask.startIndex + k]) ^ ciphertextAndTag[messageLength + k]
        }
        guard difference == 0 else { throw .authentication }
        return plaintext
    }
}
