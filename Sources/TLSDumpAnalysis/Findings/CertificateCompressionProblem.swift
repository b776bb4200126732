import TLSDumpTLS

/// A CompressedCertificate a receiver must refuse (RFC 8879 4), or one
/// compressed with an algorithm the client never offered.
public struct CertificateCompressionProblem: Sendable, Equatable {
    public enum Issue: Sendable, Equatable {
        /// uncompressed_length over tlsdump's limit: not decoded at all.
        case declaredOverLimit(limit: Int)
        /// The data decodes past the declared length (stopped there).
        case longerThanDeclared
        case shorterThanDeclared(actual: Int)
        case decoderError(String)
        case unknownAlgorithm
        /// Decoded fine, but the ClientHello's compress_certificate did not list the algorithm (or was absent).
        case notOffered(offered: [UInt16])

        /// A decompression bomb: more output than anything a Certificate needs, or than declared.
        public var isBomb: Bool {
            switch self {
            case .declaredOverLimit, .longerThanDeclared: true
            default: false
            }
        }

        /// The evidence's `reason`.
        public var name: String {
            switch self {
            case .declaredOverLimit: "declared_length_over_limit"
            case .longerThanDeclared: "longer_than_declared"
            case .shorterThanDeclared: "shorter_than_declared"
            case .decoderError: "decompression_error"
            case .unknownAlgorithm: "unknown_algorithm"
            case .notOffered: "algorithm_not_offered"
            }
        }
    }

    public var sender: Side
    public var algorithm: UInt16
    public var compressedLength: Int
    public var declaredLength: Int
    public var issue: Issue

    var algorithmName: String { CertificateCompressionAlgorithm.displayName(algorithm) }

    /// The finding's one sentence.
    var message: String {
        let what = "The \(sender.rawValue)'s CompressedCertificate (\(algorithmName), \(compressedLength) bytes, declaring \(declaredLength) uncompressed)"
        switch issue {
        case .declaredOverLimit(let limit):
            return "\(what) declares more than the \(limit)-byte limit; it was not decompressed (a decompression bomb)."
        case .longerThanDeclared:
            return "\(what) decompresses to more than it declares; decompression stopped at the declared length (a decompression bomb)."
        case .shorterThanDeclared(let actual):
            return "\(what) decompresses to only \(actual) bytes; a receiver must refuse it."
        case .decoderError(let error):
            return "\(what) does not decompress: \(error)."
        case .unknownAlgorithm:
            return "\(what) uses an algorithm tlsdump does not know; the certificates stayed unread."
        case .notOffered:
            return "\(what) uses an algorithm the client did not offer in compress_certificate."
        }
    }

    var fields: [(String, EvidenceValue)] {
        var out: [(String, EvidenceValue)] = [
            ("sender", .string(sender.rawValue)), ("reason", .string(issue.name)), ("algorithm", .string(algorithmName)),
            ("compressed_length", .int(compressedLength)), ("declared_length", .int(declaredLength)),
        ]
        switch issue {
        case .declaredOverLimit(let limit): out.append(("limit", .int(limit)))
        case .shorterThanDeclared(let actual): out.append(("decompressed_length", .int(actual)))
        case .decoderError(let error): out.append(("error", .string(error)))
        case .notOffered(let offered): out.append(("offered", .strings(offered.map(CertificateCompressionAlgorithm.displayName))))
        case .longerThanDeclared, .unknownAlgorithm: break
        }
        return out
    }
}
