import TLSDumpBase
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpQUIC
import TLSDumpTLS

/// One QUIC connection: its packets split and counted, Initial packets
/// opened with the keys anyone can derive (RFC 9001 5.2), Handshake packets
/// with the key log's secrets, CRYPTO frames reassembled into the handshake
/// messages its `TLSSession` reads exactly as it reads TLS over TCP.
///
/// Tracked by connection IDs as well as by address pair (`QUICConnectionTable`):
/// a client that moves (NAT rebinding, migration) stays the same connection.
///
/// Memory: the CRYPTO streams and defragmenters exist while a handshake
/// runs; a 1-RTT packet is counted from its header and costs no allocation.
final class QUICConnection: TransportConnection {
    private(set) var summary = QUICSummary()
    /// The address pairs this connection answers to (the first is `key`).
    private(set) var paths: [FlowKey]
    /// For each path after the first: whether the client sends from its `first` end.
    private var clientIsFirstOnPath: [Bool] = []
    static let maxPaths = 4

    private var version: QUICVersionInfo?
    private var initialKeys: (client: QUICPacketKeys, server: QUICPacketKeys)?
    /// From the key log, once the ServerHello named the suite (nil: no keys, or not yet).
    private var handshakeKeys = SidePair<QUICPacketKeys?>(client: nil, server: nil)
    private var handshakeKeysLookedUp = false
    /// CRYPTO streams and their message defragmenters, per side and level.
    private var streams = QUICHandshakeStreams()
    /// Largest packet number opened per side and space (Initial, Handshake, 1-RTT), for decoding truncated numbers.
    private var largestPacketNumber = SidePair<[Int64?]>(client: [nil, nil, nil], server: [nil, nil, nil])
    /// 1-RTT keys, only when the trace asks for payloads (`-x`): each side's current
    /// generation; a key update (RFC 9001 6) moves to the next.
    private var applicationKeys = SidePair<QUICApplicationKeys?>(client: nil, server: nil)
    private var applicationKeysLookedUp = false
    /// The packet being read, for the trace ("Initial[0]"); each frame adds its name.
    private var packetLabel = ""
    private var decryptionFailureReported = false
    /// The random of the last ClientHello read (a Retry can make the client send another).
    private var clientRandom: [UInt8]?

    /// How many of `connectionIDs` the table has indexed.
    var indexedIDs = 0
    private(set) var closed = false
    private(set) var finalized = false
    var lingering = false

    init(key: FlowKey, serial: Int, clientDirection: FlowDirection, start: Timestamp, context: AnalysisContext) {
        paths = [key]
        super.init(key: key, serial: serial, context: context, transport: .quic, clientDirection: clientDirection, start: start)
        rolesSettled = true
        sawStart = true
    }

    /// The connection's ids as the table indexes them, with the side each
    /// belongs to: the ids each side gave itself in long headers, and those
    /// the client sent to (a server may switch ids during the handshake).
    /// At most `maxIDs`.
    private(set) var connectionIDs: [(id: [UInt8], owner: Side)] = []
    static let maxIDs = 6

    private func learnID(_ range: Range<Int>, owner: Side, in datagram: UnsafeRawBufferPointer) {
        guard !range.isEmpty, range.count <= QUICDatagramSplitter.maxConnectionIDLength, connectionIDs.count < Self.maxIDs,
              range.upperBound <= datagram.count, !connectionIDs.contains(where: { $0.id.elementsEqual(datagram[range]) }) else { return }
        connectionIDs.append((Array(datagram[range]), owner))
    }

    /// An address pair found by a packet that carried one of this connection's
    /// ids; `senderIsClient` tells which end of it is the client. True when
    /// the pair is the connection's (known already: it went idle and left the
    /// table while another pair was busy), false when over `maxPaths`.
    func addPath(_ path: FlowKey, senderIsClient: Bool, forward: Bool) -> Bool {
        if paths.contains(path) { return true }
        guard paths.count < Self.maxPaths else { return false }
        paths.append(path)
        clientIsFirstOnPath.append(senderIsClient == forward)
        summary.paths += 1
        return true
    }

