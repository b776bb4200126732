import Crypto
import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import TLSDumpTrust

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
            // Not malformed: larger than what is read. It stays in the ladder with its length.
            observe(.malformed(.oversizedMessage(sender: side, type: type, length: length), handshake: currentIndex))
            guard let phase = currentPhase, !phase.isFinal, TLSRegistry.handshakeTypeName(type) != nil else { break }
            live.add(sender: side, name: .handshakeType(type), length: length, encrypted: origin.wasEncrypted,
                     decrypted: origin.isDecrypted, inferred: false, limit: context.config.maxMessagesPerHandshake)
            if type == HandshakeType.certificate || type == HandshakeType.compressedCertificate {
                advance(side == .server ? .serverFlight : .clientFlight, from: side)
            }
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
        case HandshakeType.helloRequest where side == .server && currentPhase?.isFinal == true:
            // A HelloRequest seen in clear or decrypted starts the next handshake (the server initiates).
            startHandshake(initiator: .server, origin: origin, phase: .requested, trigger: "hello_request")
            addClear(message, side: side, recordVersion: recordVersion, toCurrent: true, origin: origin)
            emit(.helloRequest(HelloRequestEvent(handshake: currentIndex ?? 0, encrypted: origin.wasEncrypted, inferred: false)))
            announceRenegotiation()
            return
        default:
            break
        }
        guard let phase = currentPhase else {
            if type == HandshakeType.helloRequest { addClear(message, side: side, recordVersion: recordVersion, toCurrent: false, origin: origin) }
            return
        }
        addClear(message, side: side, recordVersion: recordVersion, toCurrent: true, origin: origin)
        if origin.isDecrypted && !phase.isFinal { live.decryptedRecords += 1 }
        if side == .server && !phase.changedCipher(.server) && Handshake.serverFlightTypes.contains(type) {
            live.baseline.serverFlightBytes += message.length + 4
        }
        if side == .client && type == HandshakeType.clientKeyExchange {
            live.baseline.clientKeyExchangeBytes = message.length + 4
        }
        switch type {
        case HandshakeType.helloRequest:
            // During a handshake a HelloRequest is ignored (RFC 5246 7.4.1.1); note it only.
            break
        case HandshakeType.certificate:
            advance(side == .server ? .serverFlight : .clientFlight, from: side)
            certificateMessage(message, side: side, origin: origin)
        case HandshakeType.compressedCertificate:
            advance(side == .server ? .serverFlight : .clientFlight, from: side)
            compressedCertificateMessage(message, side: side, origin: origin)
        case HandshakeType.serverKeyExchange:
            advance(.serverFlight, from: side)
            live.markFullServerFlight()
            serverKeyExchangeMessage(message)
        case HandshakeType.certificateRequest:
            // TLS 1.3 after the handshake: post-handshake authentication, no state change.
            if !phase.isCompleted { advance(.serverFlight, from: side) }
            certificateRequestMessage(message, origin: origin)
        case HandshakeType.serverHelloDone:
            advance(.serverFlight, from: side)
            live.markFullServerFlight()
            stapled?.pendingIdentity = nil   // no CertificateStatus after this point
        case HandshakeType.certificateStatus:
            advance(.serverFlight, from: side)
            if side == .server { certificateStatusMessage(message, origin: origin) }
        case HandshakeType.encryptedExtensions:
            advance(.serverFlight, from: side)
            encryptedExtensionsMessage(message)
        case HandshakeType.certificateVerify:
            advance(side == .server ? .serverFlight : .clientFlight, from: side)
            if side == .client { live.clientCertificateVerified = true }
        case HandshakeType.finished:
            let duringHandshake = !phase.isFinal
            // The handshake's own Finished switches TLS 1.3 keys; a post-handshake one does not.
            if currentIsTLS13 && origin.isDecrypted && duringHandshake { switchToApplicationKeys(side) }
            if duringHandshake { advance(.finished(side), from: side) }
        case HandshakeType.clientKeyExchange:
            advance(.clientFlight, from: side)
            clientKeyExchangeSeen(message)
        case HandshakeType.keyUpdate:
            keyUpdateReceived(message, side: side)
        case HandshakeType.newSessionTicket where side == .server && !currentIsTLS13:
            newSessionTicketSeen(message)
        default:
            break
        }
    }

    private func addClear(_ message: HandshakeMessage, side: Side, recordVersion: UInt16, toCurrent: Bool, origin: RecordOrigin) {
        if toCurrent {
            live.add(sender: side, name: .handshakeType(message.type), length: message.length,
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
            openHandshakeForClientHello(side: side, origin: origin)
            addClear(message, side: side, recordVersion: recordVersion, toCurrent: true, origin: origin)
            return
        }
        addClear(message, side: side, recordVersion: recordVersion, toCurrent: false, origin: origin)
        clientHelloReceived(hello, side: side, length: message.length, origin: origin)
        if decryption != nil {
            // The ticket offered, by its digest: a session it resumes is found by it (RFC 5077).
            var digest: ShortBytes?
            if let range = hello.sessionTicketRange, !range.isEmpty, range.upperBound <= message.body.count {
                digest = ShortBytes(Array(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: message.body[range]))))
            }
            live.keyInputs.value.clientTicketDigest = digest
        }
    }

    /// The handshake a ClientHello belongs to: the one in progress (a HelloRequest
    /// started it, or a HelloRetryRequest asked again), else a new one: the
    /// first, or the client's renegotiation.
    private func openHandshakeForClientHello(side: Side, origin: RecordOrigin) {
        if inHandshake {
            advance(.clientHello, from: side)
        } else {
            let renegotiating = !handshakes.isEmpty
            startHandshake(initiator: .client, origin: origin, phase: .helloSent(retried: false), trigger: renegotiating ? "client_hello" : nil)
            if renegotiating { announceRenegotiation() }
        }
        if origin.isDecrypted { live.decryptedRecords += 1 }
    }

    func clientHelloReceived(_ hello: ClientHello, side: Side, length: Int, origin: RecordOrigin) {
        openHandshakeForClientHello(side: side, origin: origin)
        live.clientHello = ClientHelloFacts(hello)
        live.keyExchange.noteClientHello(hello)
        if decryption != nil {
            live.keyInputs.value.clientLegacyVersion = hello.legacyVersion
            live.keyInputs.value.clientRandom = ShortBytes(hello.random)
            live.keyInputs.value.clientSessionID = ShortBytes(hello.sessionID)
            setUpEarlyKeys(hello)
        }
        let index = currentIndex ?? 0
        if index == 0 {
            sni = hello.serverName ?? sni
            clientOfferedSecureRenegotiation = hello.offersSecureRenegotiation
            // The first ClientHello's offer (a second one after an HRR repeats it).
            if echBox == nil && (hello.ech != nil || hello.echMalformed) { ech = ECHSummary(offer: hello.ech, outerSNI: hello.serverName) }
        }
        live.add(sender: side, name: .handshakeType(HandshakeType.clientHello), length: length,
                            encrypted: origin.wasEncrypted, decrypted: origin.isDecrypted, inferred: false,
                            limit: context.config.maxMessagesPerHandshake)
        let prints = context.clientFingerprints.fingerprints(hello, transport: connection.transport.ja4)
        if !fingerprints.contains(.ja4) {
            fingerprints[.ja3] = prints.ja3
            fingerprints[.ja4] = prints.ja4
        }
        emit(.clientHello(ClientHelloEvent(handshake: index, encrypted: origin.wasEncrypted, decrypted: origin.isDecrypted,
                                           hello: hello, ja3: prints.ja3, ja3String: prints.ja3String, ja4: prints.ja4)))
    }

    private func serverHelloMessage(_ message: HandshakeMessage, side: Side, recordVersion: UInt16, origin: RecordOrigin) {
        if handshakes.isEmpty { startHandshake(initiator: nil, origin: .clear, phase: .helloSent(retried: false), trigger: nil) }
        addClear(message, side: side, recordVersion: recordVersion, toCurrent: true, origin: origin)
        if origin.isDecrypted && inHandshake { live.decryptedRecords += 1 }
        let hello: ServerHello
        defer { live.baseline.serverFlightBytes += message.length + 4 }
        do throws(ParseError) {
            hello = try ServerHello.parse(message.body)
        } catch {
            malformed("ServerHello", side: side, error)
            return
        }
        serverHelloReceived(hello, origin: origin)
    }

    func serverHelloReceived(_ hello: ServerHello, origin: RecordOrigin) {
        advance(.serverHello(helloRetry: hello.isHelloRetryRequest), from: .server)
        guard let hs = current else { return }
        live.baseline.serverFlightBytes = 0
        live.encryptThenMAC = hello.extensionTypes.contains(ExtensionType.encryptThenMAC) && (hs.clientHello?.offersEncryptThenMAC ?? true)
        let version = hello.negotiatedVersion
        live.version = version
        live.cipherSuite = hello.cipherSuite
        let retry = hello.isHelloRetryRequest
        if !retry {
            negotiatedVersion = version
            negotiatedSuite = hello.cipherSuite
            if let alpn = hello.alpn { self.alpn = alpn }
        }
        let resumed = resumption(hello, clientHello: hs.clientHello)
        if !retry {
            live.resumed = resumed
            if hs.index == 0 { secureRenegotiation = renegotiationProtection(hello, clientHello: hs.clientHello) }
        }
        let (ja3s, ja4s) = serverFingerprints(hello)
        keyExchangeChosen(hello, resumed: resumed)
        emit(.serverHello(ServerHelloEvent(handshake: hs.index, encrypted: origin.wasEncrypted, decrypted: origin.isDecrypted,
                                           hello: hello, resumed: resumed, ja3s: ja3s?.hash, ja3sString: ja3s?.string, ja4s: ja4s,
                                           helloRetryGroup: current?.keyExchange.helloRetryGroup)))
        guard !retry else { return }
        serverHelloStapling(hello)
        prepareKeys(hello)
        observe(.negotiated(version: version, suite: hello.cipherSuite, compression: hello.compressionMethod, handshake: hs.index))
        if let kex = current?.keyExchange, kex.group != nil || kex.method != .ecdhe {
            // Known now (TLS 1.3, or a suite without a ServerKeyExchange group); ECDHE waits for it.
            observe(.keyExchangeChosen(kex.summary, handshake: hs.index))
        }
    }

    /// What the ServerHello says of the key exchange: TLS 1.3's key_share group
    /// (an HRR's is the group it demands), or the method the suite implies.
    private func keyExchangeChosen(_ hello: ServerHello, resumed: Bool?) {
        if hello.isHelloRetryRequest {
            live.keyExchange.helloRetryGroup = hello.keyShareGroup
            if hello.hasECHExtension { ech?.helloRetryExtension = true }
            return
        }
        if ProtocolVersion.isTLS13Family(hello.negotiatedVersion) {
            live.keyExchange.group = hello.keyShareGroup
            live.keyExchange.method = hello.keyShareGroup == nil && hello.hasPreSharedKey ? .pskOnly : .keyShare
        } else if resumed == true {
            live.keyExchange.method = .resumption
        } else {
            live.keyExchange.method = KeyExchangeSummary.method(suite: hello.cipherSuite)
        }
    }

    /// JA3S and JA4S of a ServerHello; the connection keeps the first real one's.
    private func serverFingerprints(_ hello: ServerHello) -> (ja3s: (string: String, hash: String)?, ja4s: String?) {
        let ja3s = Fingerprints.ja3sIfDefined(hello)
        let ja4s = Fingerprints.ja4s(hello, transport: connection.transport.ja4)
        if !fingerprints.contains(.ja4s) && !hello.isHelloRetryRequest {
            fingerprints[.ja3s] = ja3s?.hash
            fingerprints[.ja4s] = ja4s
        }
        return (ja3s, ja4s)
    }

    /// The ServerHello fixed what key derivation needs: keys are set up (when given).
    private func prepareKeys(_ hello: ServerHello) {
        if decryption != nil {
            live.keyInputs.value.serverRandom = ShortBytes(hello.random)
            live.keyInputs.value.serverSessionID = ShortBytes(hello.sessionID)
        }
        let offered = current?.clientHello?.offersExtendedMasterSecret ?? false   // read first: see `current`
        live.extendedMasterSecret = offered && hello.extensionTypes.contains(ExtensionType.extendedMasterSecret)
        // QUIC protects packets, not records: its connection derives packet keys itself.
        guard connection.transport != .quic else { return }
        if ProtocolVersion.isTLS13Family(hello.negotiatedVersion) { setUpTLS13Keys() } else { setUpTLS12Keys() }
    }

    /// Resumption: TLS 1.3 by an accepted PSK; earlier versions by an echoed session id (nil: not known yet).
    private func resumption(_ hello: ServerHello, clientHello: ClientHelloFacts?) -> Bool? {
        if ProtocolVersion.isTLS13Family(hello.negotiatedVersion) {
            return hello.isHelloRetryRequest ? nil : hello.hasPreSharedKey
        }
        if let clientHello, !clientHello.sessionID.isEmpty, clientHello.sessionID.equals(hello.sessionID) {
            return true
        }
        return nil
    }

    /// RFC 5746 as the first handshake negotiated it. TLS 1.3 has no
    /// renegotiation: it does not apply (null, not false); unknown (null)
    /// when the ClientHello was not seen.
    private func renegotiationProtection(_ hello: ServerHello, clientHello: ClientHelloFacts?) -> Bool? {
        if ProtocolVersion.isTLS13Family(hello.negotiatedVersion) || clientHello == nil { return nil }
        return clientOfferedSecureRenegotiation && hello.hasRenegotiationInfo
    }

    // MARK: certificates

    private func certificateMessage(_ message: HandshakeMessage, side: Side, origin: RecordOrigin) {
        if side == .server { live.markFullServerFlight() }
        let parsed: CertificateMessage
        do throws(ParseError) {
            parsed = try CertificateMessage.parse(message.body, tls13: currentIsTLS13)
        } catch {
            malformed("Certificate", side: side, error)
            return
        }
        certificateMessageRead(parsed, side: side, origin: origin)
    }

    /// A Certificate message's content, however it came (a Certificate, or a
    /// CompressedCertificate once decompressed): the chain, and what TLS 1.3
    /// staples in its leaf entry.
    func certificateMessageRead(_ parsed: CertificateMessage, side: Side, origin: RecordOrigin,
                                compression: CertificateCompressionInfo? = nil) {
        certificatesReceived(der: parsed.certificates, side: side, origin: origin, compression: compression)
        if side == .server {
            // The summary cache hands back the leaf certificatesReceived summarised.
            let leaf = parsed.certificates.first.map { context.certificateSummaries.summary(der: $0) }
            serverCertificateStapling(parsed, leaf: leaf, origin: origin)
        }
    }

    /// A Certificate message's certificates (DER, leaf first), however they
    /// came (clear, decrypted, SSL 2.0's SERVER-HELLO): summarised, told, validated.
    func certificatesReceived(der certificates: [[UInt8]], side: Side, origin: RecordOrigin,
                              compression: CertificateCompressionInfo? = nil) {
        let chain = certificates.map { context.certificateSummaries.summary(der: $0) }
        let index = currentIndex ?? 0
        let validation = validate(der: certificates, chain, side: side)
        emit(.certificate(CertificateEvent(handshake: index, encrypted: origin.wasEncrypted, decrypted: origin.wasEncrypted, sender: side,
                                           chain: chain, compression: compression)))
        if side == .client {
            live.clientCertificateEmpty = chain.isEmpty
            if clientChains.count < Self.maxStoryEntries { clientChains.append((index, chain.first, validation, now.seconds)) }
            if let leaf = chain.first {
                if clientCertificate == nil { clientCertificate = context.sharedCertificateBox(leaf) }
            } else {
                observe(.clientCertificate(empty: true, requested: current?.certificateRequest != nil || firstCertificateRequest != nil,
                                           handshake: index))
            }
            return
        }
        guard let leaf = chain.first else { return }
        if serverCertificate == nil { serverCertificate = context.sharedCertificateBox(leaf) }
        if serverValidation == nil, let validation {
            serverValidation = validation
            serverValidationSeconds = now.seconds
        }
        observe(.serverCertificate(leaf, handshake: index, sni: sni, at: now, validation: validation?.value))
    }

    /// The chain's verdict (nil when validation is off or the chain is empty):
    /// the server's against the SNI, the client's for its path only.
    private func validate(der: [[UInt8]], _ chain: [CertificateSummary], side: Side) -> SharedVerdict? {
        guard let validator = context.config.validator, !chain.isEmpty else { return nil }
        let presented = zip(der, chain).map { PresentedCertificate(der: $0, summary: $1) }
        let hostname = side == .server ? sni : nil
        return context.chainVerdicts.verdict(presented, hostname: hostname, client: side == .client, at: now, validator: validator)
    }

    /// A stapled OCSP response's word on the server's leaf (parsed elsewhere):
    /// `revoked` becomes the chain's status and raises `cert.revoked` (unless the
    /// caller's own fact already raised it: `raise: false`).
    func serverRevocationSeen(_ revocation: RevocationStatus, raise: Bool = true) {
        guard case .revoked = revocation else { return }
        let base = serverValidation?.value ?? .notChecked("no certificate chain was validated")
        let updated = base.applying(revocation)
        serverValidation = SharedVerdict(updated)
        if raise { observe(.certificateRevoked(updated, handshake: currentIndex ?? 0)) }
    }

    private func certificateRequestMessage(_ message: HandshakeMessage, origin: RecordOrigin) {
        let version = current?.version ?? negotiatedVersion ?? ProtocolVersion.tls12
        let request: CertificateRequest?
        do throws(ParseError) {
            request = try CertificateRequest.parse(message.body, version: version)
        } catch {
            malformed("CertificateRequest", side: .server, error)
            request = nil
        }
        certificateRequestSeen(request, origin: origin)
    }

    /// A CertificateRequest read in clear or decrypted (`request` nil when it did not parse).
    private func certificateRequestSeen(_ request: CertificateRequest?, origin: RecordOrigin) {
        guard let hs = current else { return }
        let phase: CertificateRequestPhase = hs.isCompleted ? .postHandshake : (hs.index == 0 ? .initial : .renegotiation)
        let firstAsked = handshakes.contains { $0.index == 0 && $0.certificateRequest != nil }
        live.certificateRequest = .read(encrypted: origin.wasEncrypted)
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

    /// TLS 1.3 (and QUIC): the server's ALPN choice and ECH retry configs travel in EncryptedExtensions
    /// (and SCTs, from servers that put them there rather than in the CertificateEntry).
    private func encryptedExtensionsMessage(_ message: HandshakeMessage) {
        var reader = ByteReader(message.body)
        guard let extensions = try? reader.extensions() else { return }
        if currentIndex == 0 { ech?.encryptedExtensionsRead = true }
        if let ext = extensions.first(where: { $0.type == ExtensionType.encryptedClientHello }), currentIndex == 0, ech != nil {
            // retry_configs: the server did not use the inner ClientHello (RFC 9849 7.1).
            do throws(ParseError) {
                let list = try ECHConfigList.parse(ext.body)
                ech?.retryConfigs = list.configs
                ech?.retryConfigsDropped = list.dropped
            } catch {
                ech?.retryConfigs = []
                malformed("EncryptedExtensions encrypted_client_hello", side: .server, error)
            }
        }
        if let ext = extensions.first(where: { $0.type == ExtensionType.signedCertificateTimestamp }) {
            sctExtension(Array(ext.body), where: "EncryptedExtensions")
        }
        guard let ext = extensions.first(where: { $0.type == ExtensionType.alpn }) else { return }
        var body = ByteReader(ext.body)
        guard var list = try? body.vector(lengthBytes: 2), let name = try? list.vector(lengthBytes: 1) else { return }
        alpn = Array(name.bytes)
    }

    private func serverKeyExchangeMessage(_ message: HandshakeMessage) {
        guard let hs = current, let suite = hs.cipherSuite, let info = CipherSuiteRegistry.info(suite) else { return }
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
        observe(.serverKeyExchange(exchange, handshake: hs.index))
        if let group = exchange.namedGroup { live.keyExchange.group = group }
        if let bits = exchange.dhPrimeBits {
            live.keyExchange.noteDHPrime(bits: bits, knownIndex: exchange.dhKnownPrime)
            if let group = exchange.dhKnownPrime.flatMap({ FiniteFieldPrime.known[$0].namedGroup }) { live.keyExchange.group = group }
        }
        if kind == .ecdhe || kind == .dhe, let kex = current?.keyExchange { observe(.keyExchangeChosen(kex.summary, handshake: hs.index)) }
    }
}
