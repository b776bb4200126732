import TLSDumpQUIC

/// What the first packet of a datagram from an unknown address pair says:
/// whether it can open a QUIC connection, and whether its sender is the client.
struct QUICFirstPacket {
    let type: QUICPacketType
    /// A client Initial: padded to 1,200 bytes (RFC 9000 14.1).
    let isClientInitial: Bool

    /// nil unless the payload starts with a QUIC long header of a known
    /// version (or a version negotiation packet): a few comparisons for other UDP.
    init?(_ payload: UnsafeRawBufferPointer) {
        guard QUICDatagramSplitter.looksLikeQUIC(payload, minimumInitialSize: 0) else { return nil }
        let version = UInt32(payload[1]) << 24 | UInt32(payload[2]) << 16 | UInt32(payload[3]) << 8 | UInt32(payload[4])
        if version == 0 {
            type = .versionNegotiation
        } else if let info = QUICVersion.known(version) {
            type = info.packetType(firstByte: payload[0])
        } else {
            return nil
        }
        isClientInitial = type == .initial && payload.count >= QUICDatagramSplitter.minimumInitialDatagramSize
    }

    /// Whether a datagram could belong to QUIC at all, long header or short
    /// (fixed bit): for dropping other UDP before it is copied to a worker.
    static func mayBeQUIC(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard let first = payload.first else { return false }
        return first & 0xC0 != 0
    }
}