    /// The ClientHello came from the side taken for the server (the capture
    /// began after the client's first packets): every per-side fact swaps.
    override func swapRoles() {
        super.swapRoles()
        summary.swapSides()
        handshakeKeys = handshakeKeys.swapped
        largestPacketNumber = largestPacketNumber.swapped
        clientIsFirstOnPath = clientIsFirstOnPath.map { !$0 }
        connectionIDs = connectionIDs.map { ($0.id, $0.owner == .client ? .server : .client) }
        // The swap comes from inside `streams.deliver` (a message it handed
        // over): the streams swap once that returns.
        streamsNeedSwap = true
    }

    private var streamsNeedSwap = false

    /// Who sent a datagram on `path` (`forward`: from its `first` end).
    private func sender(on path: FlowKey, forward: Bool) -> Side {
        if path == key { return side(of: forward ? .forward : .reverse) }
        guard let index = paths.firstIndex(of: path), index > 0, index - 1 < clientIsFirstOnPath.count else { return .client }
        return clientIsFirstOnPath[index - 1] == forward ? .client : .server
    }

    // MARK: - datagrams

    /// One UDP datagram of this connection. `forward`: sent from `path.first`.
    func handle(_ datagram: UDPDatagram, path: FlowKey, forward: Bool) {
        now = datagram.timestamp
        if datagram.timestamp > last { last = datagram.timestamp }
        let side = sender(on: path, forward: forward)
        summary.datagrams[side] += 1
        let session = tlsSession()
        let shortCIDLength = (side == .client ? summary.serverCID?.count : summary.clientCID?.count) ?? 0
        var splitter = QUICDatagramSplitter(datagram.payload, shortHeaderDCIDLength: shortCIDLength)
        var firstDCID: Range<Int>?
        while let item = splitter.next() {
            switch item {
            case .success(let packet):
                // RFC 9000 12.2: a later packet of a datagram with another Destination
                // Connection ID is not part of it (random padding that happens to look like one).
                if let first = firstDCID, !Self.sameBytes(first, packet.dcid, in: datagram.payload) {
                    summary.paddingBytes[side] += datagram.payload.count - packet.range.lowerBound
                    return
                }
                if firstDCID == nil { firstDCID = packet.dcid }
                handle(packet, in: datagram.payload, side: side, session: session)
            case .failure(let error):
                malformedPacket(error, in: datagram.payload, side: side)
            }
        }
        summary.paddingBytes[side] += splitter.trailingBytesSkipped
    }

    private func handle(_ packet: QUICPacketView, in datagram: UnsafeRawBufferPointer, side: Side, session: TLSSession) {
        count(packet, in: datagram, side: side)
        switch packet.type {
        case .versionNegotiation:
            if side == .server {
                for offered in packet.supportedVersions where summary.versionsOffered.count < 16 { summary.versionsOffered.append(offered) }
            }
        case .retry:
            guard side == .server, !summary.retry, let version else { return }
            // The client's next Initials go to the Retry's Source Connection ID, and their keys come from it.
            summary.retry = true
            let newID = QUICPacketView.bytes(packet.scid, in: datagram)
            summary.serverCID = newID
            initialKeys = QUICPacketKeys.initial(dcid: newID, version: version)
            // The client starts its Initial CRYPTO stream again; some clients (aioquic)
            // send a new ClientHello with a new random, which the key log then follows.
            streams.restart(level: 0, side: .client)
        case .initial:
            initial(packet, in: datagram, side: side, session: session)
        case .handshake:
            if summary.serverCID == nil && side == .server { summary.serverCID = QUICPacketView.bytes(packet.scid, in: datagram) }
            guard let keys = handshakeKeys[side] else {
                session.quicPacketLabel = "Handshake"
                session.quicEncryptedHandshakePacket(side: side, length: packet.range.count)
                session.quicPacketLabel = nil
                return
            }
            open(packet, in: datagram, keys: keys, space: 1, side: side, session: session)
        case .zeroRTT:
            session.quicApplicationPacket(side: side, length: packet.range.count)
        case .short:
            session.quicApplicationPacket(side: side, length: packet.range.count)
            if context.config.tracePayloads && context.wantsTrace { openApplicationPacket(packet, in: datagram, side: side, session: session) }
        case .unknownVersion:
            break
        }
    }

    private static func sameBytes(_ a: Range<Int>, _ b: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count, a.upperBound <= bytes.count, b.upperBound <= bytes.count else { return a.count == b.count && a.isEmpty }
        return bytes[a].elementsEqual(bytes[b])
    }

