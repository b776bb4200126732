import TLSDumpBase

/// JA3 and JA4 of one ClientHello.
public struct ClientFingerprints: Sendable, Equatable {
    /// nil for SSLv2-compatible hellos (tshark prints none).
    public let ja3String: String?
    public let ja3: String?
    public let ja4: String

    public init(_ hello: ClientHello, transport: JA4Transport = .tcp) {
        let ja3 = Fingerprints.ja3IfDefined(hello)
        ja3String = ja3?.string
        self.ja3 = ja3?.hash
        ja4 = Fingerprints.ja4(hello, transport: transport)
    }
}

/// A bounded memo of `ClientFingerprints`, keyed by exactly what JA3 and JA4
/// are computed from: the same client software sends the same lists on every
/// connection, and building the texts and their MD5 and SHA-256 was 12% of a
/// `--summary` run on handshake-dense traffic (callgrind). Clients that
/// randomise GREASE values or extension order simply miss.
///
/// Bounded, oldest first (`BoundedMemo`); one per analyzer (per thread).
public struct ClientFingerprintCache: Sendable {
    private var memo: BoundedMemo<FingerprintInputs, ClientFingerprints>

    /// Hellos whose lists hold more values than this are fingerprinted each
    /// time, never kept: real clients send a few hundred at most, a crafted
    /// hello up to a 256 KiB message of them (and a JA3 text six times that).
    public static let maxCachedListValues = 1024

    public init(capacity: Int = 1024) {
        memo = BoundedMemo(capacity: capacity, maxEntryCost: Self.maxCachedListValues)
    }

    public var capacity: Int { memo.capacity }
    public var count: Int { memo.count }
    public var hits: Int { memo.hits }
    public var misses: Int { memo.misses }

    /// `transport` is JA4's first character: the same hello over QUIC is another fingerprint.
    public mutating func fingerprints(_ hello: ClientHello, transport: JA4Transport = .tcp) -> ClientFingerprints {
        memo.value(for: FingerprintInputs(hello, transport: transport), cost: Self.listValues(hello)) {
            ClientFingerprints(hello, transport: transport)
        }
    }

    /// Values in the lists a fingerprint reads (the ALPN value counted by bytes).
    static func listValues(_ hello: ClientHello) -> Int {
        hello.cipherSuites.count + hello.sslv2CipherKinds.count + hello.extensionTypes.count
            + hello.supportedGroups.count + hello.ecPointFormats.count + hello.signatureAlgorithms.count
            + hello.supportedVersions.count + (hello.alpn.first?.count ?? 0)
    }
}

/// Every ClientHello field JA3 or JA4 reads; equal inputs give equal fingerprints.
private struct FingerprintInputs: Hashable, Sendable {
    let legacyVersion: UInt16
    let isSSLv2: Bool
    let sslv2CipherKinds: [UInt32]
    let cipherSuites: [UInt16]
    let extensionTypes: [UInt16]
    let supportedGroups: [UInt16]
    let ecPointFormats: [UInt8]
    let signatureAlgorithms: [UInt16]
    let supportedVersions: [UInt16]
    let firstALPN: [UInt8]?
    let transport: JA4Transport

    init(_ hello: ClientHello, transport: JA4Transport) {
        self.transport = transport
        legacyVersion = hello.legacyVersion
        isSSLv2 = hello.isSSLv2
        sslv2CipherKinds = hello.sslv2CipherKinds
        cipherSuites = hello.cipherSuites
        extensionTypes = hello.extensionTypes
        supportedGroups = hello.supportedGroups
        ecPointFormats = hello.ecPointFormats
        signatureAlgorithms = hello.signatureAlgorithms
        supportedVersions = hello.supportedVersions
        firstALPN = hello.alpn.first
    }

    /// One keyed pass per list (the synthesized hash feeds SipHash element by element).
    func hash(into hasher: inout Hasher) {
        hasher.combine(legacyVersion)
        hasher.combine(isSSLv2)
        hasher.combine(sslv2CipherKinds.withUnsafeBytes { KeyedByteHash.hash($0) })
        hasher.combine(cipherSuites.withUnsafeBytes { KeyedByteHash.hash($0) })
        hasher.combine(extensionTypes.withUnsafeBytes { KeyedByteHash.hash($0) })
        hasher.combine(supportedGroups.withUnsafeBytes { KeyedByteHash.hash($0) })
        hasher.combine(ecPointFormats.withUnsafeBytes { KeyedByteHash.hash($0) })
        hasher.combine(signatureAlgorithms.withUnsafeBytes { KeyedByteHash.hash($0) })
        hasher.combine(supportedVersions.withUnsafeBytes { KeyedByteHash.hash($0) })
        hasher.combine(firstALPN.map { $0.withUnsafeBytes { KeyedByteHash.hash($0) } })
        hasher.combine(transport)
    }
}
