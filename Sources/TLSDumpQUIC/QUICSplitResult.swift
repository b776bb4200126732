/// Every packet of one datagram at once (a convenience over the
/// `QUICDatagramSplitter` iterator; it allocates the array).
public struct QUICSplitResult: Sendable, Equatable {
    public var packets: [QUICPacketView]
    /// The error that stopped the walk, after `packets`.
    public var error: QUICSplitError?
    /// Filler bytes after the last packet (not a packet).
    public var trailingBytesSkipped: Int
}

extension QUICDatagramSplitter {
    /// Splits `datagram` into its packets.
    public static func split(_ datagram: UnsafeRawBufferPointer, shortHeaderDCIDLength: Int? = nil) -> QUICSplitResult {
        var splitter = QUICDatagramSplitter(datagram, shortHeaderDCIDLength: shortHeaderDCIDLength)
        var packets: [QUICPacketView] = []
        while let next = splitter.next() {
            if case .success(let view) = next { packets.append(view) }
        }
        return QUICSplitResult(packets: packets, error: splitter.error, trailingBytesSkipped: splitter.trailingBytesSkipped)
    }

    /// Splits `datagram` into its packets.
    public static func split(_ datagram: [UInt8], shortHeaderDCIDLength: Int? = nil) -> QUICSplitResult {
        datagram.withUnsafeBytes { split($0, shortHeaderDCIDLength: shortHeaderDCIDLength) }
    }
}
