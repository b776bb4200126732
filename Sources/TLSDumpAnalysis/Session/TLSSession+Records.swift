import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Record-level handling: counts, ChangeCipherSpec, alerts, application
/// data, and the handshake records that can only be seen as ciphertext.
/// Each record is dispatched with its origin: clear, encrypted (no key), or
/// decrypted (the plaintext of a record a key opened).
extension TLSSession {
    func handleRecord(_ header: RecordHeader, body: UnsafeRawBufferPointer?, side: Side) {
        if side == .server && !isSSLv2 && !sides.server.sawTLS {
            // An SSLv2-compatible ClientHello answered in TLS: the client continues in TLS framing.
            connection.useTLSFraming(for: .client)
        }
        markTLS(side)
        sides[side].records.count(header.contentType)
        if side == .client, let body, decryption?.earlyDataPhase == true, handleEarlyPhaseRecord(header, body: body) { return }
        if let body, let decryptor = decryptor(for: side), recordIsProtected(header, side: side) {
            if header.contentType == ContentType.handshake { countRenegotiationRecord(header, side: side) }
            if decryptAndDispatch(header, body: body, side: side, with: decryptor) { return }
        } else if let body, sides[side].encrypted, decryption?.candidates.isEmpty == false, recordIsProtected(header, side: side) {
            if header.contentType == ContentType.handshake { countRenegotiationRecord(header, side: side) }
            if decryptWithCandidates(header, body: body, side: side) { return }
        }
        dispatchRecord(header, body: body, side: side)
    }

    /// Whether a record from `side` travels under its keys: a TLS 1.3
    /// middlebox ChangeCipherSpec is always clear, a TLS 1.2 one only before
    /// the side's first ChangeCipherSpec.
    private func recordIsProtected(_ header: RecordHeader, side: Side) -> Bool {
        guard header.contentType == ContentType.changeCipherSpec else { return true }
        return sides[side].encrypted && !currentIsTLS13
    }

