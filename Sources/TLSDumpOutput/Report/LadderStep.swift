import TLSDumpAnalysis
import TLSDumpBase

/// How a record travelled, as the ladder draws it.
enum RecordProtection: Sendable {
    /// In clear on the wire.
    case clear
    /// Ciphertext that was not read (no keys).
    case encrypted
    /// Ciphertext read with the keys given (or QUIC's public Initial keys).
    case decrypted
}

/// One arrow of a ladder: a message, a record, or a run of application data
/// records in one direction collapsed into one.
struct LadderArrow: Sendable {
    var sender: Side
    var at: Timestamp
    /// "ClientHello", "ApplicationData", "Alert fatal handshake_failure" ...
    var name: String
    var protection: RecordProtection
    /// Told from an encrypted record's place and size, not read.
    var inferred: Bool
    var isAlert: Bool
    /// Application data: runs of these may be collapsed into one arrow.
    var isApplicationData: Bool
    var records: Int
    var bytes: Int
}

/// One row of a ladder, in capture order.
enum LadderStep: Sendable {
    case arrow(LadderArrow)
    /// Bytes lost from the capture: what they carried is unknown.
    case gap(sender: Side, bytes: Int, at: Timestamp)
    /// A handshake record after a finished handshake: a renegotiation, or
    /// TLS 1.3 post-handshake messages, starts here.
    case boundary(at: Timestamp)
}
