/// What the TLS 1.3 drafts changed along the way that reading and decrypting
/// them must follow, named per draft. A version code says which draft a peer
/// speaks: 0x7fNN is draft NN, Facebook's 0xfbNN is built on draft NN, and
/// Google's 2017 experiments 0x7eNN are built on draft 18 (0x7e01) or 22
/// (0x7e02 and later); 0x0304 is RFC 8446.
public struct TLS13DraftRules: Sendable, Equatable {
    /// The draft number, nil for RFC 8446.
    public let draft: Int?

    /// How a protected record's AEAD additional data is made.
    public enum AdditionalData: Sendable, Equatable {
        /// Drafts before 25: none (the record header was not authenticated).
        case empty
        /// Draft 25 and RFC 8446 5.2: the 5-byte record header.
        case recordHeader
    }

    public static let final = TLS13DraftRules(draft: nil)

    public init(draft: Int?) { self.draft = draft }

    /// The rules of a version code; RFC 8446's for 0x0304 and anything not a draft code.
    public init(version: UInt16) {
        let low = Int(version & 0xff)
        switch version >> 8 {
        case 0x7f, 0xfb: self.init(draft: low)
        case 0x7e: self.init(draft: low <= 1 ? 18 : 22)
        default: self.init(draft: nil)
        }
    }

    private func before(_ n: Int) -> Bool { draft.map { $0 < n } ?? false }

    /// Draft 25 made the record header the additional data.
    public var additionalData: AdditionalData { before(25) ? .empty : .recordHeader }

    /// Draft 20 changed the HKDF-Expand-Label prefix from "TLS 1.3, " to "tls13 ".
    public var labelPrefix: String { before(20) ? "TLS 1.3, " : "tls13 " }

    /// Draft 23 moved key_share from extension 40 to 51.
    public var keyShareExtension: UInt16 { before(23) ? 40 : 51 }
}
