import TLSDumpBase
import TLSDumpTLS

/// The parts of a ClientHello that the ServerHello consults (resumption, extensions).
struct ClientHelloFacts {
    var sessionID: ShortBytes
    var offersEncryptThenMAC: Bool
    var offersExtendedMasterSecret: Bool
    /// compress_certificate: bit N for algorithm id N (1 ... 7); bit 0 when the extension was sent.
    var certificateCompressionBits: UInt8 = 0

    init(_ hello: ClientHello) {
        sessionID = ShortBytes(hello.sessionID)
        if hello.extensionTypes.contains(ExtensionType.compressCertificate) {
            certificateCompressionBits = 1
            for id in hello.certificateCompressionAlgorithms where (1...7).contains(id) { certificateCompressionBits |= 1 << UInt8(id) }
        }
        offersEncryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC)
        offersExtendedMasterSecret = hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
    }

    func offersCertificateCompression(_ algorithm: UInt16) -> Bool {
        (1...7).contains(algorithm) && certificateCompressionBits & (1 << UInt8(algorithm)) != 0
    }

    /// The known algorithms the client listed (ids over 7 are not kept).
    var certificateCompressionOffered: [UInt16] {
        (1...7).filter { certificateCompressionBits & (1 << UInt8($0)) != 0 }.map(UInt16.init)
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

