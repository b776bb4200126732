import TLSDumpBase

/// The encrypted_client_hello extension (0xfe0d) of a ClientHello, RFC 9849
/// section 5: what a passive reader sees of it. A GREASE ECH extension
/// (section 6.2) has the same shape as a real one, so nothing here says which
/// it is; only the server's answer can (retry configs, or acceptance).
public struct ECHClientHello: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        /// ClientHelloOuter: the HPKE suite, the config id and the sizes of the
        /// encapsulated key and of the encrypted inner hello.
        case outer(kdf: UInt16, aead: UInt16, configID: UInt8, encLength: Int, payloadLength: Int)
        /// ClientHelloInner's marker (only inside the encrypted payload, or sent in
        /// clear by a broken client): no body.
        case inner
        /// A type this version of the RFC does not define.
        case unknown(type: UInt8)
    }

    public var form: Form

    public init(form: Form) { self.form = form }

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> ECHClientHello {
        var r = ByteReader(body)
        let type = try r.u8()
        switch type {
        case 0:
            let kdf = try r.u16()
            let aead = try r.u16()
            let configID = try r.u8()
            let enc = try r.vector(lengthBytes: 2)
            let payload = try r.vector(lengthBytes: 2)
            // payload<1..2^16-1>: an empty one is not an ECH offer.
            guard payload.remaining > 0 else { throw .malformed("ECH outer payload is empty") }
            guard r.isAtEnd else { throw .malformed("\(r.remaining) bytes after the ECH outer payload") }
            return ECHClientHello(form: .outer(kdf: kdf, aead: aead, configID: configID,
                                               encLength: enc.remaining, payloadLength: payload.remaining))
        case 1:
            guard r.isAtEnd else { throw .malformed("ECH inner marker has a body of \(r.remaining) bytes") }
            return ECHClientHello(form: .inner)
        default:
            return ECHClientHello(form: .unknown(type: type))
        }
    }
}
