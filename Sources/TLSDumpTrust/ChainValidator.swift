#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1
import Synchronization
import TLSDumpBase
import TLSDumpTLS
import X509

/// Validates presented chains with swift-certificates' `Verifier` at the
/// capture's time. One per run, shared by the analysis threads (it holds
/// only the trust anchors, read once); each call is synchronous.
public final class ChainValidator: Sendable {
    public let anchors: TrustAnchors
    /// Certificates of one message considered (real chains have 2 to 5; the rest count as unused).
    public static let maxCertificates = 16
    /// Issuer lookups of one path search (see `BudgetedStore`).
    public static let lookupBudget = 32

    public init(anchors: TrustAnchors) { self.anchors = anchors }

    /// The verdict on `presented` (leaf first) at capture time `time`.
    /// `hostname`: the name the leaf must carry (the SNI of a server chain), nil for none.
    public func validate(_ presented: [PresentedCertificate], hostname: String?, at time: Timestamp) -> ChainValidation {
        guard !presented.isEmpty else { return .notChecked("the Certificate message held no certificate") }
        let loaded = anchors.load()
        if let failure = loaded.failure {
            return .notChecked("no trust store: \(failure)" + (anchors.isSystem ? " (install ca-certificates, or give --ca-file)" : ""))
        }
        let used = Array(presented.prefix(Self.maxCertificates))
        var parsed: [Certificate?] = []
        parsed.reserveCapacity(used.count)
        var leafError = ""
        for (index, certificate) in used.enumerated() {
            do {
                parsed.append(try Certificate(derEncoded: certificate.der))
            } catch {
                parsed.append(nil)
                if index == 0 { leafError = String(describing: error) }
            }
        }
        guard let leaf = parsed[0] else {
            // swift-crypto loads no RSA key under 2048 bits: say so in words.
            // BoringSSL's error codes come from a thread's error queue that earlier failures
            // leave behind: the number differs run to run, so it is not reported.
            let why = leafError.contains("incorrectParameterSize") ? "an RSA key under 2048 bits, which swift-crypto does not load"
                : leafError.contains("underlyingCoreCryptoError") ? "its public key does not load in BoringSSL"
                : Self.shorten(leafError)
            return .notChecked("swift-certificates cannot parse the leaf certificate (\(why))")
        }
        let date = Date(timeIntervalSince1970: Double(time.nanoseconds) / 1e9)
        let name = hostname.flatMap { $0.isEmpty ? nil : $0 }
        let store = anchors.isSystem ? "system" : "ca_file"
        var run = ValidationRun(presented: presented, used: used, parsed: parsed, leaf: leaf, loaded: loaded,
                                anchors: anchors, date: date, seconds: time.seconds, hostname: name)
        var verdict = run.verdict()
        verdict.trustStore = store
        return verdict
    }

    static func shorten(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(200)) + "..."
    }
}

extension ChainValidator {
    /// The system trust store's validator, shared by every run of the process (read once, on first use).
    public static let system = ChainValidator(anchors: TrustAnchors(caFiles: []))
}

extension ChainValidator {
    /// Validations whose verifier run suspended and needed a thread to wait (expected 0: see `SynchronousAwait`).
    public static var suspendedRuns: Int { SynchronousAwait.suspensions.load(ordering: .relaxed) }
}
