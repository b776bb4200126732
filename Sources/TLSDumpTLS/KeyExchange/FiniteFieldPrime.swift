import Crypto

/// Well-known finite-field Diffie-Hellman primes, recognised by SHA-256 of
/// their big-endian bytes: TLS 1.2 sends the prime itself, not a name, so a
/// server's group is named only when its prime is one of these exactly.
public enum FiniteFieldPrime {
    public struct Known: Sendable {
        public let name: String
        /// The TLS named group with this prime (RFC 7919 ffdhe*), nil for the others.
        public let namedGroup: UInt16?
        let bits: Int
        let sha256: String
    }

    /// RFC 7919 (the TLS named groups) and RFC 3526 (IKE MODP), as OpenSSL 3.0 ships them.
    public static let known: [Known] = [
        Known(name: "ffdhe2048", namedGroup: 0x0100, bits: 2048, sha256: "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966"),
        Known(name: "ffdhe3072", namedGroup: 0x0101, bits: 3072, sha256: "0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17"),
        Known(name: "ffdhe4096", namedGroup: 0x0102, bits: 4096, sha256: "4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e"),
        Known(name: "ffdhe6144", namedGroup: 0x0103, bits: 6144, sha256: "227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7"),
        Known(name: "ffdhe8192", namedGroup: 0x0104, bits: 8192, sha256: "770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833"),
        Known(name: "rfc3526_modp1536", namedGroup: nil, bits: 1536, sha256: "64fcc83ec403930bf18393dbc883ccaa1fbb08ac876f77f7aa99748ca945019b"),
        Known(name: "rfc3526_modp2048", namedGroup: nil, bits: 2048, sha256: "d66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e"),
        Known(name: "rfc3526_modp3072", namedGroup: nil, bits: 3072, sha256: "48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c"),
        Known(name: "rfc3526_modp4096", namedGroup: nil, bits: 4096, sha256: "4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33"),
        Known(name: "rfc3526_modp6144", namedGroup: nil, bits: 6144, sha256: "d1bfe6d0925ce7e4da262b62861514a7755e35831e429f343e7b864848657efd"),
        Known(name: "rfc3526_modp8192", namedGroup: nil, bits: 8192, sha256: "39ab4feab950a3128fb71accb9fc3965d857012e081998a85996e3ea8b3c3bcf"),
    ]

    /// The index in `known` of the prime these bytes are (leading zero bytes ignored), or nil.
    public static func identify(_ prime: UnsafeRawBufferPointer) -> Int? {
        var start = 0
        while start < prime.count && prime[start] == 0 { start += 1 }
        let bits = (prime.count - start) * 8
        // Only a prime of a known size is hashed: a hostile 64 KB one costs nothing.
        guard known.contains(where: { $0.bits == bits }) else { return nil }
        let digest = SHA256.hash(data: UnsafeRawBufferPointer(rebasing: prime[start...]))
        let hex = digest.map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
        return known.firstIndex { $0.bits == bits && $0.sha256 == hex }
    }
}
