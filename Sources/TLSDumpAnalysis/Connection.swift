import TLSDumpBase
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpTLS

/// One TCP connection: reassembly of both directions, the TLS record streams
/// on top, and what the TLS exchange revealed. Parsers are stored per
/// direction, state per side (client/server); both are separate stored
/// properties so a parser's pull loop never overlaps a state mutation.
///
/// Memory: a connection that never carried a payload byte holds only the TCP
/// side (this object and its two reassemblers). Everything TLS lives in a
/// `TLSState` allocated on the first payload byte; handshake-only buffers
/// (message defragmenters, the decryption transcript, the ClientHello) are
/// dropped once the handshake completes.
final class Connection {
    let key: FlowKey
    let serial: Int
    let context: AnalysisContext
    /// Direction (relative to `key`) in which the client sends.
    var clientDirection: FlowDirection
    /// Roles come from a SYN or a ClientHello; until then they are a port-based guess.
    var rolesSettled = false
    private(set) var identity: FlowIdentity?

    var forwardReassembler: HalfStreamReassembler
    var reverseReassembler: HalfStreamReassembler

    var sides = SidePair(client: SideState(), server: SideState())
    var start: Timestamp
    var last: Timestamp
    var now: Timestamp

    var isTLS = false
    var isSSLv2 = false
    var notTLSReported = false
    var sawSYN = false
    var closed = false
    /// The `connection` event went out.
    var finalized = false
    /// Closed, reading what is still in flight before the `connection` event.
    var lingering = false
    /// Picked up mid-stream (no SYN first): record streams look for a record boundary.
    let pickedUpMidstream: Bool
    var closeReason: CloseReason?
    /// True while the handlers run on a decrypted record's plaintext.
    var decryptedRecord = false

    /// The TLS side, allocated on first use (the first payload byte).
    private var tlsStorage: TLSState?

    var tls: TLSState {
        if let tlsStorage { return tlsStorage }
        let state = TLSState(midstream: pickedUpMidstream, decrypting: context.config.keys != nil)
        tlsStorage = state
        return state
    }

    /// Whether TLS-side state exists (without creating it).
    var hasTLSState: Bool { tlsStorage != nil }

    /// The state itself, without creating it.
    var existingTLSState: TLSState? { tlsStorage }

    init(key: FlowKey, serial: Int, first: TCPSegment, direction: FlowDirection, context: AnalysisContext) {
        self.key = key
        self.serial = serial
        self.context = context
        self.start = first.timestamp
        self.last = first.timestamp
        self.now = first.timestamp
        forwardReassembler = HalfStreamReassembler(settings: context.reassemblySettings)
        reverseReassembler = HalfStreamReassembler(settings: context.reassemblySettings)
        // Roles: SYN sender is the client; SYN+ACK sender the server; else guess by port.
        if first.flags.contains(.syn) {
            clientDirection = first.flags.contains(.ack) ? direction.reversed : direction
            rolesSettled = true
            sawSYN = true
        } else {
            let sourceIsServer = Connection.looksLikeServerPort(first.sourcePort, other: first.destinationPort, watched: context.config.watchedPorts)
            clientDirection = sourceIsServer ? direction.reversed : direction
        }
        pickedUpMidstream = !first.flags.contains(.syn)
    }

    /// "else the lower-numbered side of a port 443 pair": a watched port, or the lower port, is the server.
    static func looksLikeServerPort(_ port: UInt16, other: UInt16, watched: Set<UInt16>) -> Bool {
        let portWatched = watched.contains(port)
        let otherWatched = watched.contains(other)
        if portWatched != otherWatched { return portWatched }
        return port < other
    }

    func side(of direction: FlowDirection) -> Side { direction == clientDirection ? .client : .server }
    func direction(of side: Side) -> FlowDirection { side == .client ? clientDirection : clientDirection.reversed }

    var currentHandshake: Int? { handshakes.isEmpty ? nil : handshakes.count - 1 }

    var established: Bool { handshakes.contains { $0.done } }

    // MARK: - identity and emission

