import TLSDumpBase
import TLSDumpTLS

/// The parts of a ClientHello that the ServerHello consults (resumption, extensions).
struct ClientHelloFacts {
    var sessionID: ShortBytes
    var offersEncryptThenMAC: Bool
    var offersExtendedMasterSecret: Bool

    init(_ hello: ClientHello) {
        sessionID = ShortBytes(hello.sessionID)
        offersEncryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC)
        offersExtendedMasterSecret = hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
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

