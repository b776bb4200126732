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
        offersStatusRequest = hello.extensionTypes.contains(ExtensionType.statusRequest) || hello.extensionTypes.contains(ExtensionType.statusRequestV2)
        offersSCT = hello.extensionTypes.contains(ExtensionType.signedCertificateTimestamp)
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
    /// The ClientHello's session id and the SHA-256 of its session ticket (RFC 5077), for resumption.
    var clientSessionID: ShortBytes?
    var clientTicketDigest: ShortBytes?

    init() {}
}

