/// The QUIC versions this library can dissect, and version-number predicates.
public enum QUICVersion {
    public static let v1: UInt32 = 0x0000_0001
    public static let v2: UInt32 = 0x6b33_43cf

    /// The version of `raw` if known: v1, v2 (RFC 9369) and IETF drafts 27 to 34.
    /// Unknown versions (Google QUIC, other drafts, GREASE) give nil.
    public static func known(_ raw: UInt32) -> QUICVersionInfo? {
        switch raw {
        case v1: return version1
        case v2: return version2
        // draft-33 and -34 already used the final salt and Retry key.
        case 0xff00_0021, 0xff00_0022: return draft(raw, salt: version1.initialSalt, retryKey: version1.retryKey, retryNonce: version1.retryNonce)
        case 0xff00_001d...0xff00_0020: return draft(raw, salt: draft29Salt, retryKey: draft29RetryKey, retryNonce: draft29RetryNonce)
        case 0xff00_001b, 0xff00_001c: return draft(raw, salt: draft23Salt, retryKey: draft25RetryKey, retryNonce: draft25RetryNonce)
        default: return nil
        }
    }

    /// Version numbers of the form 0x?a?a?a?a, reserved to exercise version
    /// negotiation (RFC 9000 15): they never name a real version.
    public static func isReservedNegotiationGrease(_ raw: UInt32) -> Bool {
        raw & 0x0f0f_0f0f == 0x0a0a_0a0a
    }

    /// A display name for any version: the known name, "grease", or "unknown-XXXXXXXX".
    public static func displayName(_ raw: UInt32) -> String {
        if let info = known(raw) { return info.name }
        if raw == 0 { return "VersionNegotiation" }
        if isReservedNegotiationGrease(raw) { return "grease" }
        let hex = String(raw, radix: 16)
        return "unknown-" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    // v1 and drafts: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry.
    private static let v1Types: [QUICPacketType] = [.initial, .zeroRTT, .handshake, .retry]
    // RFC 9369 3.2 rotates the codes: 0 Retry, 1 Initial, 2 0-RTT, 3 Handshake.
    private static let v2Types: [QUICPacketType] = [.retry, .initial, .zeroRTT, .handshake]

    private static let version1 = QUICVersionInfo(
        raw: v1, name: "QUICv1",
        initialSalt: hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
        keyLabel: "quic key", ivLabel: "quic iv", hpLabel: "quic hp", keyUpdateLabel: "quic ku",
        longHeaderTypes: v1Types,
        retryKey: hex("be0c690b9f66575a1d766b54e368c84e"), retryNonce: hex("461599d35d632bf2239825bb"))

    private static let version2 = QUICVersionInfo(
        raw: v2, name: "QUICv2",
        initialSalt: hex("0dede3def700a6db819381be6e269dcbf9bd2ed9"),
        keyLabel: "quicv2 key", ivLabel: "quicv2 iv", hpLabel: "quicv2 hp", keyUpdateLabel: "quicv2 ku",
        longHeaderTypes: v2Types,
        retryKey: hex("8fb4b01b56ac48e260fbcbcead7ccc92"), retryNonce: hex("d86969bc2d7c6d9990efb04a"))

    private static let draft29Salt = hex("afbfec289993d24c9e9786f19c6111e04390a899")
    private static let draft29RetryKey = hex("ccce187ed09a09d05728155a6cb96be1")
    private static let draft29RetryNonce = hex("e54930f97f2136f0530a8c1c")
    private static let draft23Salt = hex("c3eef712c72ebb5a11a7d2432bb46365bef9f502")
    private static let draft25RetryKey = hex("4d32ecdb2a2133c841e4043df27d4430")
    private static let draft25RetryNonce = hex("4d1611d05513a552c587d575")

    private static func draft(_ raw: UInt32, salt: [UInt8], retryKey: [UInt8]?, retryNonce: [UInt8]?) -> QUICVersionInfo {
        QUICVersionInfo(raw: raw, name: "draft-\(raw & 0xff)", initialSalt: salt,
                        keyLabel: "quic key", ivLabel: "quic iv", hpLabel: "quic hp", keyUpdateLabel: "quic ku",
                        longHeaderTypes: v1Types, retryKey: retryKey, retryNonce: retryNonce)
    }

    /// Constant hex (compile-time literals above); invalid digits would read as 0.
    private static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c &- UInt8(ascii: "a") &+ 10
            default: v = 0
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}
