import Crypto
import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Decryption with keys (key log or server RSA key): record bodies are
/// decrypted and fed to the same handlers as clear ones, with the origin
/// `.decrypted` (events say `encrypted: true, decrypted: true`). Keys switch at each side's
/// ChangeCipherSpec (TLS 1.2 and older, renegotiations included) or after
/// each Finished and KeyUpdate (TLS 1.3).
extension TLSSession {
    var keys: KeyMaterial? { context.keyStore?.material }

    /// Looks a secret up; on a miss during live capture, re-reads grown key logs once and retries.
    func lookUp<T>(_ find: (KeyLog) -> T?) -> T? {
        guard let store = context.keyStore else { return nil }
        if let found = find(store.keyLog) { return found }
        return store.reloadIfGrown() ? find(store.keyLog) : nil
    }

    func decryptor(for side: Side) -> RecordDecryptor? {
        decryption?.active[side]
    }

    /// Decrypts a record and dispatches its plaintext; false when it could not (the caller shows ciphertext).
    func decryptAndDispatch(_ header: RecordHeader, body: UnsafeRawBufferPointer, side: Side, with decryptor: RecordDecryptor) -> Bool {
        let result: (contentType: UInt8, plaintext: [UInt8])
        do {
            result = try decryptor.decrypt(contentType: header.contentType, version: header.version, body: body)
        } catch {
            decryptionFailed(side: side, error)
            return false
        }
        dispatchDecrypted(result, header: header, side: side)
        return true
    }

    /// The first protected record of a side with no key: each candidate key
    /// pair (`DecryptionState.candidates`) tries it; the first that opens it
    /// (its MAC or AEAD tag checks) becomes the connection's keys, both sides.
    /// False when none did: the candidates are dropped and the record stays ciphertext.
    func decryptWithCandidates(_ header: RecordHeader, body: UnsafeRawBufferPointer, side: Side) -> Bool {
        guard let decryption, !decryption.candidates.isEmpty else { return false }
        let candidates = decryption.candidates
        decryption.candidates = []
        for pair in candidates {
            guard let result = try? pair[side].decrypt(contentType: header.contentType, version: header.version, body: body) else { continue }
            decryption.active[side] = pair[side]
            let other = side.other
            if sides[other].encrypted { decryption.active[other] = pair[other] } else { decryption.pending[other] = pair[other] }
            dispatchDecrypted(result, header: header, side: side)
            return true
        }
        return false
    }

    func dispatchDecrypted(_ result: (contentType: UInt8, plaintext: [UInt8]), header: RecordHeader, side: Side) {
        decryption?.used = true
        let inner = RecordHeader(contentType: result.contentType, version: header.version, length: result.plaintext.count)
        let origin = RecordOrigin.decrypted(recordLength: header.length)
        result.plaintext.withUnsafeBytes { plaintext in
            switch result.contentType {
            case ContentType.handshake:
                if inHandshake { live.bytes[side] += header.length }
                handleHandshakeRecord(plaintext, header: inner, side: side, origin: origin)
            case ContentType.alert:
                handleAlert(inner, body: plaintext, side: side, origin: origin)
            case ContentType.changeCipherSpec:
                if inHandshake { live.bytes[side] += header.length }
                handleChangeCipherSpec(inner, side: side, origin: origin)
            case ContentType.applicationData:
                handleApplicationData(header, side: side, origin: origin, plaintext: plaintext)
            default:
                trace(side, version: header.version, contentType: result.contentType, length: plaintext.count, "decrypted", origin: origin)
            }
        }
    }

    private func decryptionFailed(side: Side, _ error: DecryptionError) {
        guard let decryption else { return }
        decryption.active[side] = nil
        decryption.pending[side] = nil
        decryption.failed[side] = true
        observe(.decryptionFailed(sender: side, reason: describe(error), handshake: currentIndex))
    }

    private func describe(_ error: DecryptionError) -> String {
        switch error {
        case .badRecordMAC: "bad record MAC: wrong key"
        case .badPadding: "bad padding"
        case .tooShort: "record too short"
        case .notBlockAligned: "record not block aligned"
        case .unsupportedSuite(let name): "\(name) is not supported for decryption"
        case .unsupportedVersion(let v): "version \(hexNumber(v, digits: 4)) is not supported for decryption"
        case .wrongKey: "the key does not fit"
        case .invalidPrivateKey(let why): "unusable RSA key: \(why)"
        }
    }

