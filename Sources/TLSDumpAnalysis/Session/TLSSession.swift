import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import TLSDumpTrust

/// The TLS exchange of one connection: its handshakes (each an explicit
/// state machine, `HandshakePhase`), what they revealed, and the findings.
/// It is fed records with their origin (clear, encrypted, decrypted) by its
/// `Connection`, states facts (`SessionFact`) that the finding rules judge,
/// and builds the `connection` summary that every writer reads.
///
/// The handlers live in one extension per concern: records (ChangeCipherSpec,
/// alerts, application data), handshake messages, renegotiation, decryption,
/// SSL 2.0 and the summary.
final class TLSSession {
    unowned let connection: TransportConnection
    let context: AnalysisContext

    var handshakes: [Handshake] = []
    var handshakesDropped = 0
    /// The two directions' handshake message defragmenters: needed while a
    /// handshake runs, dropped when it completes.
    var handshakeBuffers: HandshakeBuffers?
    var sides = SidePair(client: TLSSideState(), server: TLSSideState())

    private(set) var isTLS = false
    var isSSLv2 = false
    var notTLSReported = false
    // The small fields together, so they pack into few words (a connection's memory counts).
    var secureRenegotiation: Bool?
    var clientOfferedSecureRenegotiation = false
    /// The earliest CertificateRequest, and how it is known.
    var firstCertificateRequest: (phase: CertificateRequestPhase, inferred: Bool)?
    var negotiatedVersion: UInt16?
    var negotiatedSuite: UInt16?
    /// TLS 1.3 without keys: post-handshake authentication told from record sizes.
    var postHandshake = PostHandshakeProbe.waitingForRequest
    var sslv2CipherKind: UInt32?

    // Facts for the connection summary.
    var sni: String?
    var alpn: [UInt8]?
    var serverCertificate: Box<CertificateSummary>?
    var clientCertificate: Box<CertificateSummary>?
    /// The verdicts on the first server and client chains (nil: none validated).
    /// (Shared with the other connections that showed the same chain; the
    /// client's verdicts stay with `clientChains`, which few connections have.)
    var serverValidation: SharedVerdict?
    /// When this connection's server chain was judged (a shared verdict keeps the time it was made at).
    var serverValidationSeconds: Int64 = 0
    /// RFC 8879: which chains came compressed (nothing allocated for the rest).
    var certificateCompression = OutOfLine<CertificateCompressionSeen>()
    var alerts: [AlertInfo] = []
    /// CertificateRequests (read or inferred) and the client's answers, for the story.
    var certificateRequests: [CertificateRequestEvent] = []
    var clientChains: [(handshake: Int, leaf: CertificateSummary?, validation: SharedVerdict?, at: Int64)] = []
    var findings: FindingLog
    /// Encrypted Client Hello, when the first ClientHello carried the extension
    /// (boxed: most connections have none, and a connection's memory counts).
    var echBox: Box<ECHSummary>?
    var ech: ECHSummary? {
        get { echBox?.value }
        set { echBox = newValue.map { Box($0) } }
    }
    /// Keys and decryptors, when keys were given.
    let decryption: DecryptionState?
    /// Fingerprints of the first handshake, for the `connection` event.
    var fingerprints = PackedFingerprints()
    /// Record protection of the last completed clear handshake (for size inference).
    var protection: RecordSizeModel?
    /// Stapled OCSP and SCTs, when a server sent any (or promised a status).
    var stapled: StapledData?
    /// QUIC: the packet whose frames are being read, for the trace ("Initial[0] CRYPTO").
    var quicPacketLabel: String?

    init(connection: TransportConnection, context: AnalysisContext) {
        self.connection = connection
        self.context = context
        decryption = context.config.keys != nil ? DecryptionState() : nil
        findings = FindingLog(keepsFindings: context.wantsFindingsInSummary)
    }

    /// The handshake being told (the last one; nil before the first), as a
    /// copy: for reading several of its facts at once.
    var current: Handshake? { handshakes.last }

