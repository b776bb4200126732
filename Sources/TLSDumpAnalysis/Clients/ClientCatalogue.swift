/// Client stacks measured on real installs (captures/clients: each stack
/// against an IIS-like server in five scenarios), and who a connection's
/// client is by its ClientHello. The table is data generated from the
/// captures (`ClientCatalogueTable.swift`, by captures/clients/catalogue.py);
/// nothing here is general knowledge.
public enum ClientCatalogue {
    /// The stacks whose JA4 is `ja4`, in table order.
    static func stacks(ja4: String) -> [ClientStack] {
        byJA4[ja4].map { $0.map { table[$0] } } ?? []
    }

    /// JA4 -> indices into `table`.
    private static let byJA4: [String: [Int]] = {
        var index: [String: [Int]] = [:]
        for (i, stack) in table.enumerated() {
            for ja4 in stack.ja4 where index[ja4]?.contains(i) != true { index[ja4, default: []].append(i) }
        }
        return index
    }()

    /// JA4 part b (the cipher-suite hash) -> the library-traits answer for
    /// a hello that is no catalogued one, worked out once (it cost a scan of
    /// every catalogued JA4 per connection: 10% of a handshake-dense run).
    private static let byCipherPart: [String: ClientSoftware] = {
        var parts: Set<String> = []
        for stack in table {
            for ja4 in stack.ja4 {
                if let b = ja4.split(separator: "_", omittingEmptySubsequences: false).dropFirst().first { parts.insert(String(b)) }
            }
        }
        var answers: [String: ClientSoftware] = [:]
        for ciphers in parts {
            let sharing = table.filter { stack in stack.ja4.contains { $0.split(separator: "_", omittingEmptySubsequences: false).dropFirst().first.map(String.init) == ciphers } }
            // The library, not its version: another version may offer the same list.
            guard let family = common(sharing.map(\.family)) else { continue }
            let measured = Array(Set(sharing.map(\.library))).sorted().joined(separator: ", ")
            let ids = sharing.map(\.id).joined(separator: ", ")
            answers[ciphers] = ClientSoftware(
                name: nil, version: nil, library: family, basis: .libraryTraits,
                traits: ["cipher suites offered as \(measured) offers them by default (JA4 part b \(ciphers), measured with \(ids))"],
                candidates: [])
        }
        return answers
    }()

    /// Who the client is, by the first ClientHello's JA4: exact when it is a
    /// catalogued one (several stacks when they share it); the TLS library
    /// alone when only its cipher-suite list (JA4 part b) is a catalogued
    /// library's; else unknown, with the reason.
    public static func identify(ja4: String?) -> ClientIdentification {
        guard let ja4 else { return .unknown(reason: "no ClientHello was seen") }
        if ja4.hasPrefix("q") {
            return .unknown(reason: "the catalogue holds TLS-over-TCP clients only; this is a QUIC ClientHello (JA4 \(ja4))")
        }
        let exact = stacks(ja4: ja4)
        if !exact.isEmpty {
            return .identified(ClientSoftware(name: common(exact.map(\.name)), version: common(exact.map(\.version)),
                                              library: common(exact.map(\.library)), basis: .exactJA4, traits: [], candidates: exact))
        }
        let parts = ja4.split(separator: "_", omittingEmptySubsequences: false)
        if parts.count == 3, let byLibrary = byCipherPart[String(parts[1])] {
            return .identified(byLibrary)
        }
        return .unknown(reason: "the ClientHello (JA4 \(ja4)) matches none of the \(table.count) catalogued client stacks (captures/clients)")
    }

    /// The one value all share, or nil.
    private static func common(_ values: [String]) -> String? {
        guard let first = values.first, values.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// The measured stacks, for the remedy paragraph: those that completed
    /// the server-initiated renegotiation with their certificate, and those
    /// that refused or failed it (the full handshake, tickets off).
    public static var renegotiationVerdicts: (complete: [ClientStack], fail: [ClientStack]) {
        var complete: [ClientStack] = [], fail: [ClientStack] = []
        for stack in table {
            guard let outcome = stack.outcome(ClientStack.renegotiationScenario) else { continue }
            if outcome == "completes_with_certificate" { complete.append(stack) } else { fail.append(stack) }
        }
        return (complete, fail)
    }

    /// Every catalogued stack.
    public static var all: [ClientStack] { table }
}

/// One measured client stack.
public struct ClientStack: Sendable, Equatable {
    public let id: String
    public let name: String
    public let version: String
    /// The library with its version, as measured ("OpenSSL 3.0.19").
    public let library: String
    /// The library without a version ("OpenSSL"): what library traits can tell.
    public let family: String
    /// Its first ClientHello's JA4 (one per distinct hello seen across the scenarios).
    public let ja4: [String]
    /// The same as raw JA4 (ja4_r), for near matches by eye.
    public let ja4Raw: [String]
    public let measured: [Measurement]

    /// How one scenario ended, from the decrypted capture, and what the client itself reported.
    public struct Measurement: Sendable, Equatable {
        public let scenario: String
        /// `completes_with_certificate`, `resumes_session`, `refuses`, `abandons`, `fails`,
        /// `fails_after_finished`, `handshake_failed`, `sends_certificate`, `pha_answered_with_certificate`, ...
        public let outcome: String
        public let httpStatus: Int?
        public let exitCode: Int
    }

    /// The IIS pattern's scenario: TLS 1.2, a full renegotiation with a CertificateRequest (tickets off).
    public static let renegotiationScenario = "tls12-reneg-noticket"

    public func outcome(_ scenario: String) -> String? {
        measured.first { $0.scenario == scenario }?.outcome
    }

    /// "curl 7.88.1 (OpenSSL 3.0.19)".
    public var label: String { "\(name) \(version) (\(library))" }
}

/// Who the client is, as far as the catalogue tells.
public enum ClientIdentification: Sendable {
    case identified(ClientSoftware)
    case unknown(reason: String)

    public var software: ClientSoftware? {
        if case .identified(let software) = self { return software }
        return nil
    }
}

/// `connection.client_software`.
public struct ClientSoftware: Sendable {
    /// nil when the candidates differ in it.
    public var name: String?
    public var version: String?
    public var library: String?
    public var basis: Basis
    /// What matched, for `libraryTraits`.
    public var traits: [String]
    /// The stacks whose ClientHello this is (empty for `libraryTraits`).
    public var candidates: [ClientStack]

    public enum Basis: String, Sendable {
        case exactJA4 = "exact_ja4"
        case libraryTraits = "library_traits"
    }

    /// How to name it in a sentence.
    public var label: String {
        if candidates.count == 1, let only = candidates.first { return only.label }
        if !candidates.isEmpty { return candidates.map(\.label).joined(separator: " or ") }
        return "a \(library ?? "known") client"
    }
}
