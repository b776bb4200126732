import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Handshake messages read from records in clear or decrypted: hellos,
/// certificates, requests, key exchange. Each moves its handshake's state
/// machine and states what it revealed.
extension TLSSession {
    func handleHandshakeRecord(_ body: UnsafeRawBufferPointer, header: RecordHeader, side: Side, origin: RecordOrigin) {
        let buffers = self.buffers   // held here: stays alive even if released meanwhile
        if connection.direction(of: side) == .forward {
            buffers.forward.begin(body)
            while let item = buffers.forward.next() { handleMessageItem(item, header: header, side: side, origin: origin) }
            buffers.forward.end()
        } else {
            buffers.reverse.begin(body)
            while let item = buffers.reverse.next() { handleMessageItem(item, header: header, side: side, origin: origin) }
            buffers.reverse.end()
        }
    }

    private func handleMessageItem(_ item: HandshakeDefragmenter.Item, header: RecordHeader, side: Side, origin: RecordOrigin) {
        switch item {
        case .message(let message):
            handleMessage(message, recordVersion: header.version, side: side, origin: origin)
        case .oversized(let type, let length):
            context.malformedRecords += 1
            observe(.malformed(.oversizedMessage(sender: side, type: type, length: length), handshake: currentIndex))
        }
    }

    func malformed(_ what: String, side: Side, _ error: ParseError) {
        context.malformedRecords += 1
        observe(.malformed(.unparseableMessage(sender: side, message: what, error: error), handshake: currentIndex))
    }

    func handleMessage(_ message: HandshakeMessage, recordVersion: UInt16, side sentBy: Side, origin: RecordOrigin) {
        var side = sentBy
        let type = message.type
        noteHandshakeMessage(message)
        if type == HandshakeType.clientHello && side == .server && handshakes.isEmpty && connection.identity == nil {
            // The ClientHello decides who the client is.
            swapRoles()
            side = .client
        }
        if handshakes.isEmpty && type != HandshakeType.clientHello && type != HandshakeType.serverHello && type != HandshakeType.helloRequest {
            startHandshake(initiator: nil, origin: .clear, phase: .helloSent(retried: false), trigger: nil)
        }
        switch type {
        case HandshakeType.clientHello:
            clientHelloMessage(message, side: side, recordVersion: recordVersion, origin: origin)
            return
        case HandshakeType.serverHello:
            serverHelloMessage(message, side: side, recordVersion: recordVersion, origin: origin)
            return
        case HandshakeType.helloRequest where side == .server && currentHandshake.map({ handshakes[$0].phase.isFinal }) == true:
            // A HelloRequest seen in clear or decrypted starts the next handshake (the server initiates).
            let cur = startHandshake(initiator: .server, origin: origin, phase: .requested, trigger: "hello_request")
            addClear(message, side: side, recordVersion: recordVersion, to: cur, origin: origin)
            emit(.helloRequest(HelloRequestEvent(handshake: handshakes[cur].index, encrypted: origin.wasEncrypted, inferred: false)))
            announceRenegotiation(cur)
            return
        default:
            break
        }
        guard let cur = currentHandshake else {
            if type == HandshakeType.helloRequest { addClear(message, side: side, recordVersion: recordVersion, to: nil, origin: origin) }
            return
        }
        addClear(message, side: side, recordVersion: recordVersion, to: cur, origin: origin)
        if origin.isDecrypted && !handshakes[cur].phase.isFinal { handshakes[cur].decryptedRecords += 1 }
        if side == .server && !handshakes[cur].phase.changedCipher(.server) && Handshake.serverFlightTypes.contains(type) {
            handshakes[cur].baseline.serverFlightBytes += message.length + 4
        }
        if side == .client && type == HandshakeType.clientKeyExchange {
            handshakes[cur].baseline.clientKeyExchangeBytes = message.length + 4
        }
        switch type {
        case HandshakeType.helloRequest:
            // During a handshake a HelloRequest is ignored (RFC 5246 7.4.1.1); note it only.
            break
        case HandshakeType.certificate:
            advance(cur, side == .server ? .serverFlight : .clientFlight, from: side)
            certificateMessage(message, side: side, handshake: cur, origin: origin)
        case HandshakeType.serverKeyExchange:
            advance(cur, .serverFlight, from: side)
            handshakes[cur].fullServerFlight = true
            if handshakes[cur].resumed == nil { handshakes[cur].resumed = false }
            serverKeyExchangeMessage(message, handshake: cur)
        case HandshakeType.certificateRequest:
            // TLS 1.3 after the handshake: post-handshake authentication, no state change.
            if !handshakes[cur].isCompleted { advance(cur, .serverFlight, from: side) }
            certificateRequestMessage(message, handshake: cur, origin: origin)
        case HandshakeType.serverHelloDone:
            advance(cur, .serverFlight, from: side)
            handshakes[cur].fullServerFlight = true
            if handshakes[cur].resumed == nil { handshakes[cur].resumed = false }
        case HandshakeType.certificateStatus, HandshakeType.encryptedExtensions:
            advance(cur, .serverFlight, from: side)
        case HandshakeType.certificateVerify:
            advance(cur, side == .server ? .serverFlight : .clientFlight, from: side)
            if side == .client { handshakes[cur].clientCertificateVerified = true }
        case HandshakeType.finished:
            let duringHandshake = !handshakes[cur].phase.isFinal
            // The handshake's own Finished switches TLS 1.3 keys; a post-handshake one does not.
            if handshakes[cur].isTLS13 && origin.isDecrypted && duringHandshake { switchToApplicationKeys(side) }
            if duringHandshake { advance(cur, .finished(side), from: side) }
        case HandshakeType.clientKeyExchange:
            advance(cur, .clientFlight, from: side)
            clientKeyExchangeSeen(message, handshake: cur)
        case HandshakeType.keyUpdate:
            keyUpdateReceived(message, side: side)
        default:
            break
        }
    }