    func flowIdentity() -> FlowIdentity {
        if let identity { return identity }
        let clientEnd = clientDirection == .forward ? key.first : key.second
        let serverEnd = clientDirection == .forward ? key.second : key.first
        let id = FlowIdentity(
            flowID: "C\(serial)",
            communityID: CommunityID.compute(source: clientEnd.ip, sourcePort: clientEnd.port,
                                             destination: serverEnd.ip, destinationPort: serverEnd.port),
            client: clientEnd, server: serverEnd)
        identity = id
        rolesSettled = true
        return id
    }

    func emit(_ body: EventBody) {
        context.emit(Event(timestamp: now, flow: flowIdentity(), body: body))
    }

    /// Raises a finding once per connection and id.
    /// Message and evidence are built only when the finding is new: a lossy or
    /// hostile stream can hit the same condition on every packet.
    func raise(_ id: String, _ message: @autoclosure () -> String, handshake: Int? = nil,
               evidence: @autoclosure () -> [(String, EvidenceValue)] = []) {
        guard !findingIDs.contains(id) else { return }
        let severity = FindingCatalog.severity(of: id)
        findingIDs.append(id)
        findingSeverities.append(severity)
        emit(.finding(Finding(id: id, severity: severity, message: message(), handshake: handshake, evidence: evidence())))
    }

    func trace(_ side: Side, version: UInt16, contentType: UInt8, length: Int, _ detail: String, payload: [UInt8]? = nil) {
        guard context.wantsTrace else { return }
        emit(.trace(TraceEntry(sender: side, recordVersion: version, contentType: contentType, length: length, detail: detail, payload: payload)))
    }

    // MARK: - packets

    func handle(_ segment: TCPSegment, direction: FlowDirection) {
        now = segment.timestamp
        if segment.timestamp > last { last = segment.timestamp }
        let flags = segment.flags
        if flags.contains(.syn) && !sawSYN {
            sawSYN = true
            if !isTLS && !rolesSettled {
                clientDirection = flags.contains(.ack) ? direction.reversed : direction
                rolesSettled = true
            }
        }
        let side = side(of: direction)
        sides[side].payloadBytes += segment.payload.count
        let syn = flags.contains(.syn), fin = flags.contains(.fin), rst = flags.contains(.rst)
        if direction == .forward {
            forwardReassembler.accept(sequence: segment.sequence, syn: syn, fin: fin, rst: rst, payload: segment.payload) { chunk in
                self.consume(chunk, direction: .forward)
            }
        } else {
            reverseReassembler.accept(sequence: segment.sequence, syn: syn, fin: fin, rst: rst, payload: segment.payload) { chunk in
                self.consume(chunk, direction: .reverse)
            }
        }
        // The peer's acknowledgment tells what this side received: holes below it were lost in capture.
        if flags.contains(.ack) && !rst {
            if direction == .forward {
                reverseReassembler.acknowledged(segment.acknowledgment) { chunk in self.consume(chunk, direction: .reverse) }
            } else {
                forwardReassembler.acknowledged(segment.acknowledgment) { chunk in self.consume(chunk, direction: .forward) }
            }
        }
        if rst {
            if !closed { closeReason = .rst }
            closed = true
            resetSeen(by: side)
        } else if fin {
            sides[side].fin = true
            if sides.client.fin && sides.server.fin && !closed {
                closeReason = .fin
                closed = true
            }
        }
    }

    /// End of the connection: deliver whatever reassembly still holds.
    func flushReassembly() {
        forwardReassembler.flush { chunk in self.consume(chunk, direction: .forward) }
        reverseReassembler.flush { chunk in self.consume(chunk, direction: .reverse) }
    }

    // MARK: - stream chunks -> records