    /// A header that did not parse: a long header whose Length runs past the
    /// datagram is still a packet of its type (as tshark counts it), unreadable.
    private func malformedPacket(_ error: QUICSplitError, in datagram: UnsafeRawBufferPointer, side: Side) {
        summary.malformed[side] += 1
        guard case .lengthBeyondDatagram(let at, _, _) = error, at >= 0, at + 5 <= datagram.count else { return }
        let raw = UInt32(datagram[at + 1]) << 24 | UInt32(datagram[at + 2]) << 16 | UInt32(datagram[at + 3]) << 8 | UInt32(datagram[at + 4])
        guard let info = QUICVersion.known(raw) else { return }
        let view = QUICPacketView(type: info.packetType(firstByte: datagram[at]), version: raw, firstByte: datagram[at],
                                  range: at..<datagram.count, dcid: at..<at, scid: at..<at, token: at..<at, pnOffset: nil)
        count(view, side: side)
        notOpened(view.type, side: side, reason: "its Length field runs past the datagram")
    }

    /// A packet that should have opened did not: counted, and the first one reported.
    private func notOpened(_ type: QUICPacketType, side: Side, reason: @autoclosure () -> String) {
        summary.undecryptable[side] += 1
        guard !decryptionFailureReported else { return }
        decryptionFailureReported = true
        tlsSession().quicPacketNotOpened(side: side, packetType: type.name, reason: reason())
    }

    private func count(_ packet: QUICPacketView, in datagram: UnsafeRawBufferPointer, side: Side) {
        if packet.isLongHeader && packet.type != .versionNegotiation {
            learnID(packet.scid, owner: side, in: datagram)
            // The first client Initial's destination is a throwaway the server replaces.
            if side == .client && initialKeys != nil { learnID(packet.dcid, owner: .server, in: datagram) }
        }
        count(packet, side: side)
    }

    private func count(_ packet: QUICPacketView, side: Side) {
        let length = packet.range.count
        switch packet.type {
        case .initial: summary.packets[side].initial += 1; summary.bytes[side].initial += length
        case .zeroRTT: summary.packets[side].zeroRTT += 1; summary.bytes[side].zeroRTT += length
        case .handshake: summary.packets[side].handshake += 1; summary.bytes[side].handshake += length
        case .retry: summary.packets[side].retry += 1; summary.bytes[side].retry += length
        case .versionNegotiation: summary.packets[side].versionNegotiation += 1; summary.bytes[side].versionNegotiation += length
        case .short: summary.packets[side].short += 1; summary.bytes[side].short += length
        case .unknownVersion: summary.unknownVersionPackets[side] += 1
        }
        if packet.type != .versionNegotiation && packet.type != .short {
            if version == nil || version?.raw != packet.version { version = QUICVersion.known(packet.version) }
            summary.version = packet.version
            summary.versionName = version?.name
        }
    }

    private func initial(_ packet: QUICPacketView, in datagram: UnsafeRawBufferPointer, side: Side, session: TLSSession) {
        if side == .client {
            if summary.clientCID == nil { summary.clientCID = QUICPacketView.bytes(packet.scid, in: datagram) }
            if initialKeys == nil, let version {
                // RFC 9001 5.2: the client's first Destination Connection ID keys every Initial of the connection.
                summary.originalDestinationCID = QUICPacketView.bytes(packet.dcid, in: datagram)
                initialKeys = QUICPacketKeys.initial(dcid: summary.originalDestinationCID, version: version)
            }
        } else if summary.serverCID == nil {
            summary.serverCID = QUICPacketView.bytes(packet.scid, in: datagram)
        }
        guard let keys = initialKeys else {
            // The client's first Initial was not captured: its keys are unknown.
            summary.undecryptable[side] += 1
            return
        }
        open(packet, in: datagram, keys: side == .client ? keys.client : keys.server, space: 0, side: side, session: session)
    }

    private func open(_ packet: QUICPacketView, in datagram: UnsafeRawBufferPointer, keys: QUICPacketKeys, space: Int,
                      side: Side, session: TLSSession) {
        guard let opened = unprotect(packet, in: datagram, keys: keys, space: space, side: side) else { return }
        let origin: RecordOrigin = space == 0 ? .clear : .decrypted(recordLength: packet.range.count)
        if space > 0 { session.quicDecrypted() }
        packetLabel = "\(packet.type.name)[\(opened.packetNumber)]"
        defer { session.quicPacketLabel = nil }
        readFrames(opened.payload, packetType: packet.type, level: space, side: side, origin: origin, session: session)
    }

