import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Handshake messages seen in clear: hellos, certificates, requests, key exchange.
extension Connection {
    func handleClearHandshakeRecord(_ body: UnsafeRawBufferPointer, header: RecordHeader, side: Side) {
        let buffers = handshakeBuffers   // held here: stays alive even if released meanwhile
        if direction(of: side) == .forward {
            buffers.forward.begin(body)
            while let item = buffers.forward.next() { handleMessageItem(item, header: header, side: side) }
            buffers.forward.end()
        } else {
            buffers.reverse.begin(body)
            while let item = buffers.reverse.next() { handleMessageItem(item, header: header, side: side) }
            buffers.reverse.end()
        }
    }

    private func handleMessageItem(_ item: HandshakeDefragmenter.Item, header: RecordHeader, side: Side) {
        switch item {
        case .message(let message):
            handleMessage(message, recordVersion: header.version, side: side)
        case .oversized(let type, let length):
            context.malformedRecords += 1
            raise("tls.malformed", "The \(side.rawValue) announced a \(TLSRegistry.handshakeTypeName(type) ?? "type \(type)") message of \(length) bytes, over tlsdump's limit; it was skipped.",
                  handshake: currentHandshake, evidence: [("sender", .string(side.rawValue)), ("length", .int(length))])
        }
    }

    private func malformed(_ what: String, side: Side, _ error: ParseError) {
        context.malformedRecords += 1
        let reason: String
        switch error {
        case .needMoreBytes: reason = "it is truncated"
        case .malformed(let text): reason = text
        }
        raise("tls.malformed", "The \(side.rawValue)'s \(what) could not be parsed: \(reason).", handshake: currentHandshake,
              evidence: [("sender", .string(side.rawValue)), ("message", .string(what))])
    }

    func handleMessage(_ message: HandshakeMessage, recordVersion: UInt16, side sentBy: Side) {
        var side = sentBy
        let type = message.type
        noteHandshakeMessage(message)
        if type == HandshakeType.clientHello && side == .server && handshakes.isEmpty && identity == nil {
            // The ClientHello decides who the client is.
            swapRoles()
            side = .client
        }
        if handshakes.isEmpty && type != HandshakeType.clientHello && type != HandshakeType.serverHello && type != HandshakeType.helloRequest {
            startHandshake(initiator: nil, encrypted: false, evidence: nil)
        }
        switch type {
        case HandshakeType.clientHello:
            clientHelloMessage(message, side: side, recordVersion: recordVersion)
        case HandshakeType.serverHello:
            serverHelloMessage(message, side: side, recordVersion: recordVersion)
        default:
            if type == HandshakeType.helloRequest, side == .server, let last = currentHandshake, handshakes[last].done {
                // A HelloRequest seen in clear or decrypted starts the next handshake (the server initiates).
                let cur = startHandshake(initiator: .server, encrypted: decryptedRecord, evidence: "hello_request")
                addClear(message, side: side, recordVersion: recordVersion, to: cur)
                emit(.helloRequest(HelloRequestEvent(handshake: handshakes[cur].index, encrypted: decryptedRecord, inferred: false)))
                announceRenegotiation(cur)
                return
            }
            guard let cur = currentHandshake else {
                if type == HandshakeType.helloRequest {
                    addClear(message, side: side, recordVersion: recordVersion, to: nil)
                }
                return
            }
            addClear(message, side: side, recordVersion: recordVersion, to: cur)
            if side == .server && !handshakes[cur].changeCipherSpec.server && HandshakeState.serverFlightTypes.contains(type) {
                handshakes[cur].clearServerFlightBytes += message.length + 4
            }
            if side == .client && type == HandshakeType.clientKeyExchange {
                handshakes[cur].clearClientKeyExchangeBytes = message.length + 4
            }
            switch type {
            case HandshakeType.helloRequest:
                // During a handshake a HelloRequest is ignored (RFC 5246 7.4.1.1); note it only.
                break
            case HandshakeType.certificate:
                certificateMessage(message, side: side, handshake: cur)
            case HandshakeType.serverKeyExchange:
                handshakes[cur].serverSentFullFlight = true
                if handshakes[cur].resumed == nil { handshakes[cur].resumed = false }
                serverKeyExchangeMessage(message, handshake: cur)
            case HandshakeType.certificateRequest:
                certificateRequestMessage(message, handshake: cur)
            case HandshakeType.serverHelloDone:
                handshakes[cur].serverSentFullFlight = true
                if handshakes[cur].resumed == nil { handshakes[cur].resumed = false }
            case HandshakeType.certificateVerify:
                if side == .client { handshakes[cur].clientCertificateVerify = true }
            case HandshakeType.finished:
                handshakes[cur].finished[side] = true
                // The handshake's own Finished switches TLS 1.3 keys; a post-handshake one does not.
                if handshakes[cur].isTLS13 && decryptedRecord && !handshakes[cur].done { switchToApplicationKeys(side) }
                completeHandshake(cur)
            case HandshakeType.clientKeyExchange:
                clientKeyExchangeSeen(message, handshake: cur)
            case HandshakeType.keyUpdate:
                keyUpdateReceived(message, side: side)
            default:
                break
            }
        }
    }

