import Crypto
import _CryptoExtras

/// The premaster secret of an RSA key exchange, recovered with the server's
/// private key.
public enum RSAPremaster {
    /// PKCS#1 v1.5-decrypts the ClientKeyExchange's encrypted premaster (the
    /// bytes after the 2-byte length on TLS 1.0+) with a PEM private key
    /// (`BEGIN PRIVATE KEY` PKCS#8 or `BEGIN RSA PRIVATE KEY` PKCS#1, RSA
    /// 1024 bits or more). A premaster is only returned when the padding is
    /// valid, it is 48 bytes long and starts with `clientVersion` (the
    /// ClientHello's version): a wrong key is `.wrongKey`, never random bytes.
    public static func decrypt(encryptedPremaster: [UInt8], privateKeyPEM: String, clientVersion: UInt16) throws(DecryptionError) -> [UInt8] {
        let key: _RSA.Encryption.PrivateKey
        do {
            key = try _RSA.Encryption.PrivateKey(unsafePEMRepresentation: privateKeyPEM)
        } catch {
            throw .invalidPrivateKey("not a PEM RSA private key of 1024 bits or more")
        }
        // The ciphertext is exactly the modulus length; anything else cannot be ours.
        guard encryptedPremaster.count == key.keySizeInBits / 8 else { throw .wrongKey }
        let premaster: [UInt8]
        do {
            premaster = Array(try key.decrypt(encryptedPremaster, padding: ._WEAK_AND_INSECURE_PKCS_V1_5))
        } catch {
            throw .wrongKey
        }
        guard premaster.count == 48,
              premaster[0] == UInt8(truncatingIfNeeded: clientVersion >> 8),
              premaster[1] == UInt8(truncatingIfNeeded: clientVersion)
        else { throw .wrongKey }
        return premaster
    }
}
