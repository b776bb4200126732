/// Why a secret, key or record could not be used. Every failure of the
/// decryption layer is one of these values: bad input never traps, and a wrong
/// key is reported, never turned into plausible-looking garbage.
public enum DecryptionError: Error, Sendable, Equatable {
    /// The record did not authenticate: wrong key, wrong direction, wrong
    /// sequence number or damaged bytes. With MAC-then-encrypt CBC a bad
    /// padding is reported as this too, since under a wrong key the two cannot
    /// be told apart (RFC 5246 6.2.3.2 does the same).
    case badRecordMAC
    /// The record authenticated but its padding is malformed: CBC padding under
    /// encrypt-then-MAC, or a TLS 1.3 inner plaintext with no content type.
    case badPadding
    /// The body is shorter than the suite's explicit IV, MAC or tag.
    case tooShort
    /// A CBC body that is not a whole number of cipher blocks.
    case notBlockAligned
    /// A cipher suite (or cipher) this layer does not decrypt, by name.
    case unsupportedSuite(String)
    /// A protocol version this layer does not decrypt (SSL 3.0, unknown values).
    case unsupportedVersion(UInt16)
    /// The key material does not fit the suite (wrong key or IV length), or an
    /// RSA private key that does not decrypt this premaster.
    case wrongKey
    /// The RSA private key could not be read (not PEM, not RSA, too small).
    case invalidPrivateKey(String)
}
