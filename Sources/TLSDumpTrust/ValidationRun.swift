#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1
import TLSDumpBase
import TLSDumpTLS
import X509

/// One validation: the verifier's answer, and when it found no trusted
/// path, our own look at the presented list (issuer by name, then
/// signature) to tell an unknown root from a missing intermediate from a
/// bad signature.
struct ValidationRun {
    let presented: [PresentedCertificate]
    let used: [PresentedCertificate]
    let parsed: [Certificate?]
    let leaf: Certificate
    let loaded: TrustAnchors.Loaded
    let anchors: TrustAnchors
    let date: Date
    let seconds: Int64
    let hostname: String?
    /// Validity bounds of the trust-store certificates in the path (for `stability`).
    private var anchorBounds: [Int64] = []

    init(presented: [PresentedCertificate], used: [PresentedCertificate], parsed: [Certificate?], leaf: Certificate,
         loaded: TrustAnchors.Loaded, anchors: TrustAnchors, date: Date, seconds: Int64, hostname: String?) {
        self.presented = presented
        self.used = used
        self.parsed = parsed
        self.leaf = leaf
        self.loaded = loaded
        self.anchors = anchors
        self.date = date
        self.seconds = seconds
        self.hostname = hostname
    }

    /// Signature algorithms swift-certificates verifies; others (MD5, ECDSA-SHA1, DSA, PSS) it cannot.
    static let verifiable: [Certificate.SignatureAlgorithm] = [
        .ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512,
        .sha1WithRSAEncryption, .sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption, .ed25519,
    ]

    mutating func verdict() -> ChainValidation {
        let intermediates = uniqueIntermediates()
        let store = BudgetedStore(intermediates, budget: ChainValidator.lookupBudget)
        let policy = ChainPolicy(time: date, hostname: hostname)
        let roots = loaded.store
        let leaf = self.leaf
        guard let result = SynchronousAwait.run({ () async -> CertificateValidationResult in
            var verifier = Verifier(rootCertificates: roots) { policy }
            return await verifier.validate(leaf: leaf, intermediates: CertificateStore(custom: store))
        }) else {
            return .notChecked("the verifier returned no result")
        }
        var out: ChainValidation
        switch result {
        case .validCertificate(let chain):
            out = ChainValidation(status: .ok, reason: nil, path: describe(Array(chain)))
        case .couldNotValidate:
            let failures = policy.recorder.failures
            if let best = failures.min(by: { $0.problems.count < $1.problems.count }) {
                out = anchoredFailure(best.chain, best.problems)
            } else {
                out = unanchoredFailure(policy: policy)
            }
        }
        if store.exhausted && out.status != .ok {
            out.reason = (out.reason.map { $0 + " " } ?? "") + "(The path search stopped after \(ChainValidator.lookupBudget) issuer lookups.)"
        }
        finish(&out)
        return out
    }

    // MARK: a path reached a trust anchor, and failed the policy

    private mutating func anchoredFailure(_ chain: [Certificate], _ problems: [PolicyProblem]) -> ChainValidation {
        let path = describe(chain)
        let named = problems.map { problem in
            ChainProblem(kind: problem.status.rawValue, subject: problem.position.flatMap { path.indices.contains($0) ? path[$0].subject : nil },
                         position: problem.position, detail: problem.detail)
        }
        let status = Self.rank(problems.map(\.status))
        let main = named.first { $0.kind == status.rawValue }
        return ChainValidation(status: status, reason: main.map { Self.sentence($0) }, path: path,
                               problems: Self.statusFirst(named, status))
    }

    /// Which of several problems names the verdict: a broken chain before a
    /// wrong name before a validity date.
    static func rank(_ statuses: [ValidationStatus]) -> ValidationStatus {
        for candidate in [ValidationStatus.policyViolation, .nameMismatch, .expired, .notYetValid] where statuses.contains(candidate) {
            return candidate
        }
        return statuses.first ?? .policyViolation
    }

