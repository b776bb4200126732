/// A packet with header and packet protection removed.
public struct QUICOpenedPacket: Sendable, Equatable {
    /// The full (decoded) packet number.
    public var packetNumber: Int64
    /// The plaintext frames.
    public var payload: [UInt8]
    /// Short headers: the key phase bit; nil for long headers.
    public var keyPhase: Bool?
    /// The unprotected first byte.
    public var firstByte: UInt8
    /// Length of the packet number field (1...4).
    public var packetNumberLength: Int

    public init(packetNumber: Int64, payload: [UInt8], keyPhase: Bool?, firstByte: UInt8, packetNumberLength: Int) {
        self.packetNumber = packetNumber
        self.payload = payload
        self.keyPhase = keyPhase
        self.firstByte = firstByte
        self.packetNumberLength = packetNumberLength
    }
}
