import Crypto

/// SSL 3.0 (RFC 6101): its own key derivation and record MAC, where TLS has a PRF and HMAC.
public enum SSL3 {
    public static let version: UInt16 = 0x0300

    /// RFC 6101 6.1 and 6.2.2: MD5(secret + SHA1("A" + secret + seed)) + MD5(secret + SHA1("BB" + secret + seed)) + ...
    /// cut to `count` bytes (at most 26 rounds: 416 bytes, more than any key block).
    public static func expand(secret: [UInt8], seed: [UInt8], count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var round = 0
        while out.count < count && round < 26 {
            let label = [UInt8](repeating: UInt8(ascii: "A") + UInt8(round), count: round + 1)
            var sha = Insecure.SHA1()
            sha.update(data: label)
            sha.update(data: secret)
            sha.update(data: seed)
            var md5 = Insecure.MD5()
            md5.update(data: secret)
            md5.update(data: Array(sha.finalize()))
            out += Array(md5.finalize())
            round += 1
        }
        return Array(out.prefix(count))
    }

    /// master_secret = expand(pre_master_secret, ClientHello.random + ServerHello.random), 48 bytes.
    public static func masterSecret(premaster: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8]) -> [UInt8] {
        expand(secret: premaster, seed: clientRandom + serverRandom, count: 48)
    }

    /// key_block = expand(master_secret, ServerHello.random + ClientHello.random).
    public static func keyBlock(masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8], count: Int) -> [UInt8] {
        expand(secret: masterSecret, seed: serverRandom + clientRandom, count: count)
    }

    /// RFC 6101 5.2.3.1: hash(secret + pad_2 + hash(secret + pad_1 + seq_num + type + length + content)),
    /// pads of 0x36 / 0x5c, 48 bytes for MD5 and 40 for SHA-1.
    static func mac<H: HashFunction>(_: H.Type, secret: [UInt8], sequence: UInt64, contentType: UInt8,
                                     content: UnsafeRawBufferPointer) -> [UInt8] {
        let padLength = H.self == Insecure.MD5.self ? 48 : 40
        var inner = H()
        inner.update(data: secret)
        inner.update(data: [UInt8](repeating: 0x36, count: padLength))
        inner.update(data: (0..<8).map { sequence.bigEndianByte($0) })
        inner.update(data: [contentType, UInt8(truncatingIfNeeded: content.count >> 8), UInt8(truncatingIfNeeded: content.count)])
        inner.update(bufferPointer: content)
        var outer = H()
        outer.update(data: secret)
        outer.update(data: [UInt8](repeating: 0x5c, count: padLength))
        outer.update(data: Array(inner.finalize()))
        return Array(outer.finalize())
    }
}