    static func statusFirst(_ problems: [ChainProblem], _ status: ValidationStatus) -> [ChainProblem] {
        problems.filter { $0.kind == status.rawValue } + problems.filter { $0.kind != status.rawValue }
    }

    static func sentence(_ problem: ChainProblem) -> String {
        guard let subject = problem.subject else { return problem.detail }
        return "\(subject): \(problem.detail)"
    }

    // MARK: no path reached a trust anchor

    private mutating func unanchoredFailure(policy: ChainPolicy) -> ChainValidation {
        let walk = ownPath()
        var path = walk.indices.compactMap { index -> PathCertificate? in
            guard index < used.count else { return nil }
            let s = used[index].summary
            return PathCertificate(subject: s.subject, issuer: s.issuer, sha256: s.sha256, signatureAlgorithm: s.signatureAlgorithm,
                                   source: .sent(index: index))
        }
        if path.isEmpty { path = describe([leaf]) }
        let (status, reason) = classify(walk, policy: policy)
        var out = ChainValidation(status: status, reason: reason, path: path)
        // What else is wrong with the presented path, as if its top were trusted.
        let chain = walk.indices.compactMap { $0 < parsed.count ? parsed[$0] : nil }
        let extra = problemsAssumingTrusted(chain)
        let named = extra.map { problem in
            ChainProblem(kind: problem.status.rawValue, subject: problem.position.flatMap { path.indices.contains($0) ? path[$0].subject : nil },
                         position: problem.position, detail: problem.detail)
        }
        out.problems = [ChainProblem(kind: status.rawValue, subject: path.last?.subject, position: path.count - 1, detail: reason)] + named
        out.selfSigned = walk.indices == [0] && walk.topSelfIssued
        return out
    }

    /// The presented certificates from the leaf up, each followed by the one
    /// whose subject is its issuer and whose key verifies its signature.
    struct Walk {
        var indices: [Int] = [0]
        var topSelfIssued = false
        /// A certificate whose issuer was sent by name, but whose signature no such certificate's key verified.
        var badLink: (child: Int, parent: Int)?
        /// An issuer by name that swift-certificates could not parse.
        var unparsedIssuer: Int?
    }

    private func ownPath() -> Walk {
        var walk = Walk()
        var current = leaf
        var currentIndex = 0
        var visited: Set<Int> = [0]
        while walk.indices.count <= used.count {
            if current.subject == current.issuer {
                walk.topSelfIssued = true
                break
            }
            let candidates = parsed.indices.filter { !visited.contains($0) && parsed[$0]?.subject == current.issuer }
            if candidates.isEmpty {
                // One we could not parse may still be it (by our own reading of the names).
                let issuer = used[currentIndex].summary.issuer
                walk.unparsedIssuer = parsed.indices.first { parsed[$0] == nil && !visited.contains($0) && issuer != nil && used[$0].summary.subject == issuer }
                break
            }
            guard let next = candidates.first(where: { parsed[$0]?.publicKey.isValidSignature(current.signature, for: current) == true }),
                  let certificate = parsed[next] else {
                walk.badLink = (currentIndex, candidates[0])
                break
            }
            walk.indices.append(next)
            visited.insert(next)
            current = certificate
            currentIndex = next
        }
        return walk
    }

