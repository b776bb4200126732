/// Why packet keys could not be made from a secret.
public enum QUICKeyError: Error, Sendable, Equatable {
    /// Not a TLS 1.3 suite QUIC can use (AES-CCM suites are not supported).
    case unsupportedCipherSuite(UInt16)
    /// The secret's length is not the suite's hash length.
    case wrongSecretLength(expected: Int, got: Int)
}