    /// The current handshake, changed in place: `live.bytes[side] += n`.
    /// Before the first handshake there is none, and a change goes nowhere
    /// (as `current?.x = y` would). While it is changed `handshakes` is in
    /// use: compute what goes into it first.
    var live: Handshake {
        get { handshakes.last ?? Handshake.placeholder }
        _modify {
            if handshakes.isEmpty {
                var scratch = Handshake.placeholder
                yield &scratch
            } else {
                yield &handshakes[handshakes.count - 1]
            }
        }
    }

    // Fields of the current handshake read in place, for the per-record paths
    // (`current` and `handshakes.last` copy the whole handshake).
    /// Its number (0 = first): what events and findings name.
    var currentIndex: Int? { handshakes.isEmpty ? nil : handshakes[handshakes.count - 1].index }
    var currentPhase: HandshakePhase? { handshakes.isEmpty ? nil : handshakes[handshakes.count - 1].phase }
    var currentIsTLS13: Bool { !handshakes.isEmpty && handshakes[handshakes.count - 1].isTLS13 }
    /// The current handshake is still running (not completed, refused, failed or abandoned).
    var inHandshake: Bool { currentPhase.map { !$0.isFinal } ?? false }
    var now: Timestamp { connection.now }

    // MARK: - emission

    func emit(_ body: consuming EventBody) { connection.emit(body) }

    /// A handful per connection is the story; more is a hostile stream.
    static let maxStoryEntries = 8

    func keep(_ request: CertificateRequestEvent) {
        if certificateRequests.count < Self.maxStoryEntries { certificateRequests.append(request) }
    }

    /// States a fact: the rules raise what it deserves, and new findings go out.
    func observe(_ fact: SessionFact) {
        FindingRules.observe(fact, &findings)
        guard !findings.unsent.isEmpty else { return }
        for finding in findings.takeUnsent() { emit(.finding(finding)) }
    }

    func trace(_ side: Side, version: UInt16, contentType: UInt8, length: Int, _ detail: String,
               origin: RecordOrigin = .clear, payload: [UInt8]? = nil) {
        guard context.wantsTrace else { return }
        emit(.trace(TraceEntry(sender: side, recordVersion: version, contentType: contentType, length: length, detail: detail,
                               payload: payload, recordLength: origin.recordLength, quicPacket: quicPacketLabel)))
    }

    // MARK: - from the connection

    /// One item of a direction's record stream.
    func handle(_ item: RecordStreamItem, from side: Side) {
        switch item {
        case .record(let header, let body):
            handleRecord(header, body: body, side: side)
        case .sslv2Record(let length, let body):
            handleSSLv2Record(length: length, body: body, side: side)
        case .notTLS:
            notTLS(from: side)
        case .startedAfterPlaintext(let skipped, var preamble):
            // The sample is capped; the count is the whole preamble.
            preamble.count = skipped
            sides[side].preamble = Box(preamble)
        case .plaintextOnly:
            if side == .server { raiseNotTLSAfterClientHello() }
        case .resynchronized, .recordCut:
            break
        case .lostSync(let header):
            // After a hello found inside another protocol's data, that protocol's bytes are not broken TLS.
            if tlsOnlyInsideOtherData { break }
            context.malformedRecords += 1
            observe(.malformed(.notARecord(sender: side, contentType: header.contentType, version: header.version, length: header.length),
                               handshake: currentIndex))
        }
    }

    /// Which record bodies a direction's stream should keep.
    func wantedBodies(_ side: Side) -> UInt32 {
        if decryptor(for: side) != nil { return UInt32.max }
        // Session keys to try: the next protected record is needed whole.
        if decryption?.candidates.isEmpty == false { return UInt32.max }
        if sides[side].encrypted { return 0 }
        // With keys, a side still in clear may send protected records before its keys are in place
        // for this parse (keys come with the other side's ServerHello; 0-RTT data follows the
        // ClientHello; a TLS 1.3 client without the compatibility ChangeCipherSpec): keep them whole.
        return decryption != nil ? RecordStream.clearHandshakeBodies | 1 << UInt32(ContentType.applicationData) : RecordStream.clearHandshakeBodies
    }

