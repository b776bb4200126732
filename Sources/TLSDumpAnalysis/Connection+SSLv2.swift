import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// SSLv2 framing: an SSLv2-compatible ClientHello (common in old clients), and
/// the rare full SSL 2.0 exchange (SERVER-HELLO, CLIENT-MASTER-KEY, then ciphertext).
extension Connection {
    func handleSSLv2Record(length: Int, body: UnsafeRawBufferPointer?, side sentBy: Side) {
        markTLS(sentBy)
        var side = sentBy
        sides[side].records.sslv2 += 1
        guard let body, body.count > 0 else {
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 encrypted")
            sslv2EncryptedRecord(side: side, length: length)
            return
        }
        switch body[0] {
        case 1:
            if side == .server && handshakes.isEmpty && identity == nil {
                clientDirection = clientDirection.reversed
                sides = SidePair(client: sides.server, server: sides.client)
                side = .client
            }
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 ClientHello")
            do throws(ParseError) {
                let hello = try ClientHello.parseSSLv2(body)
                clientHelloReceived(hello, side: side, length: length, recordVersion: ProtocolVersion.sslv2)
            } catch {
                context.malformedRecords += 1
                raise("tls.malformed", "The client's SSLv2 CLIENT-HELLO could not be parsed.", handshake: currentHandshake)
            }
        case 4:
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 ServerHello")
            isSSLv2 = true
            if handshakes.isEmpty { startHandshake(initiator: .client, encrypted: false, evidence: nil) }
            guard let cur = currentHandshake else { return }
            handshakes[cur].add(sender: side, name: .handshakeType(HandshakeType.serverHello), length: length,
                                encrypted: false, decrypted: false, inferred: false, limit: context.config.maxMessagesPerHandshake)
            guard let hello = try? ServerHello.parseSSLv2(body) else {
                context.malformedRecords += 1
                return
            }
            handshakes[cur].serverHelloSeen = true
            handshakes[cur].version = ProtocolVersion.sslv2
            handshakes[cur].serverSentFullFlight = true
            negotiatedVersion = ProtocolVersion.sslv2
            emit(.serverHello(ServerHelloEvent(handshake: handshakes[cur].index, encrypted: false, decrypted: false, hello: hello,
                                               resumed: nil, ja3s: nil, ja4s: nil)))
            negotiatedParameterFindings(version: ProtocolVersion.sslv2, suite: nil, compression: 0, handshake: handshakes[cur].index)
            if let der = hello.sslv2Certificate {
                certificatesReceived([context.certificateSummaries.summary(der: der)], side: .server, handshake: cur, encrypted: false)
            }
        case 2 where isSSLv2:
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 ClientMasterKey")
            guard let cur = currentHandshake else { return }
            handshakes[cur].add(sender: side, name: .sslv2ClientMasterKey, length: length,
                                encrypted: false, decrypted: false, inferred: false, limit: context.config.maxMessagesPerHandshake)
            if let masterKey = try? SSLv2ClientMasterKey.parse(body) {
                sslv2CipherKind = masterKey.cipherKind
                sslv2Findings(kind: masterKey.cipherKind, handshake: handshakes[cur].index)
            }
            // Everything after CLIENT-MASTER-KEY is encrypted, both ways.
            for s in [Side.client, Side.server] {
                sides[s].encrypted = true
                setWantedBodies(s, 0)
            }
            handshakes[cur].changeCipherSpec = SidePair(client: true, server: true)
        default:
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 message \(body[0])")
            sslv2EncryptedRecord(side: side, length: length)
        }
    }

    /// SSLv2 has no Finished in clear: both sides sending ciphertext after
    /// CLIENT-MASTER-KEY means the handshake went through.
    private func sslv2EncryptedRecord(side: Side, length: Int) {
        guard let cur = currentHandshake, handshakes[cur].changeCipherSpec[side], !handshakes[cur].done else { return }
        handshakes[cur].finished[side] = true
        handshakes[cur].add(sender: side, name: .none, length: length,
                            encrypted: true, decrypted: false, inferred: false, limit: context.config.maxMessagesPerHandshake)
        completeHandshake(cur)
    }
}
