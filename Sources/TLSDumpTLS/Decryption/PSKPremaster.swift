/// A pre-shared key given with `--psk`: the key, and the identity it is for (nil: any).
public struct PreSharedKey: Sendable, Equatable {
    public var identity: [UInt8]?
    public var key: [UInt8]
    /// RFC 4279 5.3: identities up to 128 bytes and keys up to 64 must be supported; larger are allowed up to 2^16-1.
    public static let maxKeyLength = 1024

    public init(identity: [UInt8]?, key: [UInt8]) {
        self.identity = identity
        self.key = key
    }

    /// `HEX` or `IDENTITY:HEX` (the identity is the text before the last colon); nil when malformed.
    public init?(argument: String) {
        var identity: [UInt8]? = nil
        var hex = Substring(argument)
        if let colon = argument.lastIndex(of: ":") {
            identity = Array(argument[..<colon].utf8)
            hex = argument[argument.index(after: colon)...]
        }
        guard let key = HexDecoding.bytes(Array(hex.utf8)), !key.isEmpty, key.count <= Self.maxKeyLength,
              (identity?.count ?? 0) <= 0xffff else { return nil }
        self.init(identity: identity, key: key)
    }
}

/// The TLS 1.0-1.2 premaster secret of the PSK key exchanges: other_secret and
/// the PSK, each with a 2-byte length (RFC 4279 2). What other_secret is:
/// - PSK (RFC 4279 2): as many zero bytes as the PSK has;
/// - DHE-PSK (RFC 4279 3): the Diffie-Hellman shared secret Z;
/// - ECDHE-PSK (RFC 5489 2): the ECDH shared secret (x-coordinate);
/// - RSA-PSK (RFC 4279 4): the 48-byte premaster the client RSA-encrypted.
/// A passive observer has the PSK and (with the server's key) the RSA premaster,
/// never an (EC)DHE shared secret: DHE-PSK and ECDHE-PSK need a key log.
public enum PSKPremaster {
    public static func premaster(otherSecret: [UInt8], psk: [UInt8]) -> [UInt8]? {
        guard otherSecret.count <= 0xffff, psk.count <= 0xffff else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(4 + otherSecret.count + psk.count)
        out += [UInt8(otherSecret.count >> 8), UInt8(otherSecret.count & 0xff)] + otherSecret
        out += [UInt8(psk.count >> 8), UInt8(psk.count & 0xff)] + psk
        return out
    }

    /// Plain PSK: N zero bytes as other_secret.
    public static func plain(psk: [UInt8]) -> [UInt8]? {
        premaster(otherSecret: [UInt8](repeating: 0, count: psk.count), psk: psk)
    }
}
