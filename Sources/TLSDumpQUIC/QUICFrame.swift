/// One frame of a decrypted packet payload (RFC 9000 19). Byte ranges are
/// offsets into the payload the `QUICFrameReader` was given.
public enum QUICFrame: Sendable, Equatable {
    /// A run of PADDING (0x00) bytes, merged.
    case padding(count: Int)
    case ping
    /// ACK (0x02) or ACK_ECN (0x03): the largest acknowledged packet number.
    case ack(largest: UInt64, ecn: Bool)
    /// CRYPTO: handshake bytes at `offset` of the level's crypto stream.
    case crypto(offset: UInt64, data: Range<Int>)
    case connectionClose(QUICConnectionClose)
    case newToken(token: Range<Int>)
    /// STREAM (0x08-0x0f).
    case stream(id: UInt64, offset: UInt64, data: Range<Int>, fin: Bool)
    case handshakeDone
    /// DATAGRAM (RFC 9221, 0x30/0x31).
    case datagram(data: Range<Int>)
    /// Any other frame RFC 9000 defines (parsed to its end, contents not kept).
    case other(type: UInt64)

    /// Whether the frame elicits an acknowledgement (all but PADDING, ACK, CONNECTION_CLOSE).
    public var isAckEliciting: Bool {
        switch self {
        case .padding, .ack, .connectionClose: return false
        default: return true
        }
    }
}