    private func unsupported(_ error: DecryptionError) {
        guard let decryption, !decryption.unsupportedReported else { return }
        decryption.unsupportedReported = true
        observe(.decryptionUnsupported(reason: describe(error), handshake: currentIndex))
    }

    // MARK: transcript (RFC 7627 session hash for RSA-key decryption)

    func noteHandshakeMessage(_ message: HandshakeMessage) {
        guard keys != nil, let decryption else { return }
        if message.type == HandshakeType.clientHello {
            decryption.transcript.removeAll(keepingCapacity: true)
        } else if currentPhase?.isCompleted == true {
            // After the handshake (post-handshake messages, a HelloRequest) the transcript
            // is not read before the next ClientHello clears it: keep it released.
            return
        }
        guard decryption.transcript.count + message.length + 4 <= DecryptionState.transcriptLimit else { return }
        let length = message.length
        decryption.transcript.append(message.type)
        decryption.transcript.append(UInt8(truncatingIfNeeded: length >> 16))
        decryption.transcript.append(UInt8(truncatingIfNeeded: length >> 8))
        decryption.transcript.append(UInt8(truncatingIfNeeded: length))
        decryption.transcript.append(contentsOf: message.body)
    }

    // MARK: TLS 1.0-1.2 keys

    /// After the ServerHello: a master secret from the key log (by client random, or by session id).
    func setUpTLS12Keys() {
        guard let hs = current else { return }
        let inputs = hs.keyInputs.value
        guard let decryption, let clientRandom = inputs.clientRandom?.bytes,
              let serverRandom = inputs.serverRandom?.bytes, let suite = hs.cipherSuite,
              let version = hs.version else { return }
        let sessionID = inputs.serverSessionID?.bytes ?? []
        decryption.candidates = []
        decryption.pendingFromResumption = false
        // A client that offered TLS 1.3 early data got TLS 1.2 or older: there is no early data.
        endEarlyPhase()
        var master = lookUp { $0.masterSecret(clientRandom: clientRandom) ?? (sessionID.isEmpty ? nil : $0.masterSecret(sessionID: sessionID)) }
        if master == nil, let sessions = context.keyStore?.material.resumableSessions {
            // A resumption of a session found earlier (this connection or another): its master secret,
            // by the echoed session id, else by the ticket offered. Tentative until the server's flight
            // shows an abbreviated handshake: a ClientKeyExchange (a full one after all) replaces it.
            let echoed = !sessionID.isEmpty && inputs.clientSessionID?.bytes == sessionID
            master = (echoed ? sessions.master(sessionID: sessionID) : nil)
                ?? inputs.clientTicketDigest.flatMap { sessions.master(ticketDigest: $0.bytes) }
            decryption.pendingFromResumption = master != nil
        }
        guard let master else {
            // Resumed sessions and RSA exchanges find their keys later (or not at all) in ways a
            // session's master secret cannot stand in for; a full exchange's can.
            prepareCandidates(clientRandom: clientRandom, serverRandom: serverRandom, suite: suite, version: version,
                              encryptThenMAC: hs.encryptThenMAC, into: decryption)
            return
        }
        installTLS12Keys(master: master, clientRandom: clientRandom, serverRandom: serverRandom, suite: suite, version: version,
                         encryptThenMAC: hs.encryptThenMAC, into: decryption)
    }

    /// The key pairs of every session master secret in the key log, to be tried on the first protected record.
    private func prepareCandidates(clientRandom: [UInt8], serverRandom: [UInt8], suite: UInt16, version: UInt16,
                                   encryptThenMAC: Bool, into decryption: DecryptionState) {
        guard let masters = context.keyStore?.keyLog.sessionMasterSecrets, !masters.isEmpty else { return }
        do {
            for master in masters {
                let (client, server) = try KeyDerivation.tls12(masterSecret: master, clientRandom: clientRandom,
                                                                serverRandom: serverRandom, suite: suite, version: version)
                decryption.candidates.append(SidePair(
                    client: try RecordDecryptor(keys: client, suite: suite, version: version, encryptThenMAC: encryptThenMAC),
                    server: try RecordDecryptor(keys: server, suite: suite, version: version, encryptThenMAC: encryptThenMAC)))
            }
        } catch {
            decryption.candidates = []
            unsupported(error)
        }
    }

