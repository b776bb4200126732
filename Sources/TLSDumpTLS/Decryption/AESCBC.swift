import Crypto

// Placeholder until TLSDumpTLS depends on swift-crypto's `_CryptoExtras`
// (AES._CBC); replaced by the real implementation then.
enum AESCBC {
    static let blockSize = 16

    static func decrypt(key: SymmetricKey, iv: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer) throws(DecryptionError) -> [UInt8] {
        throw .unsupportedSuite("AES-CBC (needs _CryptoExtras)")
    }
}
