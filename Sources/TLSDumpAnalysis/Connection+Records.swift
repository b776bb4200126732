import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Record-level handling: counts, ChangeCipherSpec, alerts, application data,
/// and the handshake records that can only be seen as ciphertext.
extension Connection {
    func handleRecordItem(_ item: RecordStreamItem, direction: FlowDirection) {
        let side = side(of: direction)
        switch item {
        case .record(let header, let body):
            handleRecord(header, body: body, side: side)
        case .sslv2Record(let length, let body):
            handleSSLv2Record(length: length, body: body, side: side)
        case .notTLS:
            notTLS(from: side)
        case .startedAfterPlaintext, .resynchronized, .recordCut:
            break
        case .lostSync(let header):
            context.malformedRecords += 1
            raise("tls.malformed", "The \(side.rawValue) sent bytes that are not a TLS record (type \(header.contentType), version \(hexNumber(header.version, digits: 4)), length \(header.length)); tlsdump skipped ahead to the next plausible record.",
                  handshake: currentHandshake, evidence: [("sender", .string(side.rawValue)), ("content_type", .int(Int(header.contentType))), ("length", .int(header.length))])
        }
    }

    private func notTLS(from side: Side) {
        guard !notTLSReported else { return }
        let server = direction(of: .server) == .forward ? key.first : key.second
        if isTLS && side == .server && sides.client.sawTLS && !sides.server.sawTLS {
            // A TLS client talking to something else (an HTTP server on the TLS port, say).
            notTLSReported = true
            raise("not_tls", "The client sent a TLS hello but the server on port \(server.port) answered with something that is not TLS.",
                  handshake: currentHandshake, evidence: [("port", .int(Int(server.port))), ("first_sender", .string("server"))])
            return
        }
        guard !isTLS else { return }
        guard context.config.watchedPorts.contains(server.port) else { return }
        notTLSReported = true
        raise("not_tls", "Traffic on port \(server.port) is not TLS; tlsdump ignores it unless a TLS hello follows (STARTTLS).",
              evidence: [("port", .int(Int(server.port))), ("first_sender", .string(side.rawValue))])
    }

    func markTLS(_ side: Side) {
        if !isTLS {
            isTLS = true
            context.tlsConnections += 1
            for lossy in [Side.client, Side.server] where sides[lossy].gapBytes > 0 {
                // Bytes were lost before the stream showed itself as TLS.
                raise("stream.gap", "\(sides[lossy].gapBytes) bytes from the \(lossy.rawValue) were missing from the capture before the first TLS record; what they carried is unknown.",
                      evidence: [("sender", .string(lossy.rawValue)), ("bytes", .int(sides[lossy].gapBytes))])
            }
        }
        sides[side].sawTLS = true
    }

    func handleRecord(_ header: RecordHeader, body: UnsafeRawBufferPointer?, side: Side) {
        if side == .server && !isSSLv2 && !sides.server.sawTLS {
            // An SSLv2-compatible ClientHello answered in TLS: the client continues in TLS framing.
            if direction(of: .client) == .forward { forwardRecords.useTLSFraming() } else { reverseRecords.useTLSFraming() }
        }
        markTLS(side)
        sides[side].records.count(header.contentType)
        if header.contentType != ContentType.changeCipherSpec, let body, let decryptor = decryptor(for: side),
           decryptAndDispatch(header, body: body, side: side, with: decryptor) {
            return
        }
        dispatchRecord(header, body: body, side: side)
    }

