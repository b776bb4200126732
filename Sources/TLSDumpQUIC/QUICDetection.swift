extension QUICDatagramSplitter {
    /// Cheap content detection for a UDP payload: a long header (0x80) with
    /// either version 0 (version negotiation, whose list must be whole words) or
    /// a known version with the fixed bit set, connection IDs within bounds, and
    /// for an Initial a datagram of at least `minimumInitialSize` bytes.
    /// Non-QUIC payloads (DNS, ...) are rejected after a few comparisons.
    public static func looksLikeQUIC(_ payload: UnsafeRawBufferPointer,
                                     minimumInitialSize: Int = minimumInitialDatagramSize) -> Bool {
        let n = payload.count
        guard n >= 7 else { return false }
        let first = payload[0]
        guard first & 0x80 != 0 else { return false }
        let version = UInt32(payload[1]) << 24 | UInt32(payload[2]) << 16 | UInt32(payload[3]) << 8 | UInt32(payload[4])
        let dcidLength = Int(payload[5])
        if version == 0 {
            guard n > 6 + dcidLength else { return false }
            let scidLength = Int(payload[6 + dcidLength])
            let listBytes = n - (7 + dcidLength + scidLength)
            return listBytes >= 4 && listBytes % 4 == 0
        }
        guard first & 0x40 != 0, dcidLength <= maxConnectionIDLength, n > 6 + dcidLength else { return false }
        let scidLength = Int(payload[6 + dcidLength])
        guard scidLength <= maxConnectionIDLength, n >= 7 + dcidLength + scidLength,
              let info = QUICVersion.known(version) else { return false }
        if info.packetType(firstByte: first) == .initial { return n >= minimumInitialSize }
        return true
    }

    /// `looksLikeQUIC` over an array.
    public static func looksLikeQUIC(_ payload: [UInt8]) -> Bool {
        payload.withUnsafeBytes { looksLikeQUIC($0) }
    }
}
