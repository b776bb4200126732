import TLSDumpTLS

/// Encrypted Client Hello (RFC 9849) on a connection: what the client sent
/// and what the server's answer shows. A GREASE extension looks like a real
/// offer, and acceptance is confirmed in the ServerHello random by a value
/// only the inner ClientHello's holder can compute: `outcome` says only what
/// the capture shows.
public struct ECHSummary: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// The server's decrypted EncryptedExtensions carried retry_configs: it did not use the inner hello.
        case rejected
        /// Nothing seen tells acceptance from rejection (`reason` says why).
        case notDeterminable = "not_determinable"
    }

    /// The extension as the ClientHello carried it; nil when it did not parse.
    public var offer: ECHClientHello?
    /// The outer ClientHello's server_name: the public name of the client-facing server.
    public var outerSNI: String?
    public var retryConfigs: [ECHConfig]?
    public var retryConfigsDropped = 0
    /// A HelloRetryRequest carried an encrypted_client_hello extension (its acceptance confirmation, or random bytes).
    public var helloRetryExtension = false
    /// The server's EncryptedExtensions were read (in clear is impossible: decrypted).
    public var encryptedExtensionsRead = false

    public init(offer: ECHClientHello?, outerSNI: String?) {
        self.offer = offer
        self.outerSNI = outerSNI
    }

    public var outcome: Outcome { retryConfigs != nil ? .rejected : .notDeterminable }

    public var reason: String? {
        guard retryConfigs == nil else { return nil }
        if encryptedExtensionsRead {
            return "the server sent no retry_configs (it accepted ECH, or does not support it and ignored a GREASE or stale offer); acceptance is confirmed in the ServerHello random by a value computed from the encrypted inner ClientHello"
        }
        return "without keys the EncryptedExtensions (where a rejecting server sends retry_configs) stay encrypted; acceptance is confirmed in the ServerHello random by a value computed from the encrypted inner ClientHello"
    }
}
