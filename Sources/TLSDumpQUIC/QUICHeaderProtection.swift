import Crypto
import _CryptoExtras
import Foundation

/// The header protection mask (RFC 9001 5.4): 5 bytes computed from a 16-byte
/// ciphertext sample with the hp key.
public enum QUICHeaderProtection {
    /// AES suites: AES-ECB of the sample (one block, `AES.permute`).
    /// ChaCha20: the ChaCha20 keystream with counter = sample[0..<4]
    /// (little-endian) and nonce = sample[4..<16], applied to five zero bytes.
    /// nil when the sample is not 16 bytes or the key does not fit the cipher.
    public static func mask(sample: UnsafeRawBufferPointer, hp: [UInt8], aead: QUICAEAD) -> [UInt8]? {
        guard sample.count == 16, hp.count == aead.keyLength else { return nil }
        let key = SymmetricKey(data: hp)
        switch aead {
        case .aes128gcm, .aes256gcm:
            var block = Array(sample)
            do { try AES.permute(&block, key: key) } catch { return nil }
            return Array(block[0..<5])
        case .chacha20poly1305:
            do {
                let counter = try Insecure.ChaCha20CTR.Counter(data: UnsafeRawBufferPointer(rebasing: sample[0..<4]))
                let nonce = try Insecure.ChaCha20CTR.Nonce(data: UnsafeRawBufferPointer(rebasing: sample[4..<16]))
                let out = try Insecure.ChaCha20CTR.encrypt([UInt8](repeating: 0, count: 5), using: key, counter: counter, nonce: nonce)
                return Array(out)
            } catch {
                return nil
            }
        }
    }
}