    private func addClear(_ message: HandshakeMessage, side: Side, recordVersion: UInt16, to cur: Int?, origin: RecordOrigin) {
        if let cur {
            handshakes[cur].add(sender: side, name: .handshakeType(message.type), length: message.length,
                                encrypted: origin.wasEncrypted, decrypted: origin.isDecrypted, inferred: false,
                                limit: context.config.maxMessagesPerHandshake)
        }
        guard context.wantsTrace else { return }
        let label = TLSRegistry.handshakeTypeName(message.type) ?? "unknown handshake type \(message.type)"
        trace(side, version: recordVersion, contentType: ContentType.handshake, length: message.length + 4,
              origin.isDecrypted ? "decrypted, " + label : label, origin: origin)
    }

    // MARK: hellos

    private func clientHelloMessage(_ message: HandshakeMessage, side: Side, recordVersion: UInt16, origin: RecordOrigin) {
        let hello: ClientHello
        do throws(ParseError) {
            hello = try ClientHello.parse(message.body)
        } catch {
            malformed("ClientHello", side: side, error)
            let cur = openHandshakeForClientHello(side: side, origin: origin)
            addClear(message, side: side, recordVersion: recordVersion, to: cur, origin: origin)
            return
        }
        addClear(message, side: side, recordVersion: recordVersion, to: nil, origin: origin)
        clientHelloReceived(hello, side: side, length: message.length, origin: origin)
    }

    /// The handshake a ClientHello belongs to: the one in progress (a HelloRequest
    /// started it, or a HelloRetryRequest asked again), else a new one: the
    /// first, or the client's renegotiation.
    @discardableResult
    private func openHandshakeForClientHello(side: Side, origin: RecordOrigin) -> Int {
        if let cur = currentHandshake, !handshakes[cur].phase.isFinal {
            advance(cur, .clientHello, from: side)
            if origin.isDecrypted { handshakes[cur].decryptedRecords += 1 }
            return cur
        }
        let renegotiating = !handshakes.isEmpty
        let cur = startHandshake(initiator: .client, origin: origin, phase: .helloSent(retried: false), trigger: renegotiating ? "client_hello" : nil)
        if origin.isDecrypted { handshakes[cur].decryptedRecords += 1 }
        if renegotiating { announceRenegotiation(cur) }
        return cur
    }