    func consume(_ chunk: StreamChunk, direction: FlowDirection) {
        switch chunk {
        case .data(let bytes):
            var input = StreamInput(bytes)
            while let item = nextRecordItem(direction, &input) {
                handleRecordItem(item, direction: direction)
            }
            if tls.handshakeBuffers != nil { releaseHandshakeBuffersIfDone() }
        case .gap(let count):
            let side = side(of: direction)
            sides[side].gapBytes += count
            context.totals.gaps += 1
            context.totals.gapBytes += count
            if isTLS || sides[side].sawTLS {
                raise("stream.gap", "\(count) bytes from the \(side.rawValue) were missing from the capture; what they carried is unknown.",
                      handshake: currentHandshake, evidence: [("sender", .string(side.rawValue)), ("bytes", .int(count))])
            }
            let item: RecordStreamItem?
            if direction == .forward { item = forwardRecords.gap(count) } else { item = reverseRecords.gap(count) }
            resetHandshakeMessages(direction)
            if let item { handleRecordItem(item, direction: direction) }
        }
    }

    private func nextRecordItem(_ direction: FlowDirection, _ input: inout StreamInput) -> RecordStreamItem? {
        direction == .forward ? forwardRecords.next(&input) : reverseRecords.next(&input)
    }

    func setWantedBodies(_ side: Side, _ mask: UInt32) {
        if direction(of: side) == .forward { forwardRecords.wantedBodies = mask } else { reverseRecords.wantedBodies = mask }
    }

}

extension Connection {
    struct ReassemblyCounts {
        var outOfOrder: Int
        var retransmitted: Int
    }

    var reassemblyStats: ReassemblyCounts {
        ReassemblyCounts(
            outOfOrder: forwardReassembler.stats.outOfOrderSegments + reverseReassembler.stats.outOfOrderSegments,
            retransmitted: forwardReassembler.stats.retransmittedSegments + reverseReassembler.stats.retransmittedSegments)
    }

    /// After the `connection` event the connection leaves the flow table; its
    /// queued out-of-order bytes go back to the shared reassembly budget now.
    func releaseBuffers() {
        forwardReassembler.discard()
        reverseReassembler.discard()
    }
}

// MARK: - TLS state, allocated on the first payload byte

/// An immutable box: keeps a large, usually absent value out of line.
final class Box<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The two directions' handshake message defragmenters: needed while a
/// handshake runs, dropped when it completes (a later handshake makes new ones).
final class HandshakeBuffers {
    var forward = HandshakeDefragmenter()
    var reverse = HandshakeDefragmenter()
}

/// Everything a connection knows once it carried payload: the record streams
/// and what the TLS exchange revealed.
final class TLSState {
    var forwardRecords: RecordStream
    var reverseRecords: RecordStream
    var handshakeBuffers: HandshakeBuffers?

    var handshakes: [HandshakeState] = []
    var handshakesDropped = 0

    // Facts for the connection summary.
    var sni: String?
    var alpn: [UInt8]?
    var serverCertificate: Box<CertificateSummary>?
    var clientCertificate: Box<CertificateSummary>?
    var secureRenegotiation: Bool?
    var clientOfferedSecureRenegotiation = false
    var certificateRequestInferred = false
    var firstCertificateRequestPhase: CertificateRequestPhase?
    var alerts: [AlertInfo] = []
    var findingIDs: [String] = []
    var findingSeverities: [Severity] = []
    var negotiatedVersion: UInt16?
    var negotiatedSuite: UInt16?
    var sslv2CipherKind: UInt32?
    /// Keys and decryptors, when keys were given.
    var decryption: DecryptionState?
    /// Fingerprints of the first handshake, for the `connection` event.
    var fingerprints = PackedFingerprints()
    /// Record protection of the last completed clear handshake (for size inference).
    var protection: RecordSizeModel?

    init(midstream: Bool, decrypting: Bool) {
        forwardRecords = RecordStream(midstream: midstream)
        reverseRecords = RecordStream(midstream: midstream)
        if decrypting { decryption = DecryptionState() }
    }
}

