#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1
import Synchronization
import TLSDumpBase
@_spi(FixedExpiryValidationTime) @_spi(DisableValidityCheck) import X509

/// The verifier's policy: RFC 5280 (swift-certificates' `RFC5280Policy`, at
/// the capture's time) and, for a server chain with an SNI, the server
/// identity (`ServerIdentityPolicy`). Unlike an `AllOf` it does not stop at
/// the first failure: it records every problem of every candidate path that
/// reached a trust anchor, so the verdict can name them all (an expired
/// certificate for the wrong name is both).
struct ChainPolicy: VerifierPolicy, Sendable {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier]
    private let structure = RFC5280Policy.withValidityCheckDisabled()
    private let timed: RFC5280Policy
    private var identity: ServerIdentityPolicy?
    let time: Date
    let hostname: String?

    /// Where failing candidate paths are kept (the verifier holds the policy as an opaque type).
    let recorder = FailureRecorder()

    init(time: Date, hostname: String?) {
        self.time = time
        self.hostname = hostname
        timed = RFC5280Policy(fixedExpiryValidationTime: time)
        identity = hostname.map { ServerIdentityPolicy(serverHostname: $0, serverIP: nil) }
        // SAN is handled whether or not a name is checked: a critical SAN is how
        // certificates with an empty subject are made, and the chain is still a chain.
        verifyingCriticalExtensions = RFC5280Policy().verifyingCriticalExtensions + [.X509ExtensionID.subjectAlternativeName]
    }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let problems = evaluate(chain)
        guard let first = problems.first else { return .meetsPolicy }
        recorder.record(Array(chain), problems)
        let detail = first.detail
        return .failsToMeetPolicy(reason: detail)
    }

    /// Every problem of `chain` (leaf first), structure first, then validity, then the name.
    mutating func evaluate(_ chain: UnverifiedCertificateChain) -> [PolicyProblem] {
        var problems: [PolicyProblem] = []
        if case .failsToMeetPolicy(let reason) = structure.chainMeetsPolicyRequirements(chain: chain) {
            problems.append(PolicyProblem(status: .policyViolation, position: nil, detail: PolicyText.clean(String(describing: reason))))
        }
        // The timed policy adds only the validity check to the structural one.
        if problems.isEmpty, case .failsToMeetPolicy = timed.chainMeetsPolicyRequirements(chain: chain) {
            problems += validityProblems(chain)
        } else if !problems.isEmpty {
            problems += validityProblems(chain)
        }
        if var identity, case .failsToMeetPolicy = identity.chainMeetsPolicyRequirements(chain: chain) {
            problems.append(PolicyProblem(status: .nameMismatch, position: 0,
                                          detail: "The certificate does not name \(hostname ?? "")."))
        }
        return problems
    }

    /// Which certificates were outside their validity at `time` (the same test as RFC5280Policy's expiry check).
    private func validityProblems(_ chain: UnverifiedCertificateChain) -> [PolicyProblem] {
        var out: [PolicyProblem] = []
        for (position, certificate) in chain.enumerated() {
            let notBefore = certificate.notValidBefore, notAfter = certificate.notValidAfter
            if notBefore > notAfter {
                out.append(PolicyProblem(status: .policyViolation, position: position, detail: "Its validity ends before it starts."))
            } else if time < notBefore {
                out.append(PolicyProblem(status: .notYetValid, position: position, detail: "Valid only from \(Self.format(notBefore)), after the capture."))
            } else if time > notAfter {
                out.append(PolicyProblem(status: .expired, position: position, detail: "Expired on \(Self.format(notAfter)), before the capture."))
            }
        }
        return out
    }

    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds > -62_167_219_200, seconds < 253_402_300_799 else { return String(seconds) }
        return RFC3339.dateString(epochSeconds: Int64(seconds.rounded(.down)))
    }
}

/// A problem of one candidate path, before it is named by subject.
struct PolicyProblem: Sendable {
    var status: ValidationStatus
    /// Position in the candidate path (0 = leaf), nil for the whole chain.
    var position: Int?
    var detail: String
}

/// Candidate paths that reached a trust anchor and failed, with their problems (the first few).
final class FailureRecorder: Sendable {
    static let maxKept = 8
    private let kept = Mutex<[(chain: [Certificate], problems: [PolicyProblem])]>([])

    func record(_ chain: [Certificate], _ problems: [PolicyProblem]) {
        kept.withLock { if $0.count < Self.maxKept { $0.append((chain, problems)) } }
    }

    var failures: [(chain: [Certificate], problems: [PolicyProblem])] { kept.withLock { $0 } }
}
