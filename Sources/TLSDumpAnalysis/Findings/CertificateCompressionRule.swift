/// RFC 8879 compressed certificates a receiver must refuse: bombs (a
/// declared length over the limit, or data decoding past its declaration)
/// apart from the merely broken.
enum CertificateCompressionRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        guard case .certificateCompressionRejected(let problem, let handshake) = fact else { return }
        findings.raise(problem.issue.isBomb ? .certCompressionBomb : .certCompressionInvalid, problem.message,
                       handshake: handshake, evidence: .certificateCompression(problem))
    }
}
