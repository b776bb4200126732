import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// QUIC feeds the session handshake messages from its CRYPTO streams instead
/// of records: the same handlers, state machine and facts as over TCP. What
/// has no record form (a Handshake packet without keys, a CONNECTION_CLOSE
/// naming a TLS alert) comes in through these doors.
extension TLSSession {
    /// A handshake message reassembled from CRYPTO frames: Initial packets are
    /// readable by anyone (`.clear`); Handshake packets only with keys (`.decrypted`).
    func quicMessage(_ message: HandshakeMessage, side: Side, origin: RecordOrigin) {
        markTLS(side)
        sides[side].records.handshake += 1
        handleMessage(message, recordVersion: 0, side: side, origin: origin)
    }

    /// A CRYPTO stream announced a message over the length limit.
    func quicOversizedMessage(type: UInt8, length: Int, side: Side) {
        context.malformedRecords += 1
        observe(.malformed(.oversizedMessage(sender: side, type: type, length: length), handshake: currentIndex))
    }

    /// A Handshake packet no key opened: its CRYPTO frames carry the
    /// encrypted flight. The client's first one carries its Finished (RFC
    /// 9001 4.1.4: the client sends Handshake packets only once it has the
    /// server's), so both sides' flights are then complete, as a TLS 1.3
    /// client's first encrypted record says over TCP.
    func quicEncryptedHandshakePacket(side: Side, length: Int) {
        markTLS(side)
        guard let phase = currentPhase, phase.serverHelloSeen, !phase.isFinal else { return }
        live.bytes[side] += length
        live.hiddenRecords += 1
        live.add(sender: side, name: .none, length: length, encrypted: true, decrypted: false, inferred: false,
                 limit: context.config.maxMessagesPerHandshake)
        trace(side, version: 0, contentType: ContentType.handshake, length: length, "encrypted handshake")
        if side == .client {
            if !phase.finished(.server) { advance(.finished(.server), from: .server) }
            advance(.finished(.client), from: .client)
        }
    }

    /// 1-RTT (or 0-RTT) packets: application data, counted by bytes.
    func quicApplicationPacket(side: Side, length: Int) {
        sides[side].applicationDataBytes += length
    }

    /// CONNECTION_CLOSE: a crypto_error (0x0100-0x01ff) carries the TLS alert
    /// that ended the connection; it is told like a fatal alert record.
    func quicAlert(side: Side, description: UInt8, encrypted: Bool) {
        markTLS(side)
        trace(side, version: 0, contentType: ContentType.alert, length: 2,
              "fatal " + (TLSRegistry.alertName(description) ?? "description \(description)"))
        recordAlert(AlertInfo(sender: side, level: 2, description: description, encrypted: encrypted))
    }

    /// A packet that looked like QUIC did not open with the keys it should have.
    func quicPacketNotOpened(side: Side, packetType: String, reason: String) {
        observe(.quicDecryptionFailed(sender: side, packetType: packetType, reason: reason, handshake: currentIndex))
    }

    /// Keys from the key log opened a Handshake packet.
    func quicDecrypted() {
        decryption?.used = true
    }
}