    /// Handles a record as seen on the wire: clear, or ciphertext without a key.
    private func dispatchRecord(_ header: RecordHeader, body: UnsafeRawBufferPointer?, side: Side) {
        switch header.contentType {
        case ContentType.handshake:
            if let cur = currentHandshake, !handshakes[cur].done { handshakes[cur].bytes[side] += header.length }
            if let body, !sides[side].encrypted || decryptor(for: side) != nil, clearHandshakePlausible(body, side: side) {
                handleClearHandshakeRecord(body, header: header, side: side)
            } else {
                handleEncryptedHandshakeRecord(header, side: side)
            }
        case ContentType.changeCipherSpec:
            if let cur = currentHandshake, !handshakes[cur].done { handshakes[cur].bytes[side] += header.length }
            handleChangeCipherSpec(header, side: side)
        case ContentType.alert:
            handleAlert(header, body: alertLooksClear(body, side: side) && decryptor(for: side) == nil ? body : nil, side: side)
        case ContentType.applicationData:
            handleApplicationData(header, side: side)
        default:
            trace(side, version: header.version, contentType: header.contentType, length: header.length, "")
        }
    }

    /// A clear alert is two bytes with level 1 or 2; mid-stream, anything else is ciphertext.
    private func alertLooksClear(_ body: UnsafeRawBufferPointer?, side: Side) -> Bool {
        guard let body, !sides[side].encrypted, body.count >= 2, body.count % 2 == 0 else { return false }
        // Clear alerts are (level, description) pairs with level warning(1) or fatal(2);
        // anything else is ciphertext we did not know was encrypted (lost sync, mid-stream).
        var offset = 0
        while offset < body.count {
            guard body[offset] == 1 || body[offset] == 2 else { return false }
            offset += 2
        }
        return true
    }

