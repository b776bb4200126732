import TLSDumpTLS

/// How a handshake agreed on its keys, as far as the capture shows it: the
/// method, the group the server chose, a group a HelloRetryRequest forced,
/// and what the client offered. A null group always has a reason.
public struct KeyExchangeSummary: Sendable, Equatable {
    public enum Method: String, Sendable {
        /// TLS 1.3: (EC)DHE or a KEM over the group of the server's key_share.
        case keyShare = "key_share"
        /// TLS 1.3 resumption with psk_ke: no key agreement at all.
        case pskOnly = "psk_only"
        case ecdhe, dhe, rsa, psk
        case ecdhePSK = "ecdhe_psk"
        case dhePSK = "dhe_psk"
        case rsaPSK = "rsa_psk"
        case ecdhStatic = "ecdh_static"
        case dhStatic = "dh_static"
        /// TLS 1.2 and older: an abbreviated handshake reuses the earlier session's keys.
        case resumption
        case sslv2
        case other
    }

    /// Nil until the ServerHello (or while unknown: `unknownReason` says why).
    public var method: Method?
    /// The server's named group: TLS 1.3 key_share, TLS 1.2 ServerKeyExchange named_curve.
    public var group: UInt16?
    /// Finite-field DHE (TLS 1.2 and older): the prime's size.
    public var dhPrimeBits: Int?
    /// Finite-field DHE: "ffdhe2048" ... (RFC 7919, then `group` is set too), "rfc3526_modp2048" ..., or "explicit" (a prime of the server's own).
    public var dhPrime: String?
    /// The group a HelloRetryRequest demanded (the client's first key shares did not suit the server).
    public var helloRetryGroup: UInt16?
    /// The client's key_share groups in wire order, GREASE included: the first ClientHello's (a
    /// second one after a HelloRetryRequest carries the group the server demanded).
    public var offeredKeyShares: [UInt16] = []
    /// The ClientHello had more key shares than the four kept.
    public var offeredKeySharesTruncated = false
    /// Post-quantum groups the client offered in key_share or supported_groups (any ClientHello of the handshake).
    public var offeredPostQuantumGroups: [UInt16] = []
    /// A ClientHello of the handshake was read (else the offer is unknown).
    public var clientHelloSeen = false
    /// Why `group` is null (when it is).
    public var unknownReason: String?

    public init() {}

    /// Null when no key exchange was seen, or none took place (resumption, PSK only).
    public var postQuantum: Bool? {
        if let group { return NamedGroupKind.isPostQuantum(group) }
        switch method {
        // Post-quantum groups exist only for TLS 1.3's key_share: these are classical whatever their group.
        case .ecdhe?, .dhe?, .rsa?, .ecdhePSK?, .dhePSK?, .rsaPSK?, .ecdhStatic?, .dhStatic?, .sslv2?: return false
        default: return nil
        }
    }
    /// Null when the ClientHello was not seen.
    public var offeredPostQuantum: Bool? { clientHelloSeen ? !offeredPostQuantumGroups.isEmpty : nil }

    /// A post-quantum offer answered with a classical key exchange.
    public var postQuantumDeclined: Bool {
        guard !offeredPostQuantumGroups.isEmpty, let method else { return false }
        switch method {
        case .pskOnly, .resumption, .other: return false
        default: return postQuantum != true
        }
    }

    /// The method a TLS 1.2-or-older suite implies; the group (if any) comes with the ServerKeyExchange.
    static func method(suite: UInt16) -> Method? {
        guard let info = CipherSuiteRegistry.info(suite) else { return nil }
        switch info.keyExchange {
        case .ecdhe: return .ecdhe
        case .dhe: return .dhe
        case .rsa: return .rsa
        case .psk: return .psk
        case .ecdhePSK: return .ecdhePSK
        case .dhePSK: return .dhePSK
        case .rsaPSK: return .rsaPSK
        case .ecdh: return .ecdhStatic
        case .dh: return .dhStatic
        case .tls13: return .keyShare
        case .srp, .krb5, .gost, .eccpwd, .null, .unknown: return .other
        }
    }

    /// The reason for a null group once the handshake is over (or the connection ended).
    mutating func explainMissingGroup(serverKeyExchangeHidden: Bool) {
        guard group == nil, unknownReason == nil else { return }
        switch method {
        case nil: unknownReason = "the ServerHello was not seen"
        case .rsa?, .rsaPSK?: unknownReason = "RSA key transport: the client encrypts the premaster secret to the server's key; there is no key-exchange group (and no forward secrecy)"
        case .psk?: unknownReason = "plain PSK key exchange: no Diffie-Hellman, no group"
        case .pskOnly?: unknownReason = "TLS 1.3 resumption with psk_ke: no key_share, no key agreement"
        case .resumption?: unknownReason = "an abbreviated handshake resumes the earlier session's keys: no key exchange"
        case .sslv2?: unknownReason = "SSL 2.0 uses RSA key transport: no group"
        case .dhe?, .dhePSK?, .dhStatic?:
            unknownReason = dhPrimeBits != nil
                ? "finite-field Diffie-Hellman before TLS 1.3 sends its prime, not a group name, and this prime is not a named group's (dh_bits is its size, dh_prime says what it is)"
                : (serverKeyExchangeHidden ? "the ServerKeyExchange was encrypted and not decrypted" : "the ServerKeyExchange was not seen")
        case .ecdhe?, .ecdhePSK?:
            unknownReason = serverKeyExchangeHidden ? "the ServerKeyExchange was encrypted and not decrypted" : "the ServerKeyExchange was not seen (or named no curve)"
        case .ecdhStatic?: unknownReason = "static ECDH: the curve is the server certificate's"
        case .keyShare?: unknownReason = "the ServerHello had no readable key_share"
        case .other?: unknownReason = "this key exchange has no named group"
        }
    }
}