    /// Handles a record as seen on the wire: clear, or ciphertext without a key.
    private func dispatchRecord(_ header: RecordHeader, body: UnsafeRawBufferPointer?, side: Side) {
        switch header.contentType {
        case ContentType.handshake:
            if inHandshake { live.bytes[side] += header.length }
            if let body, !sides[side].encrypted || decryptor(for: side) != nil, clearHandshakePlausible(body, side: side) {
                handleHandshakeRecord(body, header: header, side: side, origin: .clear)
            } else {
                handleEncryptedHandshakeRecord(header, side: side)
            }
        case ContentType.changeCipherSpec:
            if inHandshake { live.bytes[side] += header.length }
            handleChangeCipherSpec(header, side: side, origin: sides[side].encrypted ? .encrypted : .clear)
        case ContentType.alert:
            if alertLooksClear(body, side: side) && decryptor(for: side) == nil, let body {
                handleAlert(header, body: body, side: side, origin: .clear)
            } else {
                encryptedAlert(header, side: side)
            }
        case ContentType.applicationData:
            handleApplicationData(header, side: side, origin: .encrypted)
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
        if !handshakes.isEmpty || connection.sawStart { return true }
        guard body.count >= 4 else { return false }
        let type = body[0]
        let length = Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3])
        return (type == HandshakeType.clientHello || type == HandshakeType.serverHello) && length + 4 <= HandshakeDefragmenter.defaultMaxMessageLength
    }

    // MARK: ChangeCipherSpec

    func handleChangeCipherSpec(_ header: RecordHeader, side: Side, origin: RecordOrigin) {
        trace(side, version: header.version, contentType: header.contentType, length: header.length,
              origin.isDecrypted ? "decrypted" : origin == .encrypted ? "encrypted" : "", origin: origin)
        guard let hs = current else {
            // Mid-stream: whatever follows from this side is ciphertext.
            encrypt(side)
            _ = activatePendingKeys(side)
            return
        }
        if hs.isTLS13 { return }              // middlebox-compatibility CCS: changes nothing
        // Before the ServerHello a clear ChangeCipherSpec is a TLS 1.3 client's
        // middlebox-compatibility one (its version is not known yet): nothing changes.
        guard hs.phase.serverHelloSeen || hs.encrypted else { return }
        if !hs.phase.isFinal { advance(.changeCipherSpec(side), from: side) }
        if side == .server && hs.resumed == nil && !hs.encrypted {
            // A server that changes cipher before any certificate or key exchange resumed a session.
            live.resumed = !hs.fullServerFlight
        }
        encrypt(side)
        _ = activatePendingKeys(side)
        if side == .client && hs.encrypted && hs.index > 0 { clientFlightComplete() }
    }

    func encrypt(_ side: Side) {
        sides[side].encrypted = true
        resetHandshakeMessages(connection.direction(of: side))
    }

    // MARK: alerts

    private func encryptedAlert(_ header: RecordHeader, side: Side) {
        trace(side, version: header.version, contentType: header.contentType, length: header.length, "encrypted")
        recordAlert(AlertInfo(sender: side, level: nil, description: nil, encrypted: true))
    }

    func handleAlert(_ header: RecordHeader, body: UnsafeRawBufferPointer, side: Side, origin: RecordOrigin) {
        var offset = 0
        while offset + 2 <= body.count {
            let level = body[offset], description = body[offset + 1]
            offset += 2
            let text = "\(TLSRegistry.alertLevelName(level) ?? "level \(level)") \(TLSRegistry.alertName(description) ?? "description \(description)")"
            trace(side, version: header.version, contentType: header.contentType, length: header.length,
                  origin.isDecrypted ? "decrypted, " + text : text, origin: origin)
            recordAlert(AlertInfo(sender: side, level: level, description: description, encrypted: origin.wasEncrypted))
        }
        if offset == 0 {
            context.malformedRecords += 1
            observe(.malformed(.alertRecord(sender: side, length: body.count), handshake: currentIndex ?? 0))
        }
    }

    func recordAlert(_ alert: AlertInfo) {
        if alerts.count < context.config.maxAlertsPerConnection { alerts.append(alert) }
        emit(.alert(AlertEvent(sender: alert.sender, encrypted: alert.encrypted, level: alert.level, description: alert.description,
                               handshake: currentIndex ?? 0)))
        guard inHandshake else {
            endedAfterFinished(.alert(by: alert.sender, level: alert.level, description: alert.description, encrypted: alert.encrypted))
            return
        }
        advance(.alert(from: alert.sender, level: alert.level, description: alert.description, encrypted: alert.encrypted), from: alert.sender)
    }

    // MARK: application data

    func handleApplicationData(_ header: RecordHeader, side: Side, origin: RecordOrigin, plaintext: UnsafeRawBufferPointer? = nil) {
        if origin == .encrypted, currentIsTLS13, let phase = currentPhase, phase.serverHelloSeen, !phase.isFinal {
            // TLS 1.3: the encrypted handshake flight travels as type-23 records.
            live.bytes[side] += header.length
            live.hiddenRecords += 1
            live.add(sender: side, name: .none, length: header.length, encrypted: true, decrypted: false, inferred: false,
                                limit: context.config.maxMessagesPerHandshake)
            trace(side, version: header.version, contentType: header.contentType, length: header.length, "encrypted handshake")
            if side == .client {
                // The client's first encrypted record ends its side of the handshake
                // (Finished, or Certificate..Finished when asked): the server's flight is complete too.
                if !phase.finished(.server) { advance(.finished(.server), from: .server) }
                advance(.finished(.client), from: .client)
            }
            return
        }
        if origin == .encrypted, currentIsTLS13, handshakes.count == 1, currentPhase == .completed, decryptor(for: side) == nil,
           postHandshake != .done {
            let finished = PostHandshakeProbe.finishedRecordLength(suite: negotiatedSuite)
            if let inference = postHandshake.record(from: side, length: header.length,
                                                    msSinceConnectionStart: now.milliseconds(since: connection.start), finishedRecord: finished) {
                postHandshakeInferred(inference)
            }
        }
        sides[side].applicationDataBytes += header.length
        if origin == .encrypted && decryption != nil && currentIsTLS13 {
            // Keys were given but this TLS 1.3 record stayed ciphertext: a
            // post-handshake CertificateRequest could be in it, so "none" can no longer be said.
            live.hiddenRecords += 1
        }
        if inHandshake, let index = currentIndex, index > 0 {
            live.renegotiation.value.applicationRecordsDuring[side] += 1
        }
        if let plaintext {
            trace(side, version: header.version, contentType: ContentType.applicationData, length: plaintext.count,
                  decryption?.dispatchingEarly == true ? "decrypted early data (0-RTT)" : "decrypted",
                  origin: .decrypted(recordLength: header.length), payload: context.config.tracePayloads ? Array(plaintext) : nil)
        } else {
            trace(side, version: header.version, contentType: header.contentType, length: header.length, "")
        }
    }

    /// Without keys, the records after a TLS 1.3 handshake showed a
    /// post-handshake CertificateRequest and the client's answer (inferred).
    private func postHandshakeInferred(_ inference: PostHandshakeProbe.Inference) {
        guard firstCertificateRequest == nil else { return }
        live.certificateRequest = .inferred
        live.clientCertificateInferred = inference.certificateSent
        if !inference.certificateSent { live.clientCertificateEmpty = true }
        noteCertificateRequest(.postHandshake, inferred: true)
        // Before the request: everything so far but the client's answer and the request itself
        // (the Finished-sized record being handled is not counted yet).
        let now = applicationBytes
        let before = SidePair(client: max(0, now.client - inference.clientBytes), server: max(0, now.server - inference.requestRecordLength))
        let event = CertificateRequestEvent(
            handshake: 0, encrypted: true, decrypted: false, phase: .postHandshake,
            afterApplicationData: before.client > 0 || before.server > 0, applicationBytesBefore: before,
            msSinceConnectionStart: inference.msSinceConnectionStart,
            certificateTypes: nil, signatureAlgorithms: nil, caNames: nil, inferred: true)
        keep(event)
        emit(.certificateRequest(event))
        observe(.certificateRequested(CertificateRequestFact(phase: .postHandshake, handshake: 0, initiator: nil, firstHandshakeAsked: true,
                                                             encrypted: true, decrypted: false)))
    }

    // MARK: encrypted handshake records (TLS 1.2 and older)

    private func handleEncryptedHandshakeRecord(_ header: RecordHeader, side: Side) {
        guard let hs = current else {
            // Mid-stream pickup: a handshake we never saw the start of.
            startHandshake(initiator: nil, origin: .encrypted, phase: .helloSent(retried: false), trigger: nil)
            live.hiddenRecords += 1
            addEncryptedMessage(side: side, header: header, type: nil)
            return
        }
        if !hs.phase.isFinal && hs.phase.changedCipher(side) && !hs.phase.finished(side) {
            // The first encrypted handshake record after a side's ChangeCipherSpec is its Finished.
            addEncryptedMessage(side: side, header: header, type: HandshakeType.finished)
            advance(.finished(side), from: side)
            return
        }
        if hs.phase.isFinal {
            beginEncryptedRenegotiation(by: side, header: header)
            return
        }
        renegotiationRecord(side: side, header: header)
    }

    /// `type`: the handshake type the record is inferred to carry, if any.
    func addEncryptedMessage(side: Side, header: RecordHeader, type: UInt8?) {
        live.add(sender: side, name: type.map { .handshakeType($0) } ?? .none, length: header.length,
                            encrypted: true, decrypted: false, inferred: type != nil, limit: context.config.maxMessagesPerHandshake)
        guard context.wantsTrace else { return }
        let name = type.map { TLSRegistry.handshakeTypeName($0) ?? "unknown_\($0)" }
        trace(side, version: header.version, contentType: header.contentType, length: header.length, name.map { "encrypted (\($0)?)" } ?? "encrypted")
    }

    // MARK: not TLS

    /// The pending `not_tls` of a server that answered a ClientHello in plaintext.
    func raiseNotTLSAfterClientHello() {
        guard !notTLSReported, sides.server.plaintextAfterClientHello, !sides.server.sawTLS else { return }
        notTLSReported = true
        observe(.notTLS(port: connection.serverEndpoint.port, firstSender: .server, afterClientHello: true, handshake: currentIndex))
    }

    func notTLS(from side: Side) {
        guard !notTLSReported else { return }
        let server = connection.serverEndpoint
        if isTLS && side == .server && sides.client.sawTLS && !sides.server.sawTLS {
            // A TLS client talking to something else (an HTTP server on the TLS port, say),
            // unless TLS follows the plaintext: told once the search gives up or the connection ends.
            sides.server.plaintextAfterClientHello = true
            return
        }
        guard !isTLS else { return }
        guard context.config.watchedPorts.contains(server.port) else { return }
        notTLSReported = true
        observe(.notTLS(port: server.port, firstSender: side, afterClientHello: false, handshake: nil))
    }
}
