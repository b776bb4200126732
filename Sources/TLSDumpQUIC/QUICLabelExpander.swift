import Crypto

/// HKDF-Expand-Label (RFC 8446 7.1, "tls13 " prefix, empty context) for
/// outputs of at most one hash length, which is every QUIC secret, key, IV
/// and header protection key: HKDF-Expand is then one HMAC of
/// `info || 0x01`, and the HMAC keyed with the secret is prepared once and
/// copied for each label. Initial keys are derived for every QUIC
/// connection; through `HKDF.expand` they were 39% of a QUIC run (callgrind),
/// most of it keying a new HMAC per label.
struct QUICLabelExpander<H: HashFunction> {
    private let keyed: HMAC<H>

    init(secret: [UInt8]) {
        keyed = HMAC<H>(key: SymmetricKey(data: secret))
    }

    /// `length` is at most `H.Digest.byteCount` (callers pass key, IV and
    /// secret sizes); labels are the version's short constants (at most 32 bytes).
    func expand(_ label: String, length: Int) -> [UInt8] {
        var label = label
        precondition(length > 0 && length <= H.Digest.byteCount && label.utf8.count <= 32, "one HMAC block, a short label")
        var mac = keyed
        // HkdfLabel: uint16 length, opaque label<7..255> ("tls13 " + label), opaque context<0..255> (empty); then the block counter.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { info in
            let prefix: StaticString = "tls13 "
            var n = 0
            func put(_ byte: UInt8) { info[n] = byte; n += 1 }
            put(UInt8(truncatingIfNeeded: length >> 8))
            put(UInt8(truncatingIfNeeded: length))
            put(UInt8(truncatingIfNeeded: prefix.utf8CodeUnitCount + label.utf8.count))
            prefix.withUTF8Buffer { for b in $0 { put(b) } }
            label.withUTF8 { for b in $0 { put(b) } }
            put(0)      // empty context
            put(1)      // HKDF-Expand block counter
            mac.update(data: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(info)[0..<n]))
        }
        return mac.finalize().withUnsafeBytes { Array($0.prefix(length)) }
    }
}

/// HKDF-Extract: HMAC keyed with the salt over the input keying material.
func hkdfExtractSHA256(salt: [UInt8], inputKeyMaterial: [UInt8]) -> [UInt8] {
    let prk = HMAC<SHA256>.authenticationCode(for: inputKeyMaterial, using: SymmetricKey(data: salt))
    return prk.withUnsafeBytes { Array($0) }
}