    private func classify(_ walk: Walk, policy: ChainPolicy) -> (ValidationStatus, String) {
        if let critical = leaf.extensions.first(where: { $0.critical && !policy.verifyingCriticalExtensions.contains($0.oid) }) {
            return (.policyViolation, "The leaf has a critical extension the verifier does not handle (\(critical.oid)).")
        }
        let topIndex = walk.indices.last ?? 0
        let top = parsed[topIndex] ?? leaf
        let topName = used[topIndex].summary.subject ?? "the certificate"
        if let bad = walk.badLink {
            let child = parsed[bad.child] ?? leaf
            let childName = used[bad.child].summary.subject ?? "a certificate"
            guard Self.verifiable.contains(child.signatureAlgorithm) else {
                return (.notChecked, "\(childName) is signed with \(used[bad.child].summary.signatureAlgorithm ?? "an algorithm") that the verifier cannot check.")
            }
            return (.badSignature, "\(childName) names \(used[bad.parent].summary.subject ?? "a certificate that was sent") as its issuer, but that certificate's key does not verify its signature.")
        }
        if walk.topSelfIssued {
            let verifies = top.publicKey.isValidSignature(top.signature, for: top)
            if !verifies && Self.verifiable.contains(top.signatureAlgorithm) {
                return (.badSignature, "\(topName) is self-issued, but its own key does not verify its signature.")
            }
            if topIndex == 0 { return (.unknownIssuer, "The certificate is self-signed and not in the trust store.") }
            return (.unknownIssuer, "The chain ends at \(topName), a root the trust store does not hold.")
        }
        let issuerName = used[topIndex].summary.issuer ?? "its issuer"
        if let inStore = loaded.bySubject[top.issuer] {
            if !Self.verifiable.contains(top.signatureAlgorithm) {
                return (.notChecked, "\(topName) is signed with \(used[topIndex].summary.signatureAlgorithm ?? "an algorithm") that the verifier cannot check.")
            }
            if !inStore.contains(where: { $0.publicKey.isValidSignature(top.signature, for: top) }) {
                return (.badSignature, "The trust store holds \(issuerName), but its key does not verify the signature of \(topName).")
            }
            return (.policyViolation, "The trust store's \(issuerName) signed \(topName), but the verifier refused the path (an unhandled critical extension of the anchor, or the path search was cut).")
        }
        if let unparsed = walk.unparsedIssuer {
            return (.notChecked, "\(issuerName) was sent (at \(unparsed)) but swift-certificates cannot parse it.")
        }
        // The issuer is unknown: a missing intermediate, or a root the store lacks. Without
        // it nothing can tell them apart for sure; two signs point to an intermediate: CA
        // certificates were sent that do not connect (the gap is between them and the leaf),
        // or a leaf names where to fetch its issuer (AIA caIssuers, as public CAs' leaves do).
        let strandedCA = parsed.indices.contains { index in
            guard !walk.indices.contains(index), let certificate = parsed[index] else { return false }
            if case .isCertificateAuthority? = try? certificate.extensions.basicConstraints { return true }
            return false
        }
        let isCA: Bool
        if case .isCertificateAuthority? = try? top.extensions.basicConstraints { isCA = true } else { isCA = false }
        let fetchable = ((try? top.extensions.authorityInformationAccess)??.contains { $0.method == .issuingCA }) ?? false
        if strandedCA || (!isCA && fetchable) {
            return (.incompleteChain, "The issuer of \(topName), \(issuerName), was not sent and is not in the trust store: an intermediate is missing.")
        }
        if isCA && topIndex > 0 {
            return (.unknownIssuer, "\(topName) was issued by \(issuerName), which was not sent and is not in the trust store.")
        }
        return (.unknownIssuer, "The issuer of \(topName), \(issuerName), was not sent and is not in the trust store (an unknown root, or a missing intermediate: the certificate does not say where to fetch its issuer).")
    }

    /// The policy's problems with `chain`, with its top taken as a trust anchor
    /// (a second verifier run: the same RFC 5280 and name checks on the path
    /// the peer presented, so expiry is judged even when no root is known).
    private func problemsAssumingTrusted(_ chain: [Certificate]) -> [PolicyProblem] {
        guard let top = chain.last else { return [] }
        let policy = ChainPolicy(time: date, hostname: hostname)
        let store = BudgetedStore(Array(chain.dropFirst().dropLast()), budget: ChainValidator.lookupBudget)
        let leaf = self.leaf
        let result = SynchronousAwait.run({ () async -> CertificateValidationResult in
            var verifier = Verifier(rootCertificates: CertificateStore([top])) { policy }
            return await verifier.validate(leaf: leaf, intermediates: CertificateStore(custom: store))
        })
        if case .validCertificate? = result { return [] }
        let problems = policy.recorder.failures.min(by: { $0.problems.count < $1.problems.count })?.problems ?? []
        // A top that is not a root was made an anchor only for this run: RFC 5280's
        // structure rules would fault it for that (a leaf is no CA), so only dates and the name count.
        if top.subject != top.issuer { return problems.filter { $0.status != .policyViolation } }
        return problems
    }