    private func addClear(_ message: HandshakeMessage, side: Side, recordVersion: UInt16, to cur: Int?) {
        let name = TLSRegistry.handshakeTypeName(message.type)
        if let cur {
            handshakes[cur].add(sender: side, name: .handshakeType(message.type), length: message.length,
                                encrypted: decryptedRecord, decrypted: decryptedRecord, inferred: false,
                                limit: context.config.maxMessagesPerHandshake)
        }
        let label = name ?? "unknown handshake type \(message.type)"
        trace(side, version: recordVersion, contentType: ContentType.handshake, length: message.length + 4, decryptedRecord ? "decrypted, " + label : label)
    }

    private func swapRoles() {
        clientDirection = clientDirection.reversed
        sides = SidePair(client: sides.server, server: sides.client)
    }

    // MARK: hellos

    private func clientHelloMessage(_ message: HandshakeMessage, side: Side, recordVersion: UInt16) {
        let hello: ClientHello
        do throws(ParseError) {
            hello = try ClientHello.parse(message.body)
        } catch {
            malformed("ClientHello", side: side, error)
            let cur = openHandshakeForClientHello(side: side)
            addClear(message, side: side, recordVersion: recordVersion, to: cur)
            return
        }
        addClear(message, side: side, recordVersion: recordVersion, to: nil)
        clientHelloReceived(hello, side: side, length: message.length, recordVersion: nil)
    }

    /// Starts a handshake for a ClientHello unless it continues one (after HelloRetryRequest).
    @discardableResult
    private func openHandshakeForClientHello(side: Side) -> Int {
        if let cur = currentHandshake {
            let hs = handshakes[cur]
            // Only a completed handshake can be renegotiated: a second ClientHello before that
            // answers a HelloRetryRequest (seen or not) and continues the same handshake.
            if !hs.done { return cur }
        }
        // A HelloRequest already started its own handshake; a ClientHello after a completed one is the client's renegotiation.
        let renegotiating = !handshakes.isEmpty
        let cur = startHandshake(initiator: .client, encrypted: decryptedRecord, evidence: renegotiating ? "client_hello" : nil)
        if renegotiating { announceRenegotiation(cur) }
        return cur
    }

    func clientHelloReceived(_ hello: ClientHello, side: Side, length: Int, recordVersion: UInt16?) {
        let cur = openHandshakeForClientHello(side: side)
        handshakes[cur].clientHello = ClientHelloFacts(hello)
        if decryption != nil {
            handshakes[cur].keyInputs.value.clientLegacyVersion = hello.legacyVersion
            handshakes[cur].keyInputs.value.clientRandom = ShortBytes(hello.random)
        }
        if cur == 0 || handshakes[cur].index == 0 {
            sni = hello.serverName ?? sni
            clientOfferedSecureRenegotiation = hello.offersSecureRenegotiation
        }
        handshakes[cur].add(sender: side, name: .handshakeType(HandshakeType.clientHello), length: length,
                            encrypted: decryptedRecord, decrypted: decryptedRecord, inferred: false,
                            limit: context.config.maxMessagesPerHandshake)
        let ja3 = Fingerprints.ja3IfDefined(hello)
        let ja4 = Fingerprints.ja4(hello)
        if !fingerprints.contains(.ja4) {
            fingerprints[.ja3] = ja3?.hash
            fingerprints[.ja4] = ja4
        }
        emit(.clientHello(ClientHelloEvent(handshake: handshakes[cur].index, encrypted: decryptedRecord, decrypted: decryptedRecord, hello: hello,
                                           ja3: ja3?.hash, ja3String: ja3?.string, ja4: ja4)))
    }

