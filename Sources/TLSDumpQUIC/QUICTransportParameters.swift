import TLSDumpBase

/// The QUIC transport parameters of a ClientHello or EncryptedExtensions
/// (extension 0x39, RFC 9000 18; drafts' 0xffa5 has the same format): a
/// sequence of (varint id, varint length, value).
public struct QUICTransportParameters: Sendable, Equatable {
    /// The extension codepoints carrying transport parameters.
    public static let extensionType: UInt16 = 0x39
    public static let draftExtensionType: UInt16 = 0xffa5
    /// At most this many ids are kept in `ids` (all are parsed).
    public static let maxIds = 64
    static let maxConnectionIDLength = 20

    public var originalDestinationConnectionID: [UInt8]?
    public var maxIdleTimeoutMs: UInt64?
    public var statelessResetToken: [UInt8]?
    public var maxUDPPayloadSize: UInt64?
    public var initialMaxData: UInt64?
    public var initialMaxStreamDataBidiLocal: UInt64?
    public var initialMaxStreamDataBidiRemote: UInt64?
    public var initialMaxStreamDataUni: UInt64?
    public var initialMaxStreamsBidi: UInt64?
    public var initialMaxStreamsUni: UInt64?
    public var ackDelayExponent: UInt64?
    public var maxAckDelayMs: UInt64?
    public var disableActiveMigration = false
    public var hasPreferredAddress = false
    public var activeConnectionIdLimit: UInt64?
    public var initialSourceConnectionID: [UInt8]?
    public var retrySourceConnectionID: [UInt8]?
    /// RFC 9221 max_datagram_frame_size (0x20).
    public var maxDatagramFrameSize: UInt64?
    /// RFC 9287 grease_quic_bit (0x2ab2).
    public var greaseQUICBit = false
    /// Reserved ids of the form 31 * N + 27 (RFC 9000 18.1) were present.
    public var hasGrease = false
    /// The parameter ids in order (the first `maxIds`).
    public var ids: [UInt64] = []
    /// How many parameters there were.
    public var count = 0

    public init() {}

    /// Parses an extension body.
    public static func parse(_ body: UnsafeRawBufferPointer) -> Result<QUICTransportParameters, QUICTransportParameterError> {
        do throws(QUICTransportParameterError) {
            return .success(try QUICTransportParameters(parsing: body))
        } catch {
            return .failure(error)
        }
    }

    /// Parses an extension body held in an array.
    public static func parse(_ body: [UInt8]) -> Result<QUICTransportParameters, QUICTransportParameterError> {
        body.withUnsafeBytes { parse($0) }
    }

    /// Whether `id` is a reserved (GREASE) parameter id.
    public static func isGrease(_ id: UInt64) -> Bool {
        id >= 27 && (id - 27) % 31 == 0
    }

    public init(parsing body: UnsafeRawBufferPointer) throws(QUICTransportParameterError) {
        var r = ByteReader(body)
        while !r.isAtEnd {
            let at = r.offset
            let id: UInt64
            let value: UnsafeRawBufferPointer
            do {
                id = try r.quicVarint()
                let length = try r.quicLength()
                value = try r.slice(length)
            } catch {
                throw .truncated(at: at)
            }
            count += 1
            if ids.count < Self.maxIds { ids.append(id) }
            if Self.isGrease(id) { hasGrease = true }
            try apply(id: id, value: value, at: at)
        }
    }

    private mutating func apply(id: UInt64, value: UnsafeRawBufferPointer, at: Int) throws(QUICTransportParameterError) {
        switch id {
        case 0x00: originalDestinationConnectionID = try Self.connectionID(id, value)
        case 0x01: maxIdleTimeoutMs = try Self.integer(id, value, at: at)
        case 0x02: statelessResetToken = Array(value.prefix(16))
        case 0x03: maxUDPPayloadSize = try Self.integer(id, value, at: at)
        case 0x04: initialMaxData = try Self.integer(id, value, at: at)
        case 0x05: initialMaxStreamDataBidiLocal = try Self.integer(id, value, at: at)
        case 0x06: initialMaxStreamDataBidiRemote = try Self.integer(id, value, at: at)
        case 0x07: initialMaxStreamDataUni = try Self.integer(id, value, at: at)
        case 0x08: initialMaxStreamsBidi = try Self.integer(id, value, at: at)
        case 0x09: initialMaxStreamsUni = try Self.integer(id, value, at: at)
        case 0x0a: ackDelayExponent = try Self.integer(id, value, at: at)
        case 0x0b: maxAckDelayMs = try Self.integer(id, value, at: at)
        case 0x0c: disableActiveMigration = true
        case 0x0d: hasPreferredAddress = true
        case 0x0e: activeConnectionIdLimit = try Self.integer(id, value, at: at)
        case 0x0f: initialSourceConnectionID = try Self.connectionID(id, value)
        case 0x10: retrySourceConnectionID = try Self.connectionID(id, value)
        case 0x20: maxDatagramFrameSize = try Self.integer(id, value, at: at)
        case 0x2ab2: greaseQUICBit = true
        default: break
        }
    }

    /// An integer parameter: one varint that fills the value exactly.
    private static func integer(_ id: UInt64, _ value: UnsafeRawBufferPointer, at: Int) throws(QUICTransportParameterError) -> UInt64 {
        guard let (v, n) = QUICVarint.read(value, at: 0), n == value.count else { throw .badIntegerValue(id: id, at: at) }
        return v
    }

    private static func connectionID(_ id: UInt64, _ value: UnsafeRawBufferPointer) throws(QUICTransportParameterError) -> [UInt8] {
        guard value.count <= maxConnectionIDLength else { throw .connectionIDTooLong(id: id, length: value.count) }
        return Array(value)
    }
}
