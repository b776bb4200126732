/// One QUIC packet found in a UDP datagram, as ranges into that datagram
/// (no copies: the splitter allocates nothing for short-header packets).
///
/// Byte ranges (`range`, `dcid`, `scid`, `token`, `retryIntegrityTag`) are
/// offsets into the datagram; `pnOffset` counts from the packet's first byte,
/// which is what `QUICPacketProtection.open` takes together with the bytes of `range`.
public struct QUICPacketView: Sendable, Equatable {
    public var type: QUICPacketType
    /// The long header's version; 0 for version negotiation and short headers.
    public var version: UInt32
    /// The first byte as on the wire (still header-protected).
    public var firstByte: UInt8
    /// The whole packet within the datagram.
    public var range: Range<Int>
    /// Destination Connection ID (empty for a short header whose DCID length is unknown).
    public var dcid: Range<Int>
    /// Source Connection ID (long headers only).
    public var scid: Range<Int>
    /// Initial: the token; Retry: the retry token. Empty otherwise.
    public var token: Range<Int>
    /// Offset of the packet number from the packet's start; nil where there is
    /// none (Retry, version negotiation, unknown versions) or where it cannot be
    /// known (short header without the connection's DCID length).
    public var pnOffset: Int?
    /// Version negotiation: the versions offered (at most `QUICDatagramSplitter.maxSupportedVersions`).
    public var supportedVersions: [UInt32]
    /// Retry: the 16-byte integrity tag.
    public var retryIntegrityTag: Range<Int>?

    public init(type: QUICPacketType, version: UInt32, firstByte: UInt8, range: Range<Int>,
                dcid: Range<Int>, scid: Range<Int>, token: Range<Int>, pnOffset: Int?,
                supportedVersions: [UInt32] = [], retryIntegrityTag: Range<Int>? = nil) {
        self.type = type
        self.version = version
        self.firstByte = firstByte
        self.range = range
        self.dcid = dcid
        self.scid = scid
        self.token = token
        self.pnOffset = pnOffset
        self.supportedVersions = supportedVersions
        self.retryIntegrityTag = retryIntegrityTag
    }

    /// Whether the packet has a long header.
    public var isLongHeader: Bool { firstByte & 0x80 != 0 }

    /// Copies `range` (e.g. `dcid`) out of the datagram this view was made from.
    public static func bytes(_ range: Range<Int>, in datagram: UnsafeRawBufferPointer) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= datagram.count else { return [] }
        return Array(datagram[range])
    }

    /// Copies `range` out of a datagram held in an array.
    public static func bytes(_ range: Range<Int>, in datagram: [UInt8]) -> [UInt8] {
        datagram.withUnsafeBytes { bytes(range, in: $0) }
    }
}
