import TLSDumpTLS

/// What carries a connection's TLS: a TCP stream, QUIC over UDP (and DTLS
/// over UDP, next). One value per connection, set by whoever opened it (the
/// TCP tracker or the UDP dispatcher); everything downstream (flow identity,
/// Community ID, ECS, JA4's first letter) reads it instead of guessing.
public enum Transport: String, Sendable, CaseIterable {
    case tcp
    case quic

    /// The IP protocol number under it (Community ID, ECS `network.iana_number`).
    public var ipProtocol: UInt8 {
        switch self {
        case .tcp: 6
        case .quic: 17
        }
    }

    /// The transport-layer name (ECS `network.transport`).
    public var ipProtocolName: String {
        switch self {
        case .tcp: "tcp"
        case .quic: "udp"
        }
    }

    /// The application protocol name (ECS `network.protocol`).
    public var protocolName: String {
        switch self {
        case .tcp: "tls"
        case .quic: "quic"
        }
    }

    /// JA4's transport letter for ClientHellos carried this way.
    public var ja4: JA4Transport {
        switch self {
        case .tcp: .tcp
        case .quic: .quic
        }
    }

    /// Runs over UDP: its datagrams go through the `UDPDispatcher`.
    public var overUDP: Bool { self != .tcp }
}
