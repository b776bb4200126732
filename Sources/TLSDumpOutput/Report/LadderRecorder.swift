import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS

/// Turns one connection's trace entries into ladder steps while it is open:
/// consecutive application data records in one direction become one arrow,
/// a handshake record after a finished handshake opens a new section, and
/// past `maxSteps` records are only counted (memory per open connection is bounded).
struct LadderRecorder: Sendable {
    private(set) var steps: [LadderStep] = []
    /// Records not drawn once the ladder was full.
    private(set) var omittedRecords = 0
    let maxSteps: Int
    /// The current handshake is over (both Finished, or application data):
    /// the next handshake record starts another.
    private var sectionOver = false
    private var finishedBy: (client: Bool, server: Bool) = (false, false)

    init(maxSteps: Int) {
        self.maxSteps = max(1, maxSteps)
        // A typical handshake and some data without regrowing (the array grows on past it).
        steps.reserveCapacity(min(self.maxSteps, 20))
    }

    mutating func record(_ entry: TraceEntry, at time: Timestamp) {
        if entry.contentType == ContentType.applicationData, case .arrow(var last)? = steps.last, last.isApplicationData,
           last.sender == entry.sender, entry.detail.isEmpty || entry.detail == "decrypted",
           last.protection == (entry.detail.isEmpty && entry.quicPacket == nil ? .encrypted : .decrypted) {
            // The common case of a long connection, without reading the entry any further.
            last.records += 1
            last.bytes += max(0, entry.length)
            steps[steps.count - 1] = .arrow(last)
            return
        }
        if steps.count >= maxSteps {
            omittedRecords += 1
            return
        }
        let arrow = Self.arrow(for: entry, at: time)
        let isHandshakeRecord = entry.contentType == ContentType.handshake && entry.quicPacket == nil
        // A HelloRequest only ever opens a handshake; any other handshake record does once the last one is over.
        let opensSection = arrow.name == "HelloRequest" ? !steps.isEmpty && !lastStepIsBoundary : sectionOver
        if isHandshakeRecord && opensSection {
            sectionOver = false
            finishedBy = (false, false)
            append(.boundary(at: time), counts: false)
        }
        if arrow.isApplicationData, case .arrow(var last)? = steps.last, last.isApplicationData,
           last.sender == arrow.sender, last.protection == arrow.protection {
            // Collapse: one arrow for a run of application data in one direction.
            last.records += 1
            last.bytes += arrow.bytes
            steps[steps.count - 1] = .arrow(last)
        } else {
            append(.arrow(arrow), counts: true)
        }
        if arrow.isApplicationData { sectionOver = true }
        if arrow.name == "Finished" {
            if arrow.sender == .client { finishedBy.client = true } else { finishedBy.server = true }
            if finishedBy.client && finishedBy.server { sectionOver = true }
        }
    }

    mutating func gap(sender: Side, bytes: Int, at time: Timestamp) {
        append(.gap(sender: sender, bytes: bytes, at: time), counts: false)
    }

    private var lastStepIsBoundary: Bool {
        if case .boundary? = steps.last { return true }
        return false
    }

    private mutating func append(_ step: LadderStep, counts: Bool) {
        guard steps.count < maxSteps else {
            if counts { omittedRecords += 1 }
            return
        }
        steps.append(step)
    }

    /// What the trace entry says, as an arrow: the detail strings of the
    /// trace ("ClientHello", "decrypted, Finished", "encrypted (HelloRequest?)",
    /// "encrypted handshake", "fatal handshake_failure") read back into parts.
    static func arrow(for entry: TraceEntry, at time: Timestamp) -> LadderArrow {
        var detail = Substring(entry.detail)
        var protection = RecordProtection.clear
        var inferred = false
        if detail.hasPrefix("decrypted") {
            protection = .decrypted
            detail = detail.dropFirst("decrypted".count)
            if detail.hasPrefix(", ") { detail = detail.dropFirst(2) }
        } else if detail.hasPrefix("encrypted") {
            protection = .encrypted
            detail = detail.dropFirst("encrypted".count)
            if detail.hasPrefix(" (") && detail.hasSuffix("?)") {
                // "encrypted (Finished?)": the type was told from the record's place.
                detail = detail.dropFirst(2).dropLast(2)
                inferred = true
            } else if detail == " handshake" {
                detail = "encrypted handshake"
            } else {
                detail = ""
            }
        }
        let isAlert = entry.contentType == ContentType.alert
        if entry.contentType == ContentType.applicationData && protection == .clear && entry.quicPacket == nil {
            // Application data is always protected; the trace leaves unread records' detail empty.
            protection = .encrypted
        }
        let isApplicationData = entry.contentType == ContentType.applicationData && detail.isEmpty
        var name: String
        if let packet = entry.quicPacket {
            // QUIC: the packet and frame that carried it, then what it was.
            if entry.detail.hasPrefix("encrypted") { protection = .encrypted } else if protection == .clear { protection = .decrypted }
            name = detail.isEmpty ? packet : "\(packet): \(detail)"
        } else if entry.contentType == 0 {
            name = detail.isEmpty ? "SSLv2 record" : String(detail)
            if entry.detail.contains("encrypted") { protection = .encrypted }
        } else if isAlert {
            name = detail.isEmpty ? "Alert" : "Alert " + detail
        } else if detail.isEmpty {
            name = Naming.contentTypeLabel(entry.contentType)
        } else {
            name = String(detail)
        }
        if protection == .encrypted && entry.contentType == ContentType.handshake && !inferred && name == "Handshake" {
            name = "encrypted handshake"
        }
        return LadderArrow(sender: entry.sender, at: time, name: name, protection: protection, inferred: inferred,
                           isAlert: isAlert, isApplicationData: isApplicationData,
                           records: 1, bytes: max(0, entry.length))
    }
}
