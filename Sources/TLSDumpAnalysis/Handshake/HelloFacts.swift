import TLSDumpBase
import TLSDumpTLS

/// The parts of a ClientHello that the ServerHello consults (resumption, extensions).
struct ClientHelloFacts {
    var sessionID: ShortBytes
    var offersEncryptThenMAC: Bool
    var offersExtendedMasterSecret: Bool
    /// status_request or status_request_v2: the client asked for a stapled OCSP response.
    var offersStatusRequest: Bool
    /// signed_certificate_timestamp: the client asked for SCTs.
    var offersSCT: Bool

    init(_ hello: ClientHello) {
        sessionID = ShortBytes(hello.sessionID)
        offersEncryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC)
        offersExtendedMasterSecret = hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
        offersStatusRequest = hello.extensionTypes.contains(ExtensionType.statusRequest) || hello.extensionTypes.contains(ExtensionType.statusRequestV2)
        offersSCT = hello.extensionTypes.contains(ExtensionType.signedCertificateTimestamp)
    }
}

/// Hello values that only key derivation reads: written only when keys were
/// given, so without keys a handshake carries none of them.
struct HelloKeyInputs: DefaultInitializable {
    var clientLegacyVersion: UInt16?
    var clientRandom: ShortBytes?
    /// The ServerHello's random and session id.
    var serverRandom: ShortBytes?
    var serverSessionID: ShortBytes?

    init() {}
}