    /// Removes a packet's protection; a failure is counted (and the first one
    /// reported) unless `tentative` (another key may still open it).
    private func unprotect(_ packet: QUICPacketView, in datagram: UnsafeRawBufferPointer, keys: QUICPacketKeys, space: Int,
                           side: Side, tentative: Bool = false) -> QUICOpenedPacket? {
        guard let pnOffset = packet.pnOffset, packet.range.upperBound <= datagram.count else {
            if !tentative { summary.undecryptable[side] += 1 }
            return nil
        }
        let bytes = UnsafeRawBufferPointer(rebasing: datagram[packet.range])
        switch QUICPacketProtection.open(packet: bytes, pnOffset: pnOffset, keys: keys,
                                         largestPacketNumber: largestPacketNumber[side][space]) {
        case .success(let opened):
            if largestPacketNumber[side][space].map({ opened.packetNumber > $0 }) ?? true {
                largestPacketNumber[side][space] = opened.packetNumber
            }
            return opened
        case .failure(let error):
            if !tentative { notOpened(packet.type, side: side, reason: "\(error)") }
            return nil
        }
    }

    // MARK: - 1-RTT (only for -x)

    /// A 1-RTT packet opened with the key log's application secrets: its
    /// STREAM data goes to the trace as a hex dump, its CRYPTO frames
    /// (NewSessionTicket) to the session. A key update is followed.
    private func openApplicationPacket(_ packet: QUICPacketView, in datagram: UnsafeRawBufferPointer, side: Side, session: TLSSession) {
        lookUpApplicationKeys(session)
        guard var generation = applicationKeys[side] else { return }
        var opened = unprotect(packet, in: datagram, keys: generation.keys, space: 2, side: side, tentative: true)
        if opened == nil, let next = generation.next(version: version) {
            // The peer may have updated its keys (RFC 9001 6): the next generation opens it.
            opened = unprotect(packet, in: datagram, keys: next.keys, space: 2, side: side)
            if opened != nil { generation = next }
        } else if opened == nil {
            summary.undecryptable[side] += 1
        }
        applicationKeys[side] = generation
        guard let opened else { return }
        session.quicDecrypted()
        packetLabel = "\(packet.type.name)[\(opened.packetNumber)]"
        defer { session.quicPacketLabel = nil }
        let origin = RecordOrigin.decrypted(recordLength: packet.range.count)
        opened.payload.withUnsafeBytes { plaintext in
            var frames = QUICFrameReader(plaintext)
            while let frame = frames.next() {
                switch frame {
                case .success(.stream(let id, _, let data, let fin)):
                    let bytes = Array(plaintext[data])
                    session.quicPacketLabel = packetLabel + " STREAM \(id)" + (fin ? " FIN" : "")
                    session.trace(side, version: 0, contentType: ContentType.applicationData, length: bytes.count,
                                  "decrypted", origin: origin, payload: bytes)
                case .success(.crypto(let offset, let data)):
                    crypto(offset: offset, data: UnsafeRawBufferPointer(rebasing: plaintext[data]), level: 2, side: side,
                           origin: origin, session: session)
                case .success(.connectionClose(let close)):
                    connectionClose(close, packetType: packet.type, side: side, session: session)
                case .success:
                    break
                case .failure:
                    summary.malformedFrames[side] += 1
                }
            }
        }
    }

    private func lookUpApplicationKeys(_ session: TLSSession) {
        guard !applicationKeysLookedUp, let hs = session.current, let suite = hs.cipherSuite, let version,
              let random = hs.keyInputs.value.clientRandom?.bytes else { return }
        applicationKeysLookedUp = true
        for side in [Side.client, Side.server] {
            guard let secret = session.lookUp({ $0.secret(side == .client ? .clientTraffic0 : .serverTraffic0, clientRandom: random) }),
                  let keys = try? QUICPacketKeys.fromTrafficSecret(secret, cipherSuite: suite, version: version) else { continue }
            applicationKeys[side] = QUICApplicationKeys(keys: keys, secret: secret, cipherSuite: suite)
        }
    }

    // MARK: - frames

