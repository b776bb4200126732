/// A 64-bit digest of a byte string, keyed by a secret drawn at random once
/// per process, for tables keyed by long bytes from the wire (certificates).
///
/// Folded multiplication (`foldedMultiply`) over 16-byte blocks: about a
/// tenth of SipHash's cost per byte through `Hasher` (which was 2.5% of a
/// JSON run on handshake-dense traffic, hashing each certificate's DER).
/// Without the secret, which inputs collide cannot be chosen, so a crafted
/// capture cannot pile certificates into one bucket. Feed the digest to a
/// `Hasher`: it is not meant to be a table index by itself.
public enum KeyedByteHash {
    /// Four random odd words (odd: none is zero).
    public static let secret = (randomOddWord(), randomOddWord(), randomOddWord(), randomOddWord())

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        hash(bytes, secret: secret)
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer, secret s: (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
        let n = bytes.count
        var acc = s.0 ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        while n - i >= 16 {
            let a = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let b = bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            acc = foldedMultiply(acc ^ a ^ s.1, b ^ s.2)
            i += 16
        }
        // The last 0-15 bytes, little-endian into two words.
        var tail: (UInt64, UInt64) = (0, 0)
        var shift: UInt64 = 0
        while i < n {
            let byte = UInt64(bytes[i])
            if shift < 64 { tail.0 |= byte << shift } else { tail.1 |= byte << (shift - 64) }
            shift += 8
            i += 1
        }
        acc = foldedMultiply(acc ^ tail.0 ^ s.3, tail.1 ^ s.1)
        return foldedMultiply(acc ^ s.2, s.3)
    }
}
