import TLSDumpBase

/// QUIC packets (or their bytes) of one side, by packet type.
public struct QUICPacketCounts: Sendable, Equatable {
    public var initial = 0
    public var zeroRTT = 0
    public var handshake = 0
    public var retry = 0
    public var versionNegotiation = 0
    /// 1-RTT (short header) packets.
    public var short = 0

    public init() {}

    public var total: Int { initial + zeroRTT + handshake + retry + versionNegotiation + short }
}

/// How a QUIC connection ended, as far as the capture shows.
public struct QUICClose: Sendable, Equatable {
    public var sender: Side
    /// The packet type that carried the CONNECTION_CLOSE ("Initial", "Handshake", "1-RTT").
    public var packetType: String
    /// Frame 0x1d (application) rather than 0x1c (transport).
    public var application: Bool
    public var errorCode: UInt64
    /// The transport error's name (RFC 9000 20.1), or "crypto_error" with `tlsAlert`.
    public var errorName: String?
    /// crypto_error 0x0100-0x01ff: the TLS alert it names.
    public var tlsAlert: UInt8?
    /// The reason phrase, as sent (capped).
    public var reason: String
}

/// Decoded QUIC transport parameters of one side (RFC 9000 18.2).
public struct QUICTransportParameterSummary: Sendable, Equatable {
    public var maxIdleTimeoutMs: UInt64?
    public var initialMaxData: UInt64?
    public var activeConnectionIDLimit: UInt64?
    public var maxUDPPayloadSize: UInt64?
    public var initialMaxStreamsBidi: UInt64?
    public var initialMaxStreamsUni: UInt64?
    public var disableActiveMigration: Bool
    public var grease: Bool
    /// Parameter ids in wire order (capped).
    public var ids: [UInt64]

    public init(maxIdleTimeoutMs: UInt64?, initialMaxData: UInt64?, activeConnectionIDLimit: UInt64?, maxUDPPayloadSize: UInt64?,
                initialMaxStreamsBidi: UInt64?, initialMaxStreamsUni: UInt64?, disableActiveMigration: Bool, grease: Bool, ids: [UInt64]) {
        self.maxIdleTimeoutMs = maxIdleTimeoutMs
        self.initialMaxData = initialMaxData
        self.activeConnectionIDLimit = activeConnectionIDLimit
        self.maxUDPPayloadSize = maxUDPPayloadSize
        self.initialMaxStreamsBidi = initialMaxStreamsBidi
        self.initialMaxStreamsUni = initialMaxStreamsUni
        self.disableActiveMigration = disableActiveMigration
        self.grease = grease
        self.ids = ids
    }
}

/// The QUIC part of a `connection` event.
public struct QUICSummary: Sendable {
    /// The version the connection used (the last long header's), and its name.
    public var version: UInt32?
    public var versionName: String?
    /// Versions a server offered in a Version Negotiation packet.
    public var versionsOffered: [UInt32] = []
    /// The client's first Destination Connection ID: the Initial keys come from it.
    public var originalDestinationCID: [UInt8] = []
    /// Each side's own connection ID (its Source Connection ID).
    public var clientCID: [UInt8]?
    public var serverCID: [UInt8]?
    /// A Retry came (the Initial keys then come from its Source Connection ID).
    public var retry = false
    public var packets = SidePair(client: QUICPacketCounts(), server: QUICPacketCounts())
    public var bytes = SidePair(client: QUICPacketCounts(), server: QUICPacketCounts())
    public var datagrams = SidePair(client: 0, server: 0)
    /// Packets that looked like QUIC but no key opened, per side.
    public var undecryptable = SidePair(client: 0, server: 0)
    /// Packets whose header did not parse (the rest of their datagram is skipped), per side.
    public var malformed = SidePair(client: 0, server: 0)
    /// Long headers of a version tlsdump does not know, per side.
    public var unknownVersionPackets = SidePair(client: 0, server: 0)
    /// Opened packets whose frames did not parse to the end, per side.
    public var malformedFrames = SidePair(client: 0, server: 0)
    /// Bytes after the last packet of a datagram that are not a packet (padding), per side.
    public var paddingBytes = SidePair(client: 0, server: 0)
    /// Address pairs the connection used (more than one: migration or NAT rebinding).
    public var paths = 1
    public var close: QUICClose?
    /// The client's, from its ClientHello; the server's, from its EncryptedExtensions (keys needed).
    public var clientTransportParameters: QUICTransportParameterSummary?
    public var serverTransportParameters: QUICTransportParameterSummary?

    public init() {}

    /// The roles were the other way round: every per-side count swaps.
    mutating func swapSides() {
        packets = packets.swapped
        bytes = bytes.swapped
        datagrams = datagrams.swapped
        undecryptable = undecryptable.swapped
        malformed = malformed.swapped
        malformedFrames = malformedFrames.swapped
        unknownVersionPackets = unknownVersionPackets.swapped
        paddingBytes = paddingBytes.swapped
        swap(&clientCID, &serverCID)
    }
}
