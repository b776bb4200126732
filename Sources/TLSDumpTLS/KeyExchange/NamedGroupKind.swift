/// What a TLS named group is, for the key-exchange report: post-quantum
/// (hybrid ML-KEM, pure ML-KEM, or the obsolete Kyber drafts) or classical.
public enum NamedGroupKind: Sendable, Equatable {
    /// A classical key agreement combined with ML-KEM (draft-ietf-tls-ecdhe-mlkem).
    case hybridPostQuantum
    /// ML-KEM alone (draft-ietf-tls-mlkem).
    case postQuantum
    /// The pre-standard Kyber hybrids Chrome 124-130 and Cloudflare used (obsolete).
    case obsoleteDraftPostQuantum
    case classical

    public init(_ group: UInt16) {
        switch group {
        case 0x11eb, 0x11ec, 0x11ed: self = .hybridPostQuantum          // SecP256r1MLKEM768, X25519MLKEM768, SecP384r1MLKEM1024
        case 0x0200, 0x0201, 0x0202: self = .postQuantum                // MLKEM512, MLKEM768, MLKEM1024
        case 0x6399, 0x639a: self = .obsoleteDraftPostQuantum           // X25519Kyber768Draft00, SecP256r1Kyber768Draft00
        default: self = .classical
        }
    }

    /// Resists a quantum computer (at least in part): recorded traffic stays safe.
    public var isPostQuantum: Bool { self != .classical }

    public static func isPostQuantum(_ group: UInt16) -> Bool { NamedGroupKind(group).isPostQuantum }
}
