import Crypto

/// The TLS 1.0-1.2 pseudorandom functions (RFC 2246 5, RFC 5246 5) and the
/// master secret computation built on them.
public enum TLSPRF {
    /// TLS 1.0/1.1: P_MD5 over the first half of the secret XOR P_SHA-1 over
    /// the second half (halves overlap by one byte when the length is odd).
    public static func tls10(secret: [UInt8], label: String, seed: [UInt8], count: Int) -> [UInt8] {
        let count = max(0, count)
        let half = (secret.count + 1) / 2
        let labelAndSeed = Array(label.utf8) + seed
        var out = pHash(Insecure.MD5.self, secret: Array(secret.prefix(half)), seed: labelAndSeed, count: count)
        let sha = pHash(Insecure.SHA1.self, secret: Array(secret.suffix(half)), seed: labelAndSeed, count: count)
        for i in 0..<count { out[i] ^= sha[i] }
        return out
    }

    /// TLS 1.2: P_SHA256, or P_SHA384 for the suites whose PRF hash is SHA-384.
    public static func tls12(secret: [UInt8], label: String, seed: [UInt8], count: Int, sha384: Bool) -> [UInt8] {
        let labelAndSeed = Array(label.utf8) + seed
        return sha384
            ? pHash(SHA384.self, secret: secret, seed: labelAndSeed, count: max(0, count))
            : pHash(SHA256.self, secret: secret, seed: labelAndSeed, count: max(0, count))
    }

    /// The PRF of a TLS <= 1.2 version: 0x0303 uses `tls12`, lower versions
    /// `tls10` (SSL 3.0 has its own construction, which this layer lacks:
    /// `KeyDerivation` and `RecordDecryptor` refuse version 0x0300).
    public static func prf(version: UInt16, secret: [UInt8], label: String, seed: [UInt8], count: Int, sha384: Bool) -> [UInt8] {
        version >= 0x0303
            ? tls12(secret: secret, label: label, seed: seed, count: count, sha384: sha384)
            : tls10(secret: secret, label: label, seed: seed, count: count)
    }

    /// The 48-byte master secret. With `extendedMasterSecretSessionHash`
    /// (RFC 7627: the hash of the handshake messages up to and including the
    /// ClientKeyExchange, see `sessionHash`) the randoms are not used.
    public static func masterSecret(premaster: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8],
                                    version: UInt16, sha384: Bool,
                                    extendedMasterSecretSessionHash: [UInt8]?) -> [UInt8] {
        if version == SSL3.version {
            return SSL3.masterSecret(premaster: premaster, clientRandom: clientRandom, serverRandom: serverRandom)
        }
        if let sessionHash = extendedMasterSecretSessionHash {
            return prf(version: version, secret: premaster, label: "extended master secret",
                       seed: sessionHash, count: 48, sha384: sha384)
        }
        return prf(version: version, secret: premaster, label: "master secret",
                   seed: clientRandom + serverRandom, count: 48, sha384: sha384)
    }

    /// The RFC 7627 session hash of the handshake messages so far (whole
    /// messages with their 4-byte headers, in order): MD5 || SHA-1 before
    /// TLS 1.2, the PRF hash on TLS 1.2.
    public static func sessionHash(handshakeMessages: [UInt8], version: UInt16, sha384: Bool) -> [UInt8] {
        if version >= 0x0303 {
            return sha384 ? Array(SHA384.hash(data: handshakeMessages)) : Array(SHA256.hash(data: handshakeMessages))
        }
        return Array(Insecure.MD5.hash(data: handshakeMessages)) + Array(Insecure.SHA1.hash(data: handshakeMessages))
    }

    /// P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
    /// with A(0) = seed, A(i) = HMAC(secret, A(i-1)), cut to `count` bytes.
    static func pHash<H: HashFunction>(_: H.Type, secret: [UInt8], seed: [UInt8], count: Int) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        var out: [UInt8] = []
        out.reserveCapacity(count + H.Digest.byteCount)
        var a = seed
        while out.count < count {
            a = Array(HMAC<H>.authenticationCode(for: a, using: key))
            var mac = HMAC<H>(key: key)
            mac.update(data: a)
            mac.update(data: seed)
            out.append(contentsOf: mac.finalize())
        }
        return Array(out.prefix(count))
    }
}
