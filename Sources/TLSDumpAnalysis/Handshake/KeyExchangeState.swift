import TLSDumpTLS

/// A handshake's key exchange as it is gathered, packed small (every open
/// connection keeps its handshakes): the `KeyExchangeSummary` the events
/// carry is built from it when told.
struct KeyExchangeState {
    var method: KeyExchangeSummary.Method?
    var clientHelloSeen = false
    /// Post-quantum groups offered (key_share or supported_groups), one bit per `postQuantumGroups` entry.
    var postQuantumOffered: UInt8 = 0
    var group: UInt16?
    var helloRetryGroup: UInt16?
    var dhPrimeBits: Int32?
    /// Index into `FiniteFieldPrime.known`, or `explicitPrime`.
    var dhPrimeKind: UInt8?
    /// The first ClientHello's key_share groups: up to four inline (clients send one to three).
    var shares: (UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0)
    var shareCount: UInt8 = 0
    var sharesTruncated = false

    static let explicitPrime: UInt8 = 0xff
    static let maxShares = 4
    /// Every post-quantum codepoint `NamedGroupKind` knows, in a fixed order (8: one byte of bits).
    static let postQuantumGroups: [UInt16] = [0x11ec, 0x11eb, 0x11ed, 0x0200, 0x0201, 0x0202, 0x6399, 0x639a]

    mutating func noteClientHello(_ hello: ClientHello) {
        if !clientHelloSeen {
            withUnsafeMutableBytes(of: &shares) { raw in
                for (i, share) in hello.keyShares.prefix(Self.maxShares).enumerated() {
                    raw.storeBytes(of: share.group, toByteOffset: i * 2, as: UInt16.self)
                }
            }
            shareCount = UInt8(min(hello.keyShares.count, Self.maxShares))
            sharesTruncated = hello.keyShareGroups.count > Self.maxShares
        }
        clientHelloSeen = true
        for group in hello.keyShareGroups + hello.supportedGroups {
            if let bit = Self.postQuantumGroups.firstIndex(of: group) { postQuantumOffered |= 1 << UInt8(bit) }
        }
    }

    mutating func noteDHPrime(bits: Int, knownIndex: Int?) {
        dhPrimeBits = Int32(clamping: bits)
        dhPrimeKind = knownIndex.map { UInt8(clamping: $0) } ?? Self.explicitPrime
    }

    var offeredKeyShares: [UInt16] {
        withUnsafeBytes(of: shares) { raw in (0..<Int(shareCount)).map { raw.load(fromByteOffset: $0 * 2, as: UInt16.self) } }
    }

    /// The public value (its reason for a null group is filled by the handshake).
    var summary: KeyExchangeSummary {
        var s = KeyExchangeSummary()
        s.method = method
        s.group = group
        s.helloRetryGroup = helloRetryGroup
        s.dhPrimeBits = dhPrimeBits.map(Int.init)
        if let kind = dhPrimeKind {
            s.dhPrime = kind == Self.explicitPrime ? "explicit" : FiniteFieldPrime.known[Int(kind)].name
        }
        s.clientHelloSeen = clientHelloSeen
        s.offeredKeyShares = offeredKeyShares
        s.offeredKeySharesTruncated = sharesTruncated
        s.offeredPostQuantumGroups = Self.postQuantumGroups.enumerated().filter { postQuantumOffered & (1 << UInt8($0.offset)) != 0 }.map(\.element)
        return s
    }
}