    private func serverHelloMessage(_ message: HandshakeMessage, side: Side, recordVersion: UInt16) {
        if handshakes.isEmpty { startHandshake(initiator: nil, encrypted: false, evidence: nil) }
        guard let cur = currentHandshake else { return }
        addClear(message, side: side, recordVersion: recordVersion, to: cur)
        let hello: ServerHello
        defer { handshakes[cur].clearServerFlightBytes += message.length + 4 }
        do throws(ParseError) {
            hello = try ServerHello.parse(message.body)
        } catch {
            malformed("ServerHello", side: side, error)
            return
        }
        serverHelloReceived(hello, handshake: cur)
    }

    func serverHelloReceived(_ hello: ServerHello, handshake cur: Int) {
        handshakes[cur].serverHelloSeen = true
        handshakes[cur].clearServerFlightBytes = 0
        handshakes[cur].encryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC)
            && (handshakes[cur].clientHello?.offersEncryptThenMAC ?? true)
        handshakes[cur].helloRetry = hello.isHelloRetryRequest
        let version = hello.negotiatedVersion
        handshakes[cur].version = version
        handshakes[cur].cipherSuite = hello.cipherSuite
        if !hello.isHelloRetryRequest {
            negotiatedVersion = version
            negotiatedSuite = hello.cipherSuite
            if let alpn = hello.alpn { self.alpn = alpn }
        }
        // Resumption: TLS 1.3 by an accepted PSK; earlier versions by an echoed session id.
        var resumed: Bool?
        if ProtocolVersion.isTLS13Family(version) {
            resumed = hello.isHelloRetryRequest ? nil : hello.hasPreSharedKey
        } else if let clientHello = handshakes[cur].clientHello, !clientHello.sessionID.isEmpty, clientHello.sessionID.equals(hello.sessionID) {
            resumed = true
        }
        if !hello.isHelloRetryRequest { handshakes[cur].resumed = resumed }
        if handshakes[cur].index == 0 && !hello.isHelloRetryRequest {
            // TLS 1.3 has no renegotiation: RFC 5746 does not apply (null, not false).
            // Unknown (null) when the ClientHello was not seen.
            if ProtocolVersion.isTLS13Family(version) || handshakes[cur].clientHello == nil {
                secureRenegotiation = nil
            } else {
                secureRenegotiation = clientOfferedSecureRenegotiation && hello.hasRenegotiationInfo
            }
        }
        let ja3s = Fingerprints.ja3sIfDefined(hello)?.hash
        let ja4s = Fingerprints.ja4s(hello)
        if !fingerprints.contains(.ja4s) && !hello.isHelloRetryRequest {
            fingerprints[.ja3s] = ja3s
            fingerprints[.ja4s] = ja4s
        }
        emit(.serverHello(ServerHelloEvent(handshake: handshakes[cur].index, encrypted: decryptedRecord, decrypted: decryptedRecord, hello: hello,
                                           resumed: resumed, ja3s: ja3s, ja4s: ja4s)))
        if !hello.isHelloRetryRequest {
            if decryption != nil {
                handshakes[cur].keyInputs.value.serverRandom = ShortBytes(hello.random)
                handshakes[cur].keyInputs.value.serverSessionID = ShortBytes(hello.sessionID)
            }
            handshakes[cur].extendedMasterSecret = hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
                && (handshakes[cur].clientHello?.offersExtendedMasterSecret ?? false)
            if ProtocolVersion.isTLS13Family(version) { setUpTLS13Keys(handshake: cur) } else { setUpTLS12Keys(handshake: cur) }
        }
        if !hello.isHelloRetryRequest {
            negotiatedParameterFindings(version: version, suite: hello.cipherSuite, compression: hello.compressionMethod, handshake: handshakes[cur].index)
        }
    }

    // MARK: certificates

    private func certificateMessage(_ message: HandshakeMessage, side: Side, handshake cur: Int) {
        if side == .server {
            handshakes[cur].serverSentFullFlight = true
            if handshakes[cur].resumed == nil { handshakes[cur].resumed = false }
        }
        let parsed: CertificateMessage
        do throws(ParseError) {
            parsed = try CertificateMessage.parse(message.body, tls13: handshakes[cur].isTLS13)
        } catch {
            malformed("Certificate", side: side, error)
            return
        }
        certificatesReceived(parsed.certificates.map { context.certificateSummaries.summary(der: $0) }, side: side, handshake: cur, encrypted: decryptedRecord)
    }

    func certificatesReceived(_ chain: [CertificateSummary], side: Side, handshake cur: Int, encrypted: Bool) {
        let index = handshakes[cur].index
        emit(.certificate(CertificateEvent(handshake: index, encrypted: encrypted, decrypted: encrypted, sender: side, chain: chain)))
        if side == .client {
            handshakes[cur].clientCertificateEmpty = chain.isEmpty
            if let leaf = chain.first {
                if clientCertificate == nil { clientCertificate = leaf }
            } else if handshakes[cur].certificateRequested || firstCertificateRequestPhase != nil {
                raise("client_auth.no_certificate", "The server asked for a client certificate and the client sent none.", handshake: index)
            }
            return
        }
        guard let leaf = chain.first else { return }
        if serverCertificate == nil { serverCertificate = leaf }
        certificateFindings(leaf, handshake: index)
    }

    private func certificateRequestMessage(_ message: HandshakeMessage, handshake cur: Int) {
        let version = handshakes[cur].version ?? negotiatedVersion ?? ProtocolVersion.tls12
        let request: CertificateRequest
        do throws(ParseError) {
            request = try CertificateRequest.parse(message.body, version: version)
        } catch {
            malformed("CertificateRequest", side: .server, error)
            certificateRequestSeen(nil, handshake: cur, encrypted: decryptedRecord, inferred: false)
            return
        }
        certificateRequestSeen(request, handshake: cur, encrypted: decryptedRecord, inferred: false)
    }

    func certificateRequestSeen(_ request: CertificateRequest?, handshake cur: Int, encrypted: Bool, inferred: Bool) {
        handshakes[cur].certificateRequested = true
        let hs = handshakes[cur]
        let phase: CertificateRequestPhase = hs.done ? .postHandshake : (hs.index == 0 ? .initial : .renegotiation)
        if firstCertificateRequestPhase == nil || certificateRequestInferred {
            if firstCertificateRequestPhase == nil { firstCertificateRequestPhase = phase }
            certificateRequestInferred = inferred && firstCertificateRequestPhase == phase
        }
        if phase == .postHandshake {
            raise("client_auth.post_handshake", "The server asked for a client certificate after the TLS 1.3 handshake (post-handshake authentication).",
                  handshake: hs.index, evidence: [("encrypted", .bool(encrypted)), ("decrypted", .bool(encrypted && request != nil))])
        }
        if phase == .renegotiation && hs.initiator == .server && !handshakes.contains(where: { $0.index == 0 && $0.certificateRequested }) {
            raise("client_auth.via_renegotiation",
                  "The server asked for a client certificate only in a renegotiation it started after the first handshake; clients that expect the request in the first handshake can fail here.",
                  handshake: hs.index, evidence: [("inferred", .bool(false)), ("encrypted", .bool(encrypted))])
        }
        let appBytes = SidePair(client: sides.client.applicationDataBytes, server: sides.server.applicationDataBytes)
        emit(.certificateRequest(CertificateRequestEvent(
            handshake: hs.index, encrypted: encrypted, decrypted: encrypted && request != nil, phase: phase,
            afterApplicationData: appBytes.client > 0 || appBytes.server > 0, applicationBytesBefore: appBytes,
            msSinceConnectionStart: now.milliseconds(since: start),
            certificateTypes: request?.certificateTypes, signatureAlgorithms: request?.signatureAlgorithms,
            caNames: request?.certificateAuthorities.map { X509Summarizer.distinguishedName(der: $0) ?? "#" + hexEncode($0) },
            inferred: inferred)))
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
        keyExchangeFindings(exchange, handshake: handshakes[cur].index)
    }
}
