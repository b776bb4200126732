import TLSDumpBase

/// Iterates the frames of a decrypted packet payload. Frames carry no length,
/// so every known type is parsed to its end; an unknown type or a malformed
/// frame yields one `.failure` and ends the iteration.
public struct QUICFrameReader: IteratorProtocol {
    public let payload: UnsafeRawBufferPointer
    /// Where the next frame starts.
    public private(set) var offset = 0
    private var finished = false

    /// New-connection-ID frames carry 1 to 20 byte IDs (RFC 9000 19.15).
    static let maxConnectionIDLength = 20

    public init(_ payload: UnsafeRawBufferPointer) {
        self.payload = payload
    }

    public mutating func next() -> Result<QUICFrame, QUICFrameError>? {
        guard !finished, offset < payload.count else {
            finished = true
            return nil
        }
        let start = offset
        var reader = ByteReader(payload)
        reader.offset = offset
        do {
            let frame = try readFrame(&reader, start: start)
            offset = reader.offset
            return .success(frame)
        } catch let error as QUICFrameError {
            finished = true
            return .failure(error)
        } catch {
            finished = true
            return .failure(.malformed(at: start))
        }
    }

    /// Every frame of `payload`, then the error that stopped reading, if any.
    public static func frames(_ payload: UnsafeRawBufferPointer) -> (frames: [QUICFrame], error: QUICFrameError?) {
        var reader = QUICFrameReader(payload)
        var frames: [QUICFrame] = []
        var error: QUICFrameError?
        while let next = reader.next() {
            switch next {
            case .success(let f): frames.append(f)
            case .failure(let e): error = e
            }
        }
        return (frames, error)
    }

    // MARK: - Frames

    private func readFrame(_ r: inout ByteReader, start: Int) throws -> QUICFrame {
        let type = try r.quicVarint()
        switch type {
        case 0x00:
            // Merge the run: padding is most of an Initial.
            let from = min(r.offset, payload.count)
            let rest = UnsafeRawBufferPointer(rebasing: payload[from...])
            let zeros = rest.firstIndex { $0 != 0 } ?? rest.count
            r.offset = from + zeros
            return .padding(count: 1 + zeros)
        case 0x01:
            return .ping
        case 0x02, 0x03:
            return try readAck(&r, ecn: type == 0x03)
        case 0x04:  // RESET_STREAM: stream id, error code, final size
            try skipVarints(&r, 3)
        case 0x05:  // STOP_SENDING: stream id, error code
            try skipVarints(&r, 2)
        case 0x06:
            let offset = try r.quicVarint()
            let length = try r.quicLength()
            guard offset <= QUICVarint.max - UInt64(length) else { throw QUICFrameError.malformed(at: start) }
            let data = r.offset..<(r.offset + length)
            r.offset += length
            return .crypto(offset: offset, data: data)
        case 0x07:
            let length = try r.quicLength()
            guard length > 0 else { throw QUICFrameError.malformed(at: start) }
            let token = r.offset..<(r.offset + length)
            r.offset += length
            return .newToken(token: token)
        case 0x08...0x0f:
            let id = try r.quicVarint()
            let offset = type & 0x04 != 0 ? try r.quicVarint() : 0
            let length = type & 0x02 != 0 ? try r.quicLength() : r.remaining
            guard offset <= QUICVarint.max - UInt64(length) else { throw QUICFrameError.malformed(at: start) }
            let data = r.offset..<(r.offset + length)
            r.offset += length
            return .stream(id: id, offset: offset, data: data, fin: type & 0x01 != 0)
        case 0x10, 0x12, 0x13, 0x14, 0x16, 0x17, 0x19:
            // MAX_DATA, MAX_STREAMS x2, DATA_BLOCKED, STREAMS_BLOCKED x2, RETIRE_CONNECTION_ID: one varint
            try skipVarints(&r, 1)
        case 0x11, 0x15:  // MAX_STREAM_DATA, STREAM_DATA_BLOCKED: stream id, value
            try skipVarints(&r, 2)
        case 0x18:  // NEW_CONNECTION_ID: seq, retire prior to, length (1 byte), id, 16-byte reset token
            try skipVarints(&r, 2)
            let length = Int(try r.u8())
            guard (1...Self.maxConnectionIDLength).contains(length) else { throw QUICFrameError.malformed(at: start) }
            try r.skip(length + 16)
        case 0x1a, 0x1b:  // PATH_CHALLENGE, PATH_RESPONSE: 8 bytes
            try r.skip(8)
        case 0x1c, 0x1d:
            return .connectionClose(try readClose(&r, application: type == 0x1d))
        case 0x1e:
            return .handshakeDone
        case 0x30:  // DATAGRAM without length: the rest of the packet
            let data = r.offset..<payload.count
            r.offset = payload.count
            return .datagram(data: data)
        case 0x31:
            let length = try r.quicLength()
            let data = r.offset..<(r.offset + length)
            r.offset += length
            return .datagram(data: data)
        default:
            throw QUICFrameError.unknownFrameType(type, at: start)
        }
        return .other(type: type)
    }

    private func readAck(_ r: inout ByteReader, ecn: Bool) throws -> QUICFrame {
        let largest = try r.quicVarint()
        _ = try r.quicVarint()  // ACK delay
        let rangeCount = try r.quicVarint()
        _ = try r.quicVarint()  // first ACK range
        // Each further range is two varints (>= 2 bytes): a count beyond that is malformed,
        // and checking it first keeps the loop bounded by the payload.
        guard rangeCount <= UInt64(r.remaining / 2) else { throw ParseError.malformed("ack range count") }
        var i: UInt64 = 0
        while i < rangeCount {
            try skipVarints(&r, 2)
            i += 1
        }
        if ecn { try skipVarints(&r, 3) }
        return .ack(largest: largest, ecn: ecn)
    }

    private func readClose(_ r: inout ByteReader, application: Bool) throws -> QUICConnectionClose {
        let code = try r.quicVarint()
        let frameType = application ? nil : try r.quicVarint()
        let length = try r.quicLength()
        let reason = try r.slice(length)
        return QUICConnectionClose(isApplication: application, errorCode: code, frameType: frameType,
                                   reason: Array(reason.prefix(QUICConnectionClose.maxReasonBytes)),
                                   reasonLength: length)
    }

    private func skipVarints(_ r: inout ByteReader, _ count: Int) throws(ParseError) {
        for _ in 0..<count { _ = try r.quicVarint() }
    }
}