/// The TLS state's fields under their old names, so handlers read as before.
/// `_read` and `_modify` yield the stored property itself: no copy (and no
/// retain of an array's or string's storage) to read a field or change it.
extension Connection {
    var forwardRecords: RecordStream {
        _read { yield tls.forwardRecords }
        _modify { yield &tls.forwardRecords }
    }
    var reverseRecords: RecordStream {
        _read { yield tls.reverseRecords }
        _modify { yield &tls.reverseRecords }
    }
    var handshakes: [HandshakeState] {
        _read { yield tls.handshakes }
        _modify { yield &tls.handshakes }
    }
    var handshakesDropped: Int {
        get { tls.handshakesDropped }
        set { tls.handshakesDropped = newValue }
    }
    var sni: String? {
        _read { yield tls.sni }
        set { tls.sni = newValue }
    }
    var alpn: [UInt8]? {
        _read { yield tls.alpn }
        set { tls.alpn = newValue }
    }
    var serverCertificate: CertificateSummary? {
        get { tls.serverCertificate?.value }
        set { tls.serverCertificate = newValue.map(context.sharedCertificateBox) }
    }
    var clientCertificate: CertificateSummary? {
        get { tls.clientCertificate?.value }
        set { tls.clientCertificate = newValue.map(context.sharedCertificateBox) }
    }
    var secureRenegotiation: Bool? {
        get { tls.secureRenegotiation }
        set { tls.secureRenegotiation = newValue }
    }
    var clientOfferedSecureRenegotiation: Bool {
        get { tls.clientOfferedSecureRenegotiation }
        set { tls.clientOfferedSecureRenegotiation = newValue }
    }
    var firstCertificateRequestPhase: CertificateRequestPhase? {
        get { tls.firstCertificateRequestPhase }
        set { tls.firstCertificateRequestPhase = newValue }
    }
    /// The CertificateRequest reported in `firstCertificateRequestPhase` was inferred from sizes.
    var certificateRequestInferred: Bool {
        get { tls.certificateRequestInferred }
        set { tls.certificateRequestInferred = newValue }
    }
    var alerts: [AlertInfo] {
        _read { yield tls.alerts }
        _modify { yield &tls.alerts }
    }
    var findingIDs: [String] {
        _read { yield tls.findingIDs }
        _modify { yield &tls.findingIDs }
    }
    var findingSeverities: [Severity] {
        _read { yield tls.findingSeverities }
        _modify { yield &tls.findingSeverities }
    }
    var negotiatedVersion: UInt16? {
        get { tls.negotiatedVersion }
        set { tls.negotiatedVersion = newValue }
    }
    var negotiatedSuite: UInt16? {
        get { tls.negotiatedSuite }
        set { tls.negotiatedSuite = newValue }
    }
    var sslv2CipherKind: UInt32? {
        get { tls.sslv2CipherKind }
        set { tls.sslv2CipherKind = newValue }
    }
    var decryption: DecryptionState? { tls.decryption }
    var fingerprints: PackedFingerprints {
        _read { yield tls.fingerprints }
        _modify { yield &tls.fingerprints }
    }
    var protection: RecordSizeModel? {
        get { tls.protection }
        set { tls.protection = newValue }
    }

    /// A gap or a ChangeCipherSpec: a direction's partial handshake message is gone.
    func resetHandshakeMessages(_ direction: FlowDirection) {
        guard let buffers = existingTLSState?.handshakeBuffers else { return }   // none: nothing partial
        if direction == .forward { buffers.forward.reset() } else { buffers.reverse.reset() }
    }

    /// The defragmenters, created when a clear handshake record arrives.
    var handshakeBuffers: HandshakeBuffers {
        if let buffers = tls.handshakeBuffers { return buffers }
        let buffers = HandshakeBuffers()
        tls.handshakeBuffers = buffers
        return buffers
    }

    /// Once the current handshake is done and no message is half read, the
    /// defragmenters go (fresh ones are equivalent if another handshake comes).
    func releaseHandshakeBuffersIfDone() {
        guard let buffers = tls.handshakeBuffers, let cur = currentHandshake, handshakes[cur].done,
              !buffers.forward.hasPartialMessage, !buffers.reverse.hasPartialMessage else { return }
        tls.handshakeBuffers = nil
    }
}