    private func readFrames(_ payload: [UInt8], packetType: QUICPacketType, level: Int, side: Side, origin: RecordOrigin,
                            session: TLSSession) {
        payload.withUnsafeBytes { plaintext in
            var frames = QUICFrameReader(plaintext)
            while let frame = frames.next() {
                switch frame {
                case .success(.crypto(let offset, let data)):
                    crypto(offset: offset, data: UnsafeRawBufferPointer(rebasing: plaintext[data]), level: level, side: side,
                           origin: origin, session: session)
                case .success(.connectionClose(let close)):
                    connectionClose(close, packetType: packetType, side: side, session: session)
                case .success:
                    break
                case .failure:
                    summary.malformedFrames[side] += 1
                }
            }
        }
    }

    private func crypto(offset: UInt64, data: UnsafeRawBufferPointer, level: Int, side: Side, origin: RecordOrigin,
                        session: TLSSession) {
        session.quicPacketLabel = packetLabel + " CRYPTO"
        streams.deliver(offset: offset, data: data, level: level, side: side) { item in
            switch item {
            case .message(let message):
                if message.type == HandshakeType.clientHello && side == .client {
                    // After a Retry the stream restarts: the same hello again is not news.
                    let random = message.body.count >= 34 ? Array(message.body[2..<34]) : []
                    if random == clientRandom { return }
                    clientRandom = random
                }
                noteTransportParameters(message, side: side)
                session.quicMessage(message, side: side, origin: origin)
                if message.type == HandshakeType.serverHello { lookUpHandshakeKeys(session) }
            case .oversized(let type, let length):
                session.quicOversizedMessage(type: type, length: length, side: side)
            }
        }
        if streamsNeedSwap {
            streamsNeedSwap = false
            streams.swapSides()
        }
    }

    private func connectionClose(_ close: QUICConnectionClose, packetType: QUICPacketType, side: Side, session: TLSSession) {
        closed = true
        session.quicPacketLabel = packetLabel + " CONNECTION_CLOSE"
        guard summary.close == nil else { return }
        summary.close = QUICClose(sender: side, packetType: packetType.name, application: close.isApplication,
                                  errorCode: close.errorCode, errorName: close.errorName, tlsAlert: close.tlsAlert,
                                  reason: String(decoding: close.reason, as: UTF8.self))
        if let alert = close.tlsAlert {
            session.quicAlert(side: side, description: alert, encrypted: packetType != .initial)
        }
    }

    /// The transport parameters of each side: the client's in its ClientHello,
    /// the server's in its EncryptedExtensions (readable only with keys).
    private func noteTransportParameters(_ message: HandshakeMessage, side: Side) {
        switch message.type {
        case HandshakeType.clientHello where side == .client && summary.clientTransportParameters == nil:
            guard let hello = try? ClientHello.parse(message.body), let raw = hello.quicTransportParameters else { return }
            summary.clientTransportParameters = Self.decode(raw)
        case HandshakeType.encryptedExtensions where side == .server && summary.serverTransportParameters == nil:
            var reader = ByteReader(message.body)
            guard let extensions = try? reader.extensions(),
                  let ext = extensions.first(where: { $0.type == ExtensionType.quicTransportParameters || $0.type == ExtensionType.quicTransportParametersDraft })
            else { return }
            summary.serverTransportParameters = Self.decode(Array(ext.body))
        default:
            break
        }
    }

    static func decode(_ raw: [UInt8]) -> QUICTransportParameterSummary? {
        guard case .success(let parameters) = QUICTransportParameters.parse(raw) else { return nil }
        return QUICTransportParameterSummary(
            maxIdleTimeoutMs: parameters.maxIdleTimeoutMs, initialMaxData: parameters.initialMaxData,
            activeConnectionIDLimit: parameters.activeConnectionIdLimit, maxUDPPayloadSize: parameters.maxUDPPayloadSize,
            initialMaxStreamsBidi: parameters.initialMaxStreamsBidi, initialMaxStreamsUni: parameters.initialMaxStreamsUni,
            disableActiveMigration: parameters.disableActiveMigration, grease: parameters.hasGrease, ids: parameters.ids)
    }

    // MARK: - keys

    /// After the ServerHello: the key log's handshake secrets for this client random give the Handshake packet keys.
    private func lookUpHandshakeKeys(_ session: TLSSession) {
        guard !handshakeKeysLookedUp, let hs = session.current, let suite = hs.cipherSuite, let version,
              let random = hs.keyInputs.value.clientRandom?.bytes else { return }
        handshakeKeysLookedUp = true
        guard let clientSecret = session.lookUp({ $0.secret(.clientHandshake, clientRandom: random) }),
              let serverSecret = session.lookUp({ $0.secret(.serverHandshake, clientRandom: random) }) else { return }
        do {
            handshakeKeys.client = try QUICPacketKeys.fromTrafficSecret(clientSecret, cipherSuite: suite, version: version)
            handshakeKeys.server = try QUICPacketKeys.fromTrafficSecret(serverSecret, cipherSuite: suite, version: version)
        } catch {
            session.observe(.decryptionUnsupported(reason: "QUIC packet protection: \(error)", handshake: hs.index))
        }
    }

