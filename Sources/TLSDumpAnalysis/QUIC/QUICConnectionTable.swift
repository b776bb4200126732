import TLSDumpBase
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpQUIC

/// The QUIC connections of one analyser, found by address pair or, for a
/// packet from a new address pair, by the connection ID it carries (a
/// client that moved: NAT rebinding or migration).
///
/// Bounded like the TCP flow table: the address-pair table caps connections
/// and expires idle ones (each connection holds at most `QUICConnection.maxPaths`
/// pairs); the ID index holds two ids per connection and goes with it.
final class QUICConnectionTable {
    let paths: FlowTable<QUICConnection>
    private var byID: [QUICConnectionIDKey: (connection: QUICConnection, owner: Side)] = [:]
    /// Lengths of the ids in use: a short header does not say its id's length.
    private var idLengths: [Int] = []

    init(limits: FlowTableLimits) {
        paths = FlowTable(limits: limits)
    }

    var count: Int { paths.count }

    func lookup(_ key: FlowKey, hash: FlowHash, at time: Timestamp) -> QUICConnection? {
        paths.lookupAndTouch(key, hash: hash, at: time)
    }

    /// The connection a 1-RTT packet from an unknown address pair belongs to,
    /// by the Destination Connection ID it carries, and whether its sender is
    /// the client (the id is the server's). Only short headers migrate (RFC
    /// 9000 9: not before the handshake is confirmed); a long header from a
    /// new address pair is a new connection.
    func lookup(migratingPacket payload: UnsafeRawBufferPointer) -> (connection: QUICConnection, senderIsClient: Bool)? {
        guard !byID.isEmpty, let first = payload.first, first & 0xc0 == 0x40 else { return nil }
        for length in idLengths where payload.count > length {
            if let found = byID[QUICConnectionIDKey(UnsafeRawBufferPointer(rebasing: payload[1..<(1 + length)]))] {
                return (found.connection, found.owner == .server)
            }
        }
        return nil
    }

    /// Indexes the connection's ids (call when they are learnt).
    func index(_ connection: QUICConnection) {
        for (id, owner) in connection.connectionIDs where id.count <= 20 {
            let key = QUICConnectionIDKey(id)
            guard byID[key] == nil else { continue }
            byID[key] = (connection, owner)
            if !idLengths.contains(id.count) && idLengths.count < 8 { idLengths.append(id.count) }
        }
    }

    /// The connection is over: its paths and ids leave the table.
    func forget(_ connection: QUICConnection) {
        for path in connection.paths where paths.lookup(path) === connection { paths.remove(path) }
        for (id, _) in connection.connectionIDs {
            let key = QUICConnectionIDKey(id)
            if byID[key]?.connection === connection { byID[key] = nil }
        }
    }
}

/// A connection id as a dictionary key (at most 20 bytes in QUIC v1 and v2),
/// held inline: looking up the id of a datagram from an unknown address pair
/// (any UDP that may be QUIC) allocates nothing. Longer input is cut to 20
/// bytes; callers pass ids of at most 20.
struct QUICConnectionIDKey: Hashable {
    private var words: (UInt64, UInt64, UInt32) = (0, 0, 0)
    private let length: UInt8

    init(_ bytes: UnsafeRawBufferPointer) {
        let count = min(bytes.count, 20)
        length = UInt8(truncatingIfNeeded: count)
        withUnsafeMutableBytes(of: &words) { storage in
            storage.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        }
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { QUICConnectionIDKey($0) }
    }

    static func == (a: QUICConnectionIDKey, b: QUICConnectionIDKey) -> Bool {
        a.length == b.length && a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(length)
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
    }
}