    func clientHelloReceived(_ hello: ClientHello, side: Side, length: Int, origin: RecordOrigin) {
        let cur = openHandshakeForClientHello(side: side, origin: origin)
        handshakes[cur].clientHello = ClientHelloFacts(hello)
        if decryption != nil {
            handshakes[cur].keyInputs.value.clientLegacyVersion = hello.legacyVersion
            handshakes[cur].keyInputs.value.clientRandom = ShortBytes(hello.random)
        }
        if handshakes[cur].index == 0 {
            sni = hello.serverName ?? sni
            clientOfferedSecureRenegotiation = hello.offersSecureRenegotiation
        }
        handshakes[cur].add(sender: side, name: .handshakeType(HandshakeType.clientHello), length: length,
                            encrypted: origin.wasEncrypted, decrypted: origin.isDecrypted, inferred: false,
                            limit: context.config.maxMessagesPerHandshake)
        let ja3 = Fingerprints.ja3IfDefined(hello)
        let ja4 = Fingerprints.ja4(hello)
        if !fingerprints.contains(.ja4) {
            fingerprints[.ja3] = ja3?.hash
            fingerprints[.ja4] = ja4
        }
        emit(.clientHello(ClientHelloEvent(handshake: handshakes[cur].index, encrypted: origin.wasEncrypted, decrypted: origin.isDecrypted,
                                           hello: hello, ja3: ja3?.hash, ja3String: ja3?.string, ja4: ja4)))
    }

    private func serverHelloMessage(_ message: HandshakeMessage, side: Side, recordVersion: UInt16, origin: RecordOrigin) {
        if handshakes.isEmpty { startHandshake(initiator: nil, origin: .clear, phase: .helloSent(retried: false), trigger: nil) }
        guard let cur = currentHandshake else { return }
        addClear(message, side: side, recordVersion: recordVersion, to: cur, origin: origin)
        if origin.isDecrypted && !handshakes[cur].phase.isFinal { handshakes[cur].decryptedRecords += 1 }
        let hello: ServerHello
        defer { handshakes[cur].baseline.serverFlightBytes += message.length + 4 }
        do throws(ParseError) {
            hello = try ServerHello.parse(message.body)
        } catch {
            malformed("ServerHello", side: side, error)
            return
        }
        serverHelloReceived(hello, handshake: cur, origin: origin)
    }