    // MARK: - the end

    /// The `connection` event's summary (nil when no TLS was seen).
    func finish(reason: CloseReason, evicted: Bool) -> ConnectionSummary? {
        finalized = true
        now = last
        guard let session, session.isTLS || summary.packets.client.initial > 0 else { return nil }
        let bytes = SidePair(client: TCPSideState(payloadBytes: summary.bytes.client.total),
                             server: TCPSideState(payloadBytes: summary.bytes.server.total))
        var result = session.finish(close: closed ? .connectionClose : reason, evicted: evicted, tcp: bytes, start: start, end: last)
        if result.alpn == nil && result.version != nil && !result.decrypted {
            // TLS 1.3 puts the server's choice in EncryptedExtensions.
            result.unknownReasons.append(("alpn", "the server's ALPN choice is in its EncryptedExtensions, encrypted; no key was available"))
        }
        result.quic = summary
        return result
    }
}

/// One side's 1-RTT keys: the current generation and the secret the next comes from.
struct QUICApplicationKeys {
    var keys: QUICPacketKeys
    var secret: [UInt8]
    let cipherSuite: UInt16

    /// The next generation after a key update: new key and IV, the same header protection key.
    func next(version: QUICVersionInfo?) -> QUICApplicationKeys? {
        guard let version, let secret = try? QUICPacketKeys.nextTrafficSecret(secret, cipherSuite: cipherSuite, version: version),
              var keys = try? QUICPacketKeys.fromTrafficSecret(secret, cipherSuite: cipherSuite, version: version) else { return nil }
        keys.hp = self.keys.hp
        return QUICApplicationKeys(keys: keys, secret: secret, cipherSuite: cipherSuite)
    }
}

/// The CRYPTO streams of a connection: per side, the Initial, Handshake and
/// 1-RTT levels, each with its message defragmenter. Made on the first CRYPTO frame.
struct QUICHandshakeStreams {
    private var streams: [QUICCryptoStream] = []
    private var defragmenters: [HandshakeDefragmenter] = []
    static let levels = 3

    /// Index: side (client 0, server 1) * 3 + level (Initial 0, Handshake 1, 1-RTT 2).
    private static func index(level: Int, side: Side) -> Int { (side == .client ? 0 : levels) + min(max(level, 0), levels - 1) }

    mutating func deliver(offset: UInt64, data: UnsafeRawBufferPointer, level: Int, side: Side,
                          _ body: (HandshakeDefragmenter.Item) -> Void) {
        if streams.isEmpty {
            streams = Array(repeating: QUICCryptoStream(), count: 2 * Self.levels)
            defragmenters = (0..<(2 * Self.levels)).map { _ in HandshakeDefragmenter(maxMessageLength: QUICHandshakeStreams.maxMessageLength) }
        }
        let i = Self.index(level: level, side: side)
        _ = streams[i].add(offset: offset, data: data)
        while let bytes = streams[i].takeContiguous() {
            bytes.withUnsafeBytes { chunk in
                defragmenters[i].begin(chunk)
                while let item = defragmenters[i].next() { body(item) }
                defragmenters[i].end()
            }
        }
    }

    /// The roles were the other way round: the client's streams are the other half.
    mutating func swapSides() {
        guard !streams.isEmpty else { return }
        let n = Self.levels
        streams = Array(streams[n...]) + Array(streams[..<n])
        defragmenters = Array(defragmenters[n...]) + Array(defragmenters[..<n])
    }

    /// After a Retry: the stream starts again at offset 0 (what was read stays read).
    mutating func restart(level: Int, side: Side) {
        guard !streams.isEmpty else { return }
        let i = Self.index(level: level, side: side)
        streams[i] = QUICCryptoStream()
        defragmenters[i] = HandshakeDefragmenter(maxMessageLength: Self.maxMessageLength)
    }

    /// A QUIC handshake message is at most a certificate chain: 64 KiB is the CRYPTO buffer cap too.
    static let maxMessageLength = 64 * 1024
}
