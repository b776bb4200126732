import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// SSLv2 framing: an SSLv2-compatible ClientHello (common in old clients), and
/// the rare full SSL 2.0 exchange (SERVER-HELLO, CLIENT-MASTER-KEY, then ciphertext).
extension TLSSession {
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
            if side == .server && handshakes.isEmpty && connection.identity == nil {
                swapRoles()
                side = .client
            }
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 ClientHello")
            do throws(ParseError) {
                let hello = try ClientHello.parseSSLv2(body)
                clientHelloReceived(hello, side: side, length: length, origin: .clear)
            } catch {
                context.malformedRecords += 1
                observe(.malformed(.sslv2ClientHello, handshake: currentIndex))
            }
        case 4:
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 ServerHello")
            isSSLv2 = true
            if handshakes.isEmpty { startHandshake(initiator: .client, origin: .clear, phase: .helloSent(retried: false), trigger: nil) }
            live.add(sender: side, name: .handshakeType(HandshakeType.serverHello), length: length,
                                encrypted: false, decrypted: false, inferred: false, limit: context.config.maxMessagesPerHandshake)
            guard let hello = try? ServerHello.parseSSLv2(body) else {
                context.malformedRecords += 1
                return
            }
            advance(.serverHello(helloRetry: false), from: side)
            live.version = ProtocolVersion.sslv2
            live.fullServerFlight = true
            live.keyExchange.method = .sslv2
            let index = currentIndex ?? 0
            negotiatedVersion = ProtocolVersion.sslv2
            emit(.serverHello(ServerHelloEvent(handshake: index, encrypted: false, decrypted: false, hello: hello,
                                               resumed: nil, ja3s: nil, ja3sString: nil, ja4s: nil, helloRetryGroup: nil)))
            observe(.negotiated(version: ProtocolVersion.sslv2, suite: nil, compression: 0, handshake: index))
            if let der = hello.sslv2Certificate {
                certificatesReceived(der: [der], side: .server, origin: .clear)
            }
        case 2 where isSSLv2:
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 ClientMasterKey")
            guard let index = currentIndex else { return }
            live.add(sender: side, name: .sslv2ClientMasterKey, length: length,
                                encrypted: false, decrypted: false, inferred: false, limit: context.config.maxMessagesPerHandshake)
            if let masterKey = try? SSLv2ClientMasterKey.parse(body) {
                sslv2CipherKind = masterKey.cipherKind
                observe(.sslv2CipherChosen(kind: masterKey.cipherKind, handshake: index))
            }
            // Everything after CLIENT-MASTER-KEY is encrypted, both ways: the cipher changes for both.
            sides.client.encrypted = true
            sides.server.encrypted = true
            if inHandshake {
                advance(.changeCipherSpec(.client), from: .client)
                advance(.changeCipherSpec(.server), from: .server)
            }
        default:
            trace(side, version: ProtocolVersion.sslv2, contentType: 0, length: length, "SSLv2 message \(body[0])")
            sslv2EncryptedRecord(side: side, length: length)
        }
    }

    /// SSLv2 has no Finished in clear: both sides sending ciphertext after
    /// CLIENT-MASTER-KEY means the handshake went through.
    private func sslv2EncryptedRecord(side: Side, length: Int) {
        guard let hs = current, hs.phase.changedCipher(side), !hs.phase.isFinal else { return }
        live.add(sender: side, name: .none, length: length,
                            encrypted: true, decrypted: false, inferred: false, limit: context.config.maxMessagesPerHandshake)
        advance(.finished(side), from: side)
    }
}