    func serverHelloReceived(_ hello: ServerHello, handshake cur: Int, origin: RecordOrigin) {
        advance(cur, .serverHello(helloRetry: hello.isHelloRetryRequest), from: .server)
        handshakes[cur].baseline.serverFlightBytes = 0
        handshakes[cur].encryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC)
            && (handshakes[cur].clientHello?.offersEncryptThenMAC ?? true)
        let version = hello.negotiatedVersion
        handshakes[cur].version = version
        handshakes[cur].cipherSuite = hello.cipherSuite
        let retry = hello.isHelloRetryRequest
        if !retry {
            negotiatedVersion = version
            negotiatedSuite = hello.cipherSuite
            if let alpn = hello.alpn { self.alpn = alpn }
        }
        let resumed = resumption(hello, handshake: cur)
        if !retry {
            handshakes[cur].resumed = resumed
            if handshakes[cur].index == 0 { secureRenegotiation = renegotiationProtection(hello, handshake: cur) }
        }
        let (ja3s, ja4s) = serverFingerprints(hello)
        emit(.serverHello(ServerHelloEvent(handshake: handshakes[cur].index, encrypted: origin.wasEncrypted, decrypted: origin.isDecrypted,
                                           hello: hello, resumed: resumed, ja3s: ja3s, ja4s: ja4s)))
        guard !retry else { return }
        prepareKeys(hello, handshake: cur)
        observe(.negotiated(version: version, suite: hello.cipherSuite, compression: hello.compressionMethod, handshake: handshakes[cur].index))
    }

    /// JA3S and JA4S of a ServerHello; the connection keeps the first real one's.
    private func serverFingerprints(_ hello: ServerHello) -> (ja3s: String?, ja4s: String?) {
        let ja3s = Fingerprints.ja3sIfDefined(hello)?.hash
        let ja4s = Fingerprints.ja4s(hello)
        if !fingerprints.contains(.ja4s) && !hello.isHelloRetryRequest {
            fingerprints[.ja3s] = ja3s
            fingerprints[.ja4s] = ja4s
        }
        return (ja3s, ja4s)
    }

    /// The ServerHello fixed what key derivation needs: keys are set up (when given).
    private func prepareKeys(_ hello: ServerHello, handshake cur: Int) {
        if decryption != nil {
            handshakes[cur].keyInputs.value.serverRandom = ShortBytes(hello.random)
            handshakes[cur].keyInputs.value.serverSessionID = ShortBytes(hello.sessionID)
        }
        handshakes[cur].extendedMasterSecret = hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
            && (handshakes[cur].clientHello?.offersExtendedMasterSecret ?? false)
        if ProtocolVersion.isTLS13Family(hello.negotiatedVersion) { setUpTLS13Keys(handshake: cur) } else { setUpTLS12Keys(handshake: cur) }
    }

    /// Resumption: TLS 1.3 by an accepted PSK; earlier versions by an echoed session id (nil: not known yet).
    private func resumption(_ hello: ServerHello, handshake cur: Int) -> Bool? {
        if ProtocolVersion.isTLS13Family(hello.negotiatedVersion) {
            return hello.isHelloRetryRequest ? nil : hello.hasPreSharedKey
        }
        if let clientHello = handshakes[cur].clientHello, !clientHello.sessionID.isEmpty, clientHello.sessionID.equals(hello.sessionID) {
            return true
        }
        return nil
    }

    /// RFC 5746 as the first handshake negotiated it. TLS 1.3 has no
    /// renegotiation: it does not apply (null, not false); unknown (null)
    /// when the ClientHello was not seen.
    private func renegotiationProtection(_ hello: ServerHello, handshake cur: Int) -> Bool? {
        if ProtocolVersion.isTLS13Family(hello.negotiatedVersion) || handshakes[cur].clientHello == nil { return nil }
        return clientOfferedSecureRenegotiation && hello.hasRenegotiationInfo
    }

    // MARK: certificates

    private func certificateMessage(_ message: HandshakeMessage, side: Side, handshake cur: Int, origin: RecordOrigin) {
        if side == .server {
            handshakes[cur].fullServerFlight = true
            if handshakes[cur].resumed == nil { handshakes[cur].resumed = false }
        }
        let parsed: CertificateMessage
        do throws(ParseError) {
            parsed = try CertificateMessage.parse(message.body, tls13: handshakes[cur].isTLS13)
        } catch {
            malformed("Certificate", side: side, error)
            return
        }
        certificatesReceived(parsed.certificates.map { context.certificateSummaries.summary(der: $0) }, side: side, handshake: cur, origin: origin)
    }

    func certificatesReceived(_ chain: [CertificateSummary], side: Side, handshake cur: Int, origin: RecordOrigin) {
        let index = handshakes[cur].index
        emit(.certificate(CertificateEvent(handshake: index, encrypted: origin.wasEncrypted, decrypted: origin.wasEncrypted, sender: side, chain: chain)))
        if side == .client {
            handshakes[cur].clientCertificateEmpty = chain.isEmpty
            if clientChains.count < Self.maxStoryEntries { clientChains.append((index, chain.first)) }
            if let leaf = chain.first {
                if clientCertificate == nil { clientCertificate = context.sharedCertificateBox(leaf) }
            } else {
                observe(.clientCertificate(empty: true, requested: handshakes[cur].certificateRequest != nil || firstCertificateRequest != nil,
                                           handshake: index))
            }
            return
        }
        guard let leaf = chain.first else { return }
        if serverCertificate == nil { serverCertificate = context.sharedCertificateBox(leaf) }
        observe(.serverCertificate(leaf, handshake: index, sni: sni, at: now))
    }

    private func certificateRequestMessage(_ message: HandshakeMessage, handshake cur: Int, origin: RecordOrigin) {
        let version = handshakes[cur].version ?? negotiatedVersion ?? ProtocolVersion.tls12
        let request: CertificateRequest?
        do throws(ParseError) {
            request = try CertificateRequest.parse(message.body, version: version)
        } catch {
            malformed("CertificateRequest", side: .server, error)
            request = nil
        }
        certificateRequestSeen(request, handshake: cur, origin: origin)
    }

    /// A CertificateRequest read in clear or decrypted (`request` nil when it did not parse).
    private func certificateRequestSeen(_ request: CertificateRequest?, handshake cur: Int, origin: RecordOrigin) {
        let hs = handshakes[cur]
        let phase: CertificateRequestPhase = hs.isCompleted ? .postHandshake : (hs.index == 0 ? .initial : .renegotiation)
        let firstAsked = handshakes.contains { $0.index == 0 && $0.certificateRequest != nil }
        handshakes[cur].certificateRequest = .read(encrypted: origin.wasEncrypted)
        noteCertificateRequest(phase, inferred: false)
        observe(.certificateRequested(CertificateRequestFact(phase: phase, handshake: hs.index, initiator: hs.initiator,
                                                             firstHandshakeAsked: firstAsked || (hs.index == 0),
                                                             encrypted: origin.wasEncrypted, decrypted: origin.wasEncrypted && request != nil)))
        let appBytes = applicationBytes
        let event = CertificateRequestEvent(
            handshake: hs.index, encrypted: origin.wasEncrypted, decrypted: origin.wasEncrypted && request != nil, phase: phase,
            afterApplicationData: appBytes.client > 0 || appBytes.server > 0, applicationBytesBefore: appBytes,
            msSinceConnectionStart: now.milliseconds(since: connection.start),
            certificateTypes: request?.certificateTypes, signatureAlgorithms: request?.signatureAlgorithms,
            caNames: request?.certificateAuthorities.map { X509Summarizer.distinguishedName(der: $0) ?? "#" + hexEncode($0) },
            inferred: false)
        keep(event)
        emit(.certificateRequest(event))
    }

    /// The earliest CertificateRequest: a read one replaces an inferred one of the same phase.
    func noteCertificateRequest(_ phase: CertificateRequestPhase, inferred: Bool) {
        guard let first = firstCertificateRequest else {
            firstCertificateRequest = (phase, inferred)
            return
        }
        if first.inferred { firstCertificateRequest = (first.phase, inferred && first.phase == phase) }
    }

    private func serverKeyExchangeMessage(_ message: HandshakeMessage, handshake cur: Int) {
        guard let suite = handshakes[cur].cipherSuite, let info = CipherSuiteRegistry.info(suite) else { return }
        let kind: ServerKeyExchange.Kind
        switch info.keyExchange {
        case .ecdhe, .ecdhePSK: kind = .ecdhe
        case .dhe, .dhePSK, .dh: kind = .dhe
        case .rsa where info.isExport: kind = .rsaExport
        case .psk, .rsaPSK: kind = .pskHintOnly
        default: kind = .unknown
        }
        let pskHint = info.keyExchange == .dhePSK || info.keyExchange == .ecdhePSK
        guard let exchange = try? ServerKeyExchange.parse(message.body, kind: kind, pskHint: pskHint) else {
            context.malformedRecords += 1
            return
        }
        observe(.serverKeyExchange(exchange, handshake: handshakes[cur].index))
    }
}
