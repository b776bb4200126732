import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS

/// One drawn row of a ladder.
enum LadderRow {
    /// A handshake's band: "handshake 1: renegotiation started by the server ...".
    case section(String)
    case arrow(LadderArrow)
    case gap(sender: Side, bytes: Int, at: Timestamp)
    /// Records left out of a full ladder.
    case more(Int)
}

/// The rows of a finished connection's ladder: its recorded steps, each
/// section titled from the connection summary's handshakes, and what the
/// analysis inferred from encrypted record sizes (a CertificateRequest and the
/// client's answer in an encrypted renegotiation) drawn as inferred arrows
/// where they travelled: at the end of the server's flight.
enum LadderRows {
    static func rows(steps: [LadderStep], omittedRecords: Int, summary c: ConnectionSummary) -> [LadderRow] {
        var rows: [LadderRow] = [.section(title(section: 0, summary: c))]
        var section = 0
        var inference = InferenceMarks(handshake: c.handshakes.first)
        for step in steps {
            switch step {
            case .boundary:
                inference.sectionEnds(into: &rows)
                section += 1
                rows.append(.section(title(section: section, summary: c)))
                inference = InferenceMarks(handshake: section < c.handshakes.count ? c.handshakes[section] : nil)
            case .arrow(let arrow):
                inference.before(arrow, into: &rows)
                rows.append(.arrow(arrow))
            case .gap(let sender, let bytes, let at):
                rows.append(.gap(sender: sender, bytes: bytes, at: at))
            }
        }
        inference.sectionEnds(into: &rows)
        if omittedRecords > 0 { rows.append(.more(omittedRecords)) }
        return rows
    }

    /// The band over a section: which handshake, who started it, how it was seen and how it ended.
    static func title(section: Int, summary c: ConnectionSummary) -> String {
        guard section < c.handshakes.count else {
            if c.version.map(ProtocolVersion.isTLS13Family) == true { return "post-handshake messages (TLS 1.3)" }
            return "handshake messages after the handshake"
        }
        let h = c.handshakes[section]
        var text: String
        if section == 0 {
            text = "handshake 0: initial"
        } else {
            switch h.initiator {
            case .server?: text = "handshake \(section): renegotiation started by the server"
            case .client?: text = "handshake \(section): renegotiation started by the client"
            case nil: text = "handshake \(section): renegotiation"
            }
            if h.inferred { text += ", encrypted (inferred from record sizes)" } else if h.decrypted { text += ", decrypted" }
        }
        switch h.outcome {
        case .unknown: text += "; how it ended is not in the capture"
        default: text += "; \(h.outcome.rawValue)"
        }
        return text
    }
}

/// Inferred messages of one encrypted handshake, placed once its server
/// flight (the server's records after the client's first) has been drawn.
private struct InferenceMarks {
    private var certificateRequest = false
    private var clientAnswer: String?
    /// 0: before the client's first record; 1: after it; 2: in the server's flight; 3: placed.
    private var stage = 0
    private var lastServerTime: Timestamp?

    init(handshake h: HandshakeSummary?) {
        guard let h, !h.decrypted else { stage = 3; return }
        certificateRequest = h.certificateRequest?.inferred == true
        if case .inferred(let sent) = h.clientCertificate {
            clientAnswer = sent ? "Certificate, CertificateVerify" : "empty Certificate"
        }
        if !certificateRequest && clientAnswer == nil { stage = 3 }
    }

    mutating func before(_ arrow: LadderArrow, into rows: inout [LadderRow]) {
        switch (stage, arrow.sender) {
        case (0, .client): stage = 1
        case (1, .server), (2, .server):
            stage = 2
            lastServerTime = arrow.at
        case (2, .client):
            place(into: &rows, at: lastServerTime ?? arrow.at)
        default: break
        }
    }

    mutating func sectionEnds(into rows: inout [LadderRow]) {
        if stage == 2, let lastServerTime { place(into: &rows, at: lastServerTime) }
    }

    private mutating func place(into rows: inout [LadderRow], at time: Timestamp) {
        stage = 3
        if certificateRequest {
            rows.append(.arrow(LadderArrow(sender: .server, at: time, name: "CertificateRequest", protection: .encrypted,
                                           inferred: true, isAlert: false, isApplicationData: false, records: 0, bytes: 0)))
        }
        if let clientAnswer {
            rows.append(.arrow(LadderArrow(sender: .client, at: time, name: clientAnswer, protection: .encrypted,
                                           inferred: true, isAlert: false, isApplicationData: false, records: 0, bytes: 0)))
        }
    }
}
