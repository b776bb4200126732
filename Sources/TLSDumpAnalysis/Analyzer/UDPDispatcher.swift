import TLSDumpQUIC

/// The one place that says which protocol a UDP datagram belongs to. Each
/// UDP transport (QUIC; DTLS next) says here, by content and never by port,
/// whether a datagram could be its own and whether it can open a connection.
/// The analyser asks it for datagrams of unknown address pairs, the sharded
/// and parallel runs ask it before copying or routing a datagram, and the
/// decoder decodes UDP only when some transport is enabled.
public struct UDPDispatcher: Sendable {
    /// The UDP transports enabled for this run, in the order they are asked.
    public let transports: [Transport]

    public init(config: AnalyzerConfig) {
        transports = config.quic ? [.quic] : []
    }

    /// Whether UDP needs decoding at all.
    public var wantsUDP: Bool { !transports.isEmpty }

    /// Whether any enabled transport could want this datagram (a first
    /// packet or a later one): other UDP (DNS, ...) is dropped before it is
    /// copied or looked up. A few comparisons.
    @inline(__always)
    public func mayClaim(_ payload: UnsafeRawBufferPointer) -> Bool {
        for transport in transports {
            switch transport {
            case .quic: if QUICFirstPacket.mayBeQUIC(payload) { return true }
            case .tcp: continue
            }
        }
        return false
    }

    /// For the first datagram of an unknown address pair: the transport that
    /// takes it as the start of a connection, nil for none.
    func claimFirst(_ payload: UnsafeRawBufferPointer) -> Transport? {
        for transport in transports {
            switch transport {
            case .quic: if QUICFirstPacket(payload) != nil { return .quic }
            case .tcp: continue
            }
        }
        return nil
    }

    /// Whether the datagram may continue a connection that changed its
    /// address pair (QUIC 1-RTT packets migrate, RFC 9000 9): a worker that
    /// does not own the pair checks it against its own connections' ids.
    @inline(__always)
    public func mayBeMigrated(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard transports.contains(.quic), let first = payload.first else { return false }
        return first & 0xC0 == 0x40   // short header, fixed bit
    }

    /// Whether the datagram could start a connection (a QUIC long header):
    /// its address pair is then owned by the worker its hash names.
    @inline(__always)
    public func mayStartConnection(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard let first = payload.first else { return false }
        return first & 0x80 != 0 && mayClaim(payload)
    }
}