    /// A gap in a direction: what it carried is unknown, and a partial handshake message is gone.
    func bytesMissing(_ count: Int, from side: Side) {
        if isTLS || sides[side].sawTLS {
            observe(.bytesMissing(sender: side, bytes: count, beforeFirstRecord: false, handshake: currentIndex))
        }
        resetHandshakeMessages(connection.direction(of: side))
    }

    /// The side reset the connection: a handshake in progress failed; a
    /// client's reset right after a renegotiation's Finished ends it too.
    func reset(by side: Side) {
        guard inHandshake else {
            endedAfterFinished(.reset(by: side))
            return
        }
        advance(.reset(by: side), from: side)
    }

    /// The side closed its half of the TCP connection (FIN). A handshake in
    /// progress was abandoned by it: whatever the other side says next (an
    /// alert) answers the close. A renegotiation the asked side ignored while
    /// sending application data stays ignored.
    /// A handshake picked up mid-stream (its start not seen) is left to the end:
    /// a close there says nothing about a handshake that may long be over.
    func tcpClosed(by side: Side) {
        guard inHandshake, current?.initiator != nil else { return }
        closeOpenRenegotiation()
        guard inHandshake else { return }
        advance(.closed(by: side), from: side)
    }

    /// After both Finished of a renegotiation, the client ended the
    /// connection (a fatal or unread alert, or a reset) before sending any
    /// application data: the handshake finished, the renegotiation did not
    /// work. An unread alert counts only while neither side sent application
    /// data since (a client's close_notify follows the server's answer).
    func endedAfterFinished(_ failure: HandshakeFailure) {
        guard failure.side == .client, let hs = current, hs.index > 0, hs.isCompleted,
              hs.renegotiation.value.endedAfterFinished == nil,
              let atCompletion = hs.renegotiation.value.applicationBytesAtCompletion else { return }
        let now = applicationBytes
        // Only before either side sent application data: after the server's answer an
        // alert or a reset is how a client closes (a fatal one too: OpenSSL's decode_error
        // at an end of stream without close_notify), and keys or no keys must agree.
        guard now.client == atCompletion.client, now.server == atCompletion.server else { return }
        switch failure {
        case .alert(_, let level, _, _):
            guard level == nil || level == 2 else { return }   // a warning (close_notify) is not a failure
        case .reset:
            break
        case .ignored:
            return
        }
        live.renegotiation.value.endedAfterFinished = failure
        reportRenegotiationOutcome()
        observe(.renegotiationEndedAfterFinished(failure: failure, handshake: hs.index))
    }

    /// After a chunk of stream data: the defragmenters go once nothing is half read.
    func endOfChunk() {
        if handshakeBuffers != nil { releaseHandshakeBuffersIfDone() }
    }

    /// The end of the connection: a handshake still open ends, and the summary is built.
    func finish(close: CloseReason, evicted: Bool, tcp: SidePair<TCPSideState>, start: Timestamp, end: Timestamp) -> ConnectionSummary {
        // The server answered a ClientHello in plaintext, and its TLS never followed.
        raiseNotTLSAfterClientHello()
        closeOpenRenegotiation()
        if inHandshake { _ = live.apply(.ended) }
        return summary(close: close, evicted: evicted, tcp: tcp, start: start, end: end)
    }

    func markTLS(_ side: Side) {
        if !isTLS {
            isTLS = true
            context.tlsConnections += 1
            for lossy in [Side.client, Side.server] where connection.bytesLostBeforeTLS(lossy) > 0 {
                // Bytes were lost before the stream showed itself as TLS.
                observe(.bytesMissing(sender: lossy, bytes: connection.bytesLostBeforeTLS(lossy), beforeFirstRecord: true, handshake: nil))
            }
        }
        sides[side].sawTLS = true
    }

