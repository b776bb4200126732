/// Why the datagram splitter stopped at a packet. The datagram is complete
/// (UDP), so a header cut short is malformed, not "need more bytes".
public enum QUICSplitError: Error, Sendable, Equatable {
    /// The header ends before its fields do (at datagram offset `at`).
    case truncatedHeader(at: Int)
    /// A connection ID longer than 20 bytes in a version that forbids it.
    case connectionIDTooLong(at: Int, length: Int)
    /// The Length field runs past the end of the datagram.
    case lengthBeyondDatagram(at: Int, length: UInt64, available: Int)
    /// The Length field cannot hold even a packet number.
    case lengthTooSmall(at: Int)
    /// A version negotiation packet whose version list is not whole 4-byte words.
    case malformedVersionList(at: Int)
    /// A Retry packet too short for its integrity tag.
    case retryTooShort(at: Int)
}