    /// Without a handshake in view (picked up mid-stream), only a hello proves a record is in clear.
    private func clearHandshakePlausible(_ body: UnsafeRawBufferPointer, side: Side) -> Bool {
        if !handshakes.isEmpty || sawSYN { return true }
        guard body.count >= 4 else { return false }
        let type = body[0]
        let length = Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3])
        return (type == HandshakeType.clientHello || type == HandshakeType.serverHello) && length + 4 <= HandshakeDefragmenter.defaultMaxMessageLength
    }

    // MARK: ChangeCipherSpec

    private func handleChangeCipherSpec(_ header: RecordHeader, side: Side) {
        trace(side, version: header.version, contentType: header.contentType, length: header.length, "")
        guard let cur = currentHandshake else {
            // Mid-stream: whatever follows from this side is ciphertext.
            encrypt(side)
            _ = activatePendingKeys(side)
            return
        }
        handshakes[cur].changeCipherSpec[side] = true
        if handshakes[cur].isTLS13 { return }              // middlebox-compatibility CCS: changes nothing
        guard handshakes[cur].serverHelloSeen || handshakes[cur].encrypted else { return }
        if side == .server && handshakes[cur].resumed == nil && !handshakes[cur].encrypted {
            // A server that changes cipher before any certificate or key exchange resumed a session.
            handshakes[cur].resumed = !handshakes[cur].serverSentFullFlight
        }
        encrypt(side)
        if activatePendingKeys(side) { return }
        if side == .client && handshakes[cur].encrypted && handshakes[cur].index > 0 {
            inferClientAuthentication(handshake: cur)
        }
    }

    func encrypt(_ side: Side) {
        sides[side].encrypted = true
        setWantedBodies(side, 0)
        resetHandshakeMessages(direction(of: side))
    }

    // MARK: alerts

    func handleAlert(_ header: RecordHeader, body: UnsafeRawBufferPointer?, side: Side) {
        let handshakeIndex = currentHandshake ?? 0
        guard let body else {
            trace(side, version: header.version, contentType: header.contentType, length: header.length, "encrypted")
            recordAlert(AlertInfo(sender: side, level: nil, description: nil, encrypted: true), recordLength: header.length)
            return
        }
        var offset = 0
        while offset + 2 <= body.count {
            let level = body[offset], description = body[offset + 1]
            offset += 2
            let text = "\(TLSRegistry.alertLevelName(level) ?? "level \(level)") \(TLSRegistry.alertName(description) ?? "description \(description)")"
            trace(side, version: header.version, contentType: header.contentType, length: header.length, decryptedRecord ? "decrypted, " + text : text)
            recordAlert(AlertInfo(sender: side, level: level, description: description, encrypted: decryptedRecord), recordLength: header.length)
        }
        if offset == 0 {
            context.malformedRecords += 1
            raise("tls.malformed", "The \(side.rawValue) sent an alert record of \(body.count) bytes (an alert is 2).", handshake: handshakeIndex,
                  evidence: [("sender", .string(side.rawValue)), ("length", .int(body.count))])
        }
    }

    private func recordAlert(_ alert: AlertInfo, recordLength: Int) {
        if alerts.count < context.config.maxAlertsPerConnection { alerts.append(alert) }
        let handshakeIndex = currentHandshake ?? 0
        emit(.alert(AlertEvent(sender: alert.sender, encrypted: alert.encrypted, level: alert.level, description: alert.description, handshake: handshakeIndex)))
        guard let cur = currentHandshake, !handshakes[cur].done else { return }
        if handshakes[cur].index > 0 {
            let name = alert.description.flatMap { TLSRegistry.alertName($0) }
            handshakes[cur].failureReason = alert.encrypted ? "the \(alert.sender.rawValue) sent an encrypted alert"
                : "the \(alert.sender.rawValue) sent a \(alert.level == 2 ? "fatal" : "warning") \(name ?? "unknown") alert"
            renegotiationAlert(alert, handshake: cur)
            return
        }
        if alert.level == 2 {
            handshakes[cur].failed = true
            if cur == 0 {
                let name = alert.description.flatMap { TLSRegistry.alertName($0) } ?? "unknown"
                raise("handshake.failed", "The \(alert.sender.rawValue) ended the handshake with a fatal \(name) alert.", handshake: 0,
                      evidence: [("sender", .string(alert.sender.rawValue)), ("alert", .string(name))])
            }
        } else if alert.encrypted && cur == 0 {
            handshakes[cur].failed = true
        }
    }

    func resetSeen(by side: Side) {
        guard isTLS, let cur = currentHandshake, !handshakes[cur].done, !handshakes[cur].failed else { return }
        handshakes[cur].failed = true
        handshakes[cur].failureReason = "the \(side.rawValue) reset the connection"
        if handshakes[cur].index == 0 {
            raise("handshake.failed", "The \(side.rawValue) reset the connection before the handshake completed.", handshake: 0,
                  evidence: [("sender", .string(side.rawValue)), ("reason", .string("rst"))])
        } else {
            renegotiationEnded(cur)
        }
    }

    // MARK: application data

    private func handleApplicationData(_ header: RecordHeader, side: Side) {
        if let cur = currentHandshake, handshakes[cur].isTLS13, handshakes[cur].serverHelloSeen, !handshakes[cur].helloRetry, !handshakes[cur].done {
            // TLS 1.3: the encrypted handshake flight travels as type-23 records.
            handshakes[cur].bytes[side] += header.length
            let firstFromClient = side == .client
            handshakes[cur].add(sender: side, name: .none, length: header.length, encrypted: true, decrypted: false, inferred: false,
                                limit: context.config.maxMessagesPerHandshake)
            trace(side, version: header.version, contentType: header.contentType, length: header.length, "encrypted handshake")
            if firstFromClient {
                // The client's first encrypted record ends its side of the handshake
                // (Finished, or Certificate..Finished when asked): the server's flight is complete too.
                handshakes[cur].finished = SidePair(client: true, server: true)
                completeHandshake(cur)
            }
            return
        }
        sides[side].applicationDataBytes += header.length
        if let cur = currentHandshake, handshakes[cur].index > 0, !handshakes[cur].done {
            handshakes[cur].applicationRecordsDuring[side] += 1
        }
        trace(side, version: header.version, contentType: header.contentType, length: header.length, "")
    }

    // MARK: encrypted handshake records (TLS 1.2 and older)

    private func handleEncryptedHandshakeRecord(_ header: RecordHeader, side: Side) {
        guard let cur = currentHandshake else {
            // Mid-stream pickup: a handshake we never saw the start of.
            startHandshake(initiator: nil, encrypted: true, evidence: nil)
            addEncryptedMessage(side: side, header: header, type: nil)
            return
        }
        let hs = handshakes[cur]
        if !hs.done && hs.changeCipherSpec[side] && !hs.finished[side] {
            // The first encrypted handshake record after a side's ChangeCipherSpec is its Finished.
            handshakes[cur].finished[side] = true
            addEncryptedMessage(side: side, header: header, type: HandshakeType.finished)
            completeHandshake(cur)
            return
        }
        if hs.done || hs.failed || hs.refused {
            beginEncryptedRenegotiation(by: side, header: header)
            return
        }
        renegotiationRecord(side: side, header: header, handshake: cur)
    }

    /// `type`: the handshake type the record is inferred to carry, if any.
    func addEncryptedMessage(side: Side, header: RecordHeader, type: UInt8?) {
        guard let cur = currentHandshake else { return }
        handshakes[cur].add(sender: side, name: type.map { .handshakeType($0) } ?? .none, length: header.length,
                            encrypted: true, decrypted: false, inferred: type != nil, limit: context.config.maxMessagesPerHandshake)
        guard context.wantsTrace else { return }
        let name = type.map { TLSRegistry.handshakeTypeName($0) ?? "unknown_\($0)" }
        trace(side, version: header.version, contentType: header.contentType, length: header.length, name.map { "encrypted (\($0)?)" } ?? "encrypted")
    }

    // MARK: handshakes

    @discardableResult
    func startHandshake(initiator: Side?, encrypted: Bool, evidence: String?) -> Int {
        // Numbers keep counting even when old detail is dropped.
        let index = (handshakes.last?.index ?? -1) + 1
        if handshakes.count >= max(2, context.config.maxHandshakesPerConnection) {
            // Keep the list bounded: the first handshake stays, the oldest renegotiation goes.
            handshakesDropped += 1
            handshakes.remove(at: 1)
        }
        var state = HandshakeState(index: index, initiator: initiator, encrypted: encrypted, start: now)
        if let evidence { state.evidence = evidence }   // nil is what an unwritten value reads as
        state.decrypted = decryptedRecord
        // Zero is what an unwritten value reads as: only write (and allocate) when there was data.
        if sides.client.applicationDataBytes != 0 || sides.server.applicationDataBytes != 0 {
            state.applicationBytesAtStart = SidePair(client: sides.client.applicationDataBytes, server: sides.server.applicationDataBytes)
        }
        handshakes.append(state)
        return handshakes.count - 1
    }

    func completeHandshake(_ cur: Int) {
        guard !handshakes[cur].done, handshakes[cur].finished.client, handshakes[cur].finished.server else { return }
        handshakes[cur].done = true
        // The transcript only serves key setup during a handshake.
        decryption?.transcript = []
        handshakes[cur].trimMessageStorage()
        let hs = handshakes[cur]
        if hs.resumed == nil && !hs.encrypted && !hs.isTLS13 { handshakes[cur].resumed = !hs.serverSentFullFlight }
        if let version = hs.version { negotiatedVersion = version }
        if let suite = hs.cipherSuite { negotiatedSuite = suite }
        if !hs.encrypted, let suite = hs.cipherSuite, let version = hs.version {
            protection = RecordSizeModel(suite: suite, version: version, encryptThenMAC: hs.encryptThenMAC)
        }
        emit(.handshakeDone(HandshakeDoneEvent(
            handshake: hs.index, version: hs.version ?? negotiatedVersion, cipherSuite: hs.cipherSuite ?? negotiatedSuite,
            resumed: handshakes[cur].resumed, milliseconds: now.milliseconds(since: hs.start), bytes: hs.bytes,
            clientAuthenticated: hs.clientAuthenticated)))
        if hs.index > 0 { renegotiationEnded(cur) }
    }
}

