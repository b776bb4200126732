import TLSDumpBase
import TLSDumpTLS

/// What QUIC's own layer kept from view: packets that looked like QUIC but
/// did not open. (A handshake ended by CONNECTION_CLOSE with a TLS alert is
/// a failed handshake, raised by `StreamHealthRule` as over TCP.)
enum QUICRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        guard case .quicDecryptionFailed(let side, let packetType, let reason, let handshake) = fact else { return }
        findings.raise(.quicDecryptionFailed,
                       "A QUIC \(packetType) packet from the \(side.rawValue) did not open with the keys that should protect it (\(reason)); its frames are unknown.",
                       handshake: handshake, evidence: .quicPacket(sender: side, packetType: packetType, error: reason))
    }
}