    /// The ClientHello decides who the client is (only before anything was reported).
    func swapRoles() {
        connection.swapRoles()
        sides = SidePair(client: sides.server, server: sides.client)
    }

    // MARK: - the state machine's one door

    /// Tells the current handshake an input. An input its phase does not
    /// accept is reported (a message out of its place); one into a handshake
    /// already over is ignored. Entering a final phase reports the outcome.
    @discardableResult
    func advance(_ input: HandshakeInput, from sender: Side) -> Bool {
        guard let before = currentPhase else { return false }
        guard live.apply(input), let after = currentPhase else {
            if !before.isFinal, input.isMessage {
                observe(.unexpectedMessage(sender: sender, message: input.name, phase: before, handshake: currentIndex ?? 0))
            }
            return false
        }
        if after != before && after.isFinal { handshakeEnded(from: before) }
        return true
    }

    // MARK: - handshakes

    /// A new handshake becomes the current one.
    func startHandshake(initiator: Side?, origin: RecordOrigin, phase: HandshakePhase, trigger: String?) {
        // Numbers keep counting even when old detail is dropped.
        let index = (handshakes.last?.index ?? -1) + 1
        if handshakes.count >= max(2, context.config.maxHandshakesPerConnection) {
            // Keep the list bounded: the first handshake stays, the oldest renegotiation goes.
            handshakesDropped += 1
            handshakes.remove(at: 1)
        }
        var handshake = Handshake(index: index, initiator: initiator, origin: origin, start: now, phase: phase)
        if index > 0 {
            let before = applicationBytes
            handshake.renegotiation.value.start = RenegotiationStart(
                trigger: trigger ?? "encrypted_handshake_record", applicationBytesBefore: before,
                msSinceConnectionStart: now.milliseconds(since: connection.start),
                encrypted: origin.wasEncrypted, inferred: origin == .encrypted)
            handshake.renegotiation.value.flight.protection = protection
        }
        handshakes.append(handshake)
    }

    var applicationBytes: SidePair<Int> {
        SidePair(client: sides.client.applicationDataBytes, server: sides.server.applicationDataBytes)
    }

    /// The current handshake reached completed, refused or failed.
    private func handshakeEnded(from before: HandshakePhase) {
        guard let hs = current else { return }
        switch hs.phase {
        case .completed:
            handshakeCompleted()
        case .refused(let side, _):
            if hs.index > 0 {
                reportRenegotiationOutcome()
                observe(.renegotiationRefused(by: side, handshake: hs.index, inferred: hs.origin == .encrypted))
            }
        case .closed(let side):
            if hs.index > 0 {
                reportRenegotiationOutcome()
                observe(.renegotiationAbandoned(by: side, handshake: hs.index, answered: before.answered(in: hs.role)))
            } else {
                observe(.firstHandshakeAbandoned(by: side, handshake: 0))
            }
        case .failed(_, let failure):
            if hs.index > 0 {
                reportRenegotiationOutcome()
                observe(.renegotiationFailed(failure: failure, handshake: hs.index, answered: before.answered(in: hs.role)))
            } else if !tlsOnlyInsideOtherData {
                observe(.firstHandshakeFailed(failure, handshake: 0))
            }
        default:
            break
        }
    }

    private func handshakeCompleted() {
        // The transcript only serves key setup during a handshake.
        decryption?.transcript = []
        live.trimMessageStorage()
        guard var hs = current else { return }
        if hs.resumed == nil && !hs.encrypted && !hs.isTLS13 {
            hs.resumed = !hs.fullServerFlight
            live.resumed = hs.resumed
        }
        if let version = hs.version { negotiatedVersion = version }
        if let suite = hs.cipherSuite { negotiatedSuite = suite }
        if !hs.encrypted, let suite = hs.cipherSuite, let version = hs.version {
            protection = RecordSizeModel(suite: suite, version: version, encryptThenMAC: hs.encryptThenMAC)
        }
        emit(.handshakeDone(HandshakeDoneEvent(
            handshake: hs.index, version: hs.version ?? negotiatedVersion, cipherSuite: hs.cipherSuite ?? negotiatedSuite,
            resumed: hs.resumed, milliseconds: now.milliseconds(since: hs.start), bytes: hs.bytes,
            clientAuthenticated: hs.clientAuthenticated, keyExchange: hs.keyExchangeReport)))
        if hs.index > 0 {
            live.renegotiation.value.applicationBytesAtCompletion = applicationBytes
            reportRenegotiationOutcome()
        }
    }

