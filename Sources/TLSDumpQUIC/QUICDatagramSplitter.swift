/// Walks one UDP payload and yields its coalesced QUIC packets (RFC 9000 12.2).
///
/// Long-header packets are delimited by their Length field; a short-header
/// packet takes the rest of the datagram. After at least one packet, a byte
/// with the fixed bit (0x40) clear starts filler, not a packet (zero padding
/// appended by some clients, Zeek #4847): it and everything after it is
/// counted in `trailingBytesSkipped`. A malformed header yields one `.failure`
/// and ends the walk.
///
/// Works on a borrowed buffer and allocates nothing for short-header packets.
public struct QUICDatagramSplitter: IteratorProtocol {
    /// Connection IDs of the versions we know are at most 20 bytes (RFC 9000 17.2).
    public static let maxConnectionIDLength = 20
    /// Version negotiation lists are cut to this many versions.
    public static let maxSupportedVersions = 64
    /// Client Initials are padded to at least this size (RFC 9000 14.1).
    public static let minimumInitialDatagramSize = 1200

    public let datagram: UnsafeRawBufferPointer
    /// The DCID length of short-header packets on this connection, when known.
    public let shortHeaderDCIDLength: Int?
    /// Where the next packet starts.
    public private(set) var offset = 0
    public private(set) var packetCount = 0
    /// Bytes after the last packet that were not a packet.
    public private(set) var trailingBytesSkipped = 0
    /// The error that ended the walk, if one did.
    public private(set) var error: QUICSplitError?
    private var finished = false

    public init(_ datagram: UnsafeRawBufferPointer, shortHeaderDCIDLength: Int? = nil) {
        self.datagram = datagram
        self.shortHeaderDCIDLength = shortHeaderDCIDLength.map { Swift.max(0, Swift.min($0, Self.maxConnectionIDLength)) }
    }

    /// The next packet, a failure (then nil), or nil at the end.
    public mutating func next() -> Result<QUICPacketView, QUICSplitError>? {
        guard !finished, offset < datagram.count else {
            finished = true
            return nil
        }
        let first = datagram[offset]
        if packetCount > 0 && first & 0x40 == 0 {
            trailingBytesSkipped = datagram.count - offset
            offset = datagram.count
            finished = true
            return nil
        }
        let result = first & 0x80 != 0 ? parseLong(at: offset) : parseShort(at: offset)
        switch result {
        case .success(let view):
            packetCount += 1
            offset = view.range.upperBound
        case .failure(let e):
            error = e
            finished = true
        }
        return result
    }

    // MARK: - Headers

    private func parseShort(at start: Int) -> Result<QUICPacketView, QUICSplitError> {
        let end = datagram.count
        var dcid = (start + 1)..<(start + 1)
        var pnOffset: Int?
        if let length = shortHeaderDCIDLength {
            guard end - start >= 1 + length else { return .failure(.truncatedHeader(at: start)) }
            dcid = (start + 1)..<(start + 1 + length)
            pnOffset = 1 + length
        }
        return .success(QUICPacketView(type: .short, version: 0, firstByte: datagram[start], range: start..<end,
                                       dcid: dcid, scid: dcid.upperBound..<dcid.upperBound, token: end..<end,
                                       pnOffset: pnOffset))
    }

    private func parseLong(at start: Int) -> Result<QUICPacketView, QUICSplitError> {
        let end = datagram.count
        let first = datagram[start]
        var r = start + 1
        guard end - r >= 5 else { return .failure(.truncatedHeader(at: start)) }
        var version: UInt32 = 0
        for i in 0..<4 { version = version << 8 | UInt32(datagram[r + i]) }
        r += 4
        let info = version == 0 ? nil : QUICVersion.known(version)
        // RFC 8999: version-independent CIDs may be 255 bytes; v1/v2 cap them at 20.
        let cidLimit = info == nil ? 255 : Self.maxConnectionIDLength

        guard let dcid = connectionID(at: &r, limit: cidLimit) else { return .failure(cidError(at: r, limit: cidLimit)) }
        guard let scid = connectionID(at: &r, limit: cidLimit) else { return .failure(cidError(at: r, limit: cidLimit)) }
        let none = end..<end

        guard let info else {
            if version == 0 { return versionNegotiation(start: start, first: first, dcid: dcid, scid: scid, listStart: r) }
            return .success(QUICPacketView(type: .unknownVersion, version: version, firstByte: first, range: start..<end,
                                           dcid: dcid, scid: scid, token: none, pnOffset: nil))
        }
        let type = info.packetType(firstByte: first)
        var token = none
        switch type {
        case .retry:
            guard end - r >= 16 else { return .failure(.retryTooShort(at: start)) }
            return .success(QUICPacketView(type: .retry, version: version, firstByte: first, range: start..<end,
                                           dcid: dcid, scid: scid, token: r..<(end - 16), pnOffset: nil,
                                           retryIntegrityTag: (end - 16)..<end))
        case .initial:
            guard let (tokenLength, n) = QUICVarint.read(datagram, at: r) else { return .failure(.truncatedHeader(at: start)) }
            r += n
            guard tokenLength <= UInt64(end - r) else { return .failure(.truncatedHeader(at: start)) }
            token = r..<(r + Int(tokenLength))
            r = token.upperBound
        default:
            break
        }
        guard let (length, n) = QUICVarint.read(datagram, at: r) else { return .failure(.truncatedHeader(at: start)) }
        r += n
        guard length <= UInt64(end - r) else {
            return .failure(.lengthBeyondDatagram(at: start, length: length, available: end - r))
        }
        guard length >= 1 else { return .failure(.lengthTooSmall(at: start)) }
        return .success(QUICPacketView(type: type, version: version, firstByte: first, range: start..<(r + Int(length)),
                                       dcid: dcid, scid: scid, token: token, pnOffset: r - start))
    }

    /// Reads a 1-byte length and the ID; nil when too long or cut off (`r` then
    /// points at the length byte, for the error).
    private func connectionID(at r: inout Int, limit: Int) -> Range<Int>? {
        guard r < datagram.count else { return nil }
        let length = Int(datagram[r])
        guard length <= limit, datagram.count - (r + 1) >= length else { return nil }
        r += 1 + length
        return (r - length)..<r
    }

    private func cidError(at r: Int, limit: Int) -> QUICSplitError {
        guard r < datagram.count else { return .truncatedHeader(at: offset) }
        let length = Int(datagram[r])
        return length > limit ? .connectionIDTooLong(at: r, length: length) : .truncatedHeader(at: offset)
    }

    private func versionNegotiation(start: Int, first: UInt8, dcid: Range<Int>, scid: Range<Int>,
                                    listStart: Int) -> Result<QUICPacketView, QUICSplitError> {
        let end = datagram.count
        let listBytes = end - listStart
        guard listBytes >= 4, listBytes % 4 == 0 else { return .failure(.malformedVersionList(at: start)) }
        var versions: [UInt32] = []
        var p = listStart
        while p < end && versions.count < Self.maxSupportedVersions {
            var v: UInt32 = 0
            for i in 0..<4 { v = v << 8 | UInt32(datagram[p + i]) }
            versions.append(v)
            p += 4
        }
        return .success(QUICPacketView(type: .versionNegotiation, version: 0, firstByte: first, range: start..<end,
                                       dcid: dcid, scid: scid, token: end..<end, pnOffset: nil,
                                       supportedVersions: versions))
    }
}