    // MARK: the parts every verdict has

    private func uniqueIntermediates() -> [Certificate] {
        var seen: Set<Certificate> = [leaf]
        var out: [Certificate] = []
        for case let certificate? in parsed.dropFirst() where seen.insert(certificate).inserted {
            out.append(certificate)
        }
        return out
    }

    /// The path's certificates named as the peer sent them, or from the trust store.
    private mutating func describe(_ chain: [Certificate]) -> [PathCertificate] {
        var bounds: [Int64] = []
        let described = chain.map { certificate in
            if let index = parsed.firstIndex(where: { $0 == certificate }) {
                let s = used[index].summary
                return PathCertificate(subject: s.subject, issuer: s.issuer, sha256: s.sha256, signatureAlgorithm: s.signatureAlgorithm,
                                       source: .sent(index: index))
            }
            let s = anchors.summary(of: certificate)
            bounds += [Self.epoch(certificate.notValidBefore), Self.epoch(certificate.notValidAfter)]
            return PathCertificate(subject: s?.subject ?? certificate.subject.description, issuer: s?.issuer ?? certificate.issuer.description,
                                   sha256: s?.sha256 ?? "", signatureAlgorithm: s?.signatureAlgorithm, source: .trustStore)
        }
        anchorBounds += bounds
        return described
    }

    /// Order, unused and missing certificates, weak signatures, the name checked, and how long the verdict holds.
    private func finish(_ out: inout ChainValidation) {
        let sentIndices = out.path.compactMap { element -> Int? in
            if case .sent(let index) = element.source { return index }
            return nil
        }
        out.outOfOrder = zip(sentIndices, sentIndices.dropFirst()).contains { $0 >= $1 }
        out.unusedCertificates = presented.count - Set(sentIndices).count
        // The top's own signature is not relied on when it is a trust anchor or self-issued (a root).
        let topIsRoot = out.status == .ok
            || out.path.last.map { $0.subject != nil && $0.subject == $0.issuer } == true
            || out.path.last?.source == .trustStore
        out.missingIntermediates = out.status == .incompleteChain
            || out.path.dropLast().contains { $0.source == .trustStore }
        for (position, element) in out.path.enumerated() {
            if position == out.path.count - 1 && topIsRoot { continue }   // a root's own signature is not relied on
            guard let algorithm = element.signatureAlgorithm, Self.isWeak(algorithm) else { continue }
            out.problems.append(ChainProblem(kind: ChainProblem.weakSignatureKind, subject: element.subject, position: position,
                                             detail: "Signed with \(algorithm) (SHA-1 and MD5 signatures can be forged)."))
        }
        out.checkedName = hostname
        out.validatedAt = seconds
        (out.stableFrom, out.stableUntil) = stability(out.path)
    }

    static func isWeak(_ algorithm: String) -> Bool {
        let lower = algorithm.lowercased()
        return lower.contains("sha1") || lower.contains("md5") || lower.contains("md2") || lower.contains("md4")
    }

    /// The capture times around `seconds` with no validity bound of any certificate involved in between.
    private func stability(_ path: [PathCertificate]) -> (Int64, Int64) {
        var bounds: [Int64] = []
        for certificate in presented.prefix(ChainValidator.maxCertificates) {
            if let b = certificate.summary.notBeforeEpoch { bounds.append(b) }
            if let a = certificate.summary.notAfterEpoch { bounds.append(a) }
        }
        bounds += anchorBounds
        let from = bounds.filter { $0 <= seconds }.max() ?? .min
        let until = bounds.filter { $0 > seconds }.min() ?? .max
        return (from, until)
    }

    static func epoch(_ date: Date) -> Int64 {
        let s = date.timeIntervalSince1970
        guard s.isFinite else { return 0 }
        return Int64(max(min(s, 9e15), -9e15).rounded(.down))
    }
}