    // MARK: - handshake message buffers

    /// A gap or a ChangeCipherSpec: a direction's partial handshake message is gone.
    func resetHandshakeMessages(_ direction: FlowDirection) {
        guard let buffers = handshakeBuffers else { return }   // none: nothing partial
        if direction == .forward { buffers.forward.reset() } else { buffers.reverse.reset() }
    }

    /// The defragmenters, created when a clear handshake record arrives.
    var buffers: HandshakeBuffers {
        if let handshakeBuffers { return handshakeBuffers }
        let created = HandshakeBuffers()
        handshakeBuffers = created
        return created
    }

    /// Once the current handshake is done and no message is half read, the
    /// defragmenters go (fresh ones are equivalent if another handshake comes).
    private func releaseHandshakeBuffersIfDone() {
        guard let buffers = handshakeBuffers, currentPhase?.isCompleted == true,
              !buffers.forward.hasPartialMessage, !buffers.reverse.hasPartialMessage else { return }
        handshakeBuffers = nil
    }
}

extension HandshakeInput {
    /// A handshake message or record (not an alert, a reset or the end).
    var isMessage: Bool {
        switch self {
        case .clientHello, .serverHello, .serverFlight, .clientFlight, .changeCipherSpec, .finished: true
        case .alert, .reset, .closed, .ignored, .ended: false
        }
    }
}

/// TLS facts of one side of a connection.
struct TLSSideState {
    /// Records from this side are ciphertext (after its ChangeCipherSpec, TLS 1.2 and older).
    var encrypted = false
    // The flags together, so they share a word (two of these are in every session).
    var sawTLS = false
    /// Answered the peer's ClientHello with plaintext (pending `not_tls`: its TLS may still
    /// follow, as PostgreSQL's after its one-byte 'S').
    var plaintextAfterClientHello = false
    var records = RecordCounts()
    var applicationDataBytes = 0
    /// The plaintext this side sent before its TLS started (STARTTLS and the like); boxed,
    /// as most connections have none.
    var preamble: Box<PlaintextPreamble>?
}

/// An immutable box: keeps a large, usually absent value out of line.
public final class Box<Value> {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

extension Box: Sendable where Value: Sendable {}

/// The two directions' handshake message defragmenters: needed while a
/// handshake runs, dropped when it completes (a later handshake makes new ones).
final class HandshakeBuffers {
    var forward = HandshakeBuffers.make()
    var reverse = HandshakeBuffers.make()

    /// Certificate messages up to 1 MiB, their bytes over the usual cap from the process-wide budget.
    static func make() -> HandshakeDefragmenter {
        HandshakeDefragmenter(maxCertificateMessageLength: HandshakeDefragmenter.defaultMaxCertificateMessageLength,
                              budget: LargeMessageBudget.shared)
    }

    deinit {
        // A message in progress gives its share of the budget back.
        forward.reset()
        reverse.reset()
    }
}

extension TLSSession {
    /// A hello the plaintext scan found in a stream that did not start as TLS
    /// (TLS in WebSocket frames, a tunnel), with nothing in TLS from the other
    /// side: what was seen is told (the hello inside non-TLS data), not a failed
    /// handshake nor a malformed stream.
    var tlsOnlyInsideOtherData: Bool {
        (sides.server.preamble != nil && !sides.client.sawTLS) || (sides.client.preamble != nil && !sides.server.sawTLS)
    }
}
