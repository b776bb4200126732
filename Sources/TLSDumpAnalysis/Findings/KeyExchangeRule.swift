import TLSDumpBase
import TLSDumpTLS

/// Post-quantum key exchange offered by the client and declined by the
/// server: traffic recorded today can be decrypted by whoever breaks the
/// classical group later ("harvest now, decrypt later").
enum KeyExchangeRule: FindingRule {
    static func observe(_ fact: SessionFact, _ findings: inout FindingLog) {
        guard case .keyExchangeChosen(let kex, let handshake) = fact, kex.postQuantumDeclined else { return }
        let offered = kex.offeredPostQuantumGroups.map(KeyExchangeRule.groupName)
        let selected = kex.group.map(KeyExchangeRule.groupName) ?? (kex.method?.rawValue ?? "unknown")
        let retry = kex.helloRetryGroup.map(KeyExchangeRule.groupName)
        let how = retry.map { " (its HelloRetryRequest demanded \($0))" } ?? ""
        findings.raise(.kexPostQuantumNotSelected,
                       "The client offered post-quantum key exchange (\(offered.joined(separator: ", "))) but the server chose \(selected)\(how): recorded traffic can be decrypted by whoever breaks \(selected) later.",
                       handshake: handshake, evidence: .postQuantumDeclined(offered: offered, selected: selected, helloRetry: retry))
    }

    static func groupName(_ group: UInt16) -> String {
        TLSRegistry.isGREASE(group) ? "GREASE" : (TLSRegistry.groupName(group) ?? hexNumber(group, digits: 4))
    }
}
