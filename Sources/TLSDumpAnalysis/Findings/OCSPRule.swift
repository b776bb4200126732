import TLSDumpBase
import TLSDumpTLS

/// The stapled OCSP response: a revoked certificate, a response about
/// another certificate, a response past its nextUpdate.
enum OCSPRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        guard case .stapledOCSP(let report, let subject, _) = fact, let single = report.single else { return }
        let handshake = report.handshake
        let name = subject ?? "the server certificate"
        if report.match.verdict == .mismatch {
            findings.raise(.ocspMismatch,
                           "The stapled OCSP response is about another certificate (its \(report.match.mismatched.map(\.rawValue).joined(separator: ", ")) differ from \(name)'s).",
                           handshake: handshake,
                           evidence: .ocspMismatch(OCSPMismatch(responseSerial: single.certID.serial,
                                                                certificateSerial: report.certificateSerial,
                                                                mismatched: report.match.mismatched.map(\.rawValue),
                                                                matched: report.match.matched.map(\.rawValue),
                                                                unchecked: report.match.unchecked.map(\.rawValue), subject: subject)))
        } else if case .revoked(let time, let reason) = single.status {
            // A response about another certificate says nothing of this one's revocation.
            findings.raise(.certRevoked,
                           "The server's own stapled OCSP response says \(name) was revoked on \(time.rfc3339)\(reason.map { " (\($0.name))" } ?? "").",
                           handshake: handshake,
                           evidence: .revocation(time: time.rfc3339, reason: reason?.name, serial: single.certID.serial,
                                                 producedAt: report.producedAt?.rfc3339, subject: subject))
        }
        if report.stale, let next = single.nextUpdate {
            findings.raise(.ocspStale, "The stapled OCSP response was out of date: its nextUpdate \(next.rfc3339) is before this connection.",
                           handshake: handshake,
                           evidence: .ocspStale(nextUpdate: next.rfc3339, producedAt: report.producedAt?.rfc3339, subject: subject))
        }
    }
}
