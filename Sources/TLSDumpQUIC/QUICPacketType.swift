/// The kind of a QUIC packet, independent of the version's wire encoding
/// (QUIC v2 rotates the long-header type bits; `QUICVersionInfo` maps them).
public enum QUICPacketType: Sendable, Equatable, Hashable, CaseIterable {
    case initial
    case zeroRTT
    case handshake
    case retry
    case versionNegotiation
    /// A short-header (1-RTT) packet.
    case short
    /// A long header of a version this library does not know: only the
    /// version-independent fields (RFC 8999: version, connection IDs) are read.
    case unknownVersion

    /// The name used in reports ("Initial", "0-RTT", "1-RTT", ...).
    public var name: String {
        switch self {
        case .initial: return "Initial"
        case .zeroRTT: return "0-RTT"
        case .handshake: return "Handshake"
        case .retry: return "Retry"
        case .versionNegotiation: return "VersionNegotiation"
        case .short: return "1-RTT"
        case .unknownVersion: return "Unknown"
        }
    }
}
