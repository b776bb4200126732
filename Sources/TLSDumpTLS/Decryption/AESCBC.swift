import Crypto
import _CryptoExtras

/// Raw AES-CBC decryption (no padding removal: the TLS record layer checks its
/// own padding). The only use of `_CryptoExtras` besides `RSAPremaster`.
enum AESCBC {
    static let blockSize = 16

    /// Decrypts whole blocks. `ciphertext.count` must be a non-zero multiple of
    /// 16 and `iv` 16 bytes (callers check); any library failure is `.wrongKey`.
    static func decrypt(key: SymmetricKey, iv: [UInt8], ciphertext: UnsafeRawBufferPointer) throws(DecryptionError) -> [UInt8] {
        do {
            let plaintext = try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
            return Array(plaintext)
        } catch {
            throw .wrongKey
        }
    }
}