    private func installTLS12Keys(master: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8], suite: UInt16, version: UInt16,
                                  encryptThenMAC: Bool, into decryption: DecryptionState) {
        do {
            let (client, server) = try KeyDerivation.tls12(masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom,
                                                            suite: suite, version: version)
            decryption.pending.client = try RecordDecryptor(keys: client, suite: suite, version: version, encryptThenMAC: encryptThenMAC)
            decryption.pending.server = try RecordDecryptor(keys: server, suite: suite, version: version, encryptThenMAC: encryptThenMAC)
            decryption.master = master
            if let sessionID = current?.keyInputs.value.serverSessionID?.bytes, !sessionID.isEmpty {
                context.keyStore?.material.resumableSessions.remember(sessionID: sessionID, master: master)
            }
        } catch {
            unsupported(error)
        }
    }

    /// RSA key exchange: the premaster from the key log's RSA lines or a server private key;
    /// PSK and RSA-PSK (RFC 4279): from a `--psk` key (and the server key for RSA-PSK).
    func clientKeyExchangeSeen(_ message: HandshakeMessage) {
        guard let keys, let decryption, decryption.pending.client == nil || decryption.pendingFromResumption, let hs = current,
              let suite = hs.cipherSuite, let info = CipherSuiteRegistry.info(suite),
              let version = hs.version, let clientVersion = hs.keyInputs.value.clientLegacyVersion,
              let clientRandom = hs.keyInputs.value.clientRandom?.bytes,
              let serverRandom = hs.keyInputs.value.serverRandom?.bytes else { return }
        var premaster: [UInt8]?
        switch info.keyExchange {
        case .rsa:
            // TLS: a 2-byte length, then the encrypted premaster (SSL 3.0 has no length).
            var encrypted = Array(message.body)
            if encrypted.count >= 2 && Int(encrypted[0]) << 8 | Int(encrypted[1]) == encrypted.count - 2 { encrypted.removeFirst(2) }
            premaster = rsaPremaster(encrypted: encrypted, clientRandom: clientRandom, clientVersion: clientVersion, keys: keys)
        case .psk, .rsaPSK:
            var reader = ByteReader(message.body)
            guard let identity = try? reader.vector(lengthBytes: 2) else { return }
            let identityBytes = Array(identity.bytes)
            let candidates = keys.preSharedKeys.filter { $0.identity == nil || $0.identity == identityBytes }
            if info.keyExchange == .psk {
                premaster = candidates.first.flatMap { PSKPremaster.plain(psk: $0.key) }
            } else if let psk = candidates.first, let encrypted = try? reader.vector(lengthBytes: 2),
                      let rsa = rsaPremaster(encrypted: Array(encrypted.bytes), clientRandom: clientRandom, clientVersion: clientVersion, keys: keys) {
                premaster = PSKPremaster.premaster(otherSecret: rsa, psk: psk.key)
            }
            if premaster == nil && !keys.preSharedKeys.isEmpty && lookUp({ $0.masterSecret(clientRandom: clientRandom) }) == nil {
                let name = String(decoding: identityBytes.prefix(64), as: UTF8.self)
                unsupported(.unsupportedSuite(candidates.isEmpty
                    ? "\(info.name): no --psk key for identity '\(name)'"
                    : "\(info.name): RSA-PSK needs the server's RSA key (--rsa-key) besides the PSK"))
            }
        case .dhePSK, .ecdhePSK:
            if !keys.preSharedKeys.isEmpty && lookUp({ $0.masterSecret(clientRandom: clientRandom) }) == nil {
                unsupported(.unsupportedSuite("\(info.name): a PSK is not enough, the (EC)DHE shared secret is never on the wire; give a key log"))
            }
            return
        default:
            return
        }
        guard let premaster else {
            // A full handshake after all: the resumed session's keys were the wrong guess.
            if decryption.pendingFromResumption { decryption.pending = SidePair(client: nil, server: nil) }
            decryption.pendingFromResumption = false
            return
        }
        decryption.pendingFromResumption = false
        let sha384 = (try? RecordProtection.forSuite(suite))?.usesSHA384 ?? false
        let sessionHash = hs.extendedMasterSecret
            ? TLSPRF.sessionHash(handshakeMessages: decryption.transcript, version: version, sha384: sha384) : nil
        let master = TLSPRF.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom,
                                         version: version, sha384: sha384, extendedMasterSecretSessionHash: sessionHash)
        installTLS12Keys(master: master, clientRandom: clientRandom, serverRandom: serverRandom, suite: suite, version: version,
                         encryptThenMAC: hs.encryptThenMAC, into: decryption)
    }

    /// The 48-byte premaster of an RSA-encrypted one: the key log's RSA lines, else a server private key.
    private func rsaPremaster(encrypted: [UInt8], clientRandom: [UInt8], clientVersion: UInt16, keys: KeyMaterial) -> [UInt8]? {
        if let found = lookUp({ $0.premaster(encryptedPremasterPrefix: encrypted) ?? $0.premaster(clientRandom: clientRandom) }) {
            return found
        }
        for pem in keys.rsaPrivateKeysPEM {
            if let p = try? RSAPremaster.decrypt(encryptedPremaster: encrypted, privateKeyPEM: pem, clientVersion: clientVersion) {
                return p
            }
        }
        return nil
    }

    /// TLS 1.2 NewSessionTicket (RFC 5077 3.3): the ticket resumes the session of this handshake.
    func newSessionTicketSeen(_ message: HandshakeMessage) {
        guard let decryption, let master = decryption.master, let sessions = context.keyStore?.material.resumableSessions else { return }
        var reader = ByteReader(message.body)
        guard (try? reader.u32()) != nil, let ticket = try? reader.vector(lengthBytes: 2), ticket.remaining > 0 else { return }
        sessions.remember(ticketDigest: Array(SHA256.hash(data: ticket.bytes)), master: master)
    }

    /// At a side's ChangeCipherSpec its pending keys come into force.
    func activatePendingKeys(_ side: Side) -> Bool {
        guard let decryption else { return false }
        guard let next = decryption.pending[side] else {
            // New keys were negotiated that we do not have: stop decrypting this side.
            if decryption.active[side] != nil { decryption.active[side] = nil }
            return false
        }
        decryption.pending[side] = nil
        decryption.active[side] = next
        return true
    }

    // MARK: TLS 1.3 early data (0-RTT)

    /// A ClientHello offering early_data: the client early traffic secret (key log
    /// CLIENT_EARLY_TRAFFIC_SECRET), expanded for each TLS 1.3 suite offered (the
    /// resumed session's suite is not on the wire before the ServerHello).
    func setUpEarlyKeys(_ hello: ClientHello) {
        guard let decryption else { return }
        decryption.early = nil
        decryption.earlyCandidates = []
        decryption.undecryptedEarlyRecords = 0
        let tls13Versions = (hello.supportedVersions.isEmpty ? [hello.legacyVersion] : hello.supportedVersions)
            .filter(ProtocolVersion.isTLS13Family)
        decryption.earlyDataPhase = hello.extensionTypes.contains(ExtensionType.earlyData) && !tls13Versions.isEmpty
        guard decryption.earlyDataPhase, let secret = lookUp({ $0.secret(.clientEarly, clientRandom: hello.random) }) else { return }
        let rules = TLS13DraftRules(version: tls13Versions.max() ?? ProtocolVersion.tls13)
        for suite in hello.cipherSuites.prefix(32) where decryption.earlyCandidates.count < 5 {
            guard let protection = try? RecordProtection.forSuite(suite), protection.isTLS13,
                  let keys = try? KeyDerivation.tls13(trafficSecret: secret, suite: suite, rules: rules),
                  let decryptor = try? RecordDecryptor(keys: keys, suite: suite, version: ProtocolVersion.tls13,
                                                       encryptThenMAC: false, tls13Rules: rules) else { continue }
            decryption.earlyCandidates.append(decryptor)
        }
    }

    /// A protected client record while early data may flow: the early keys, then the
    /// handshake keys (the first record they open ends the early phase); a record
    /// neither opens is early data kept ciphertext (no early secret, or data the
    /// server rejected and skips, RFC 8446 4.2.10), not a decryption failure.
    /// False: not handled here (the normal path takes it).
    func handleEarlyPhaseRecord(_ header: RecordHeader, body: UnsafeRawBufferPointer) -> Bool {
        guard let decryption, decryption.earlyDataPhase, header.contentType == ContentType.applicationData else { return false }
        // After the ServerHello, without any key for this client, its records take the normal (ciphertext) path.
        let keyed = decryption.early != nil || !decryption.earlyCandidates.isEmpty || decryption.active.client != nil
        guard keyed || currentPhase?.serverHelloSeen != true else { return false }
        for candidate in decryption.early.map({ [$0] }) ?? decryption.earlyCandidates {
            guard let result = try? candidate.decrypt(contentType: header.contentType, version: header.version, body: body) else { continue }
            decryption.early = candidate
            decryption.earlyCandidates = []
            if result.contentType == ContentType.handshake && result.plaintext.first == HandshakeType.endOfEarlyData {
                // The last record under the early keys: the client's handshake keys follow.
                decryption.earlyDataPhase = false
                decryption.early = nil
            }
            decryption.dispatchingEarly = result.contentType == ContentType.applicationData
            dispatchDecrypted(result, header: header, side: .client)
            decryption.dispatchingEarly = false
            return true
        }
        if let handshake = decryption.active.client,
           let result = try? handshake.decrypt(contentType: header.contentType, version: header.version, body: body) {
            endEarlyPhase()
            dispatchDecrypted(result, header: header, side: .client)
            return true
        }
        guard decryption.undecryptedEarlyRecords < DecryptionState.earlyRecordLimit else {
            endEarlyPhase()
            return false
        }
        decryption.undecryptedEarlyRecords += 1
        sides.client.applicationDataBytes += header.length
        trace(.client, version: header.version, contentType: header.contentType, length: header.length, "early data (0-RTT), not decrypted")
        return true
    }

    func endEarlyPhase() {
        guard let decryption else { return }
        decryption.earlyDataPhase = false
        decryption.early = nil
        decryption.earlyCandidates = []
    }

    // MARK: TLS 1.3 keys

    func setUpTLS13Keys() {
        guard let decryption, let hs = current, let clientRandom = hs.keyInputs.value.clientRandom?.bytes,
              let suite = hs.cipherSuite else { return }
        guard let clientHandshake = lookUp({ $0.secret(.clientHandshake, clientRandom: clientRandom) }),
              let serverHandshake = lookUp({ $0.secret(.serverHandshake, clientRandom: clientRandom) }) else { return }
        decryption.tls13Suite = suite
        decryption.applicationSecrets = SidePair(client: lookUp { $0.secret(.clientTraffic0, clientRandom: clientRandom) },
                                                 server: lookUp { $0.secret(.serverTraffic0, clientRandom: clientRandom) })
        install13(clientHandshake, side: .client)
        install13(serverHandshake, side: .server)
    }

    private func install13(_ secret: [UInt8], side: Side) {
        guard let decryption, let suite = decryption.tls13Suite else { return }
        do {
            let rules = tls13Rules
            let keys = try KeyDerivation.tls13(trafficSecret: secret, suite: suite, rules: rules)
            decryption.active[side] = try RecordDecryptor(keys: keys, suite: suite, version: ProtocolVersion.tls13, encryptThenMAC: false,
                                                          tls13Rules: rules)
            decryption.currentSecrets[side] = secret
        } catch {
            unsupported(error)
        }
    }

    /// The record and key-schedule rules of the negotiated TLS 1.3 draft (RFC 8446's for 0x0304).
    private var tls13Rules: TLS13DraftRules { TLS13DraftRules(version: current?.version ?? ProtocolVersion.tls13) }

    /// TLS 1.3: after a side's Finished its application traffic secret takes over.
    func switchToApplicationKeys(_ side: Side) {
        guard let decryption, decryption.tls13Suite != nil else { return }
        guard let secret = decryption.applicationSecrets[side] else {
            decryption.active[side] = nil
            return
        }
        decryption.applicationSecrets[side] = nil
        install13(secret, side: side)
    }

    /// TLS 1.3 KeyUpdate: the sender's next traffic secret.
    func keyUpdateReceived(_ message: HandshakeMessage, side: Side) {
        let requested = message.body.first == 1
        emit(.keyUpdate(KeyUpdateEvent(sender: side, updateRequested: requested)))
        guard let decryption, let suite = decryption.tls13Suite, let current = decryption.currentSecrets[side],
              let next = try? KeyDerivation.tls13NextSecret(current, suite: suite, rules: tls13Rules) else { return }
        install13(next, side: side)
    }

    /// A note for the connection event when keys were given but none fit.
    var decryptionNote: String? {
        guard keys != nil else { return nil }
        if decryption?.used == true { return nil }
        if let failed = decryption?.failed, failed.client || failed.server { return "decryption failed: wrong key" }
        return "no key for this connection in the key log or RSA keys"
    }
}
