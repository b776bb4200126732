import TLSDumpBase

/// A ClientHello, TLS or SSLv2-compatible. Lists keep wire order and GREASE values
/// (consumers filter with `TLSRegistry.isGREASE`).
public struct ClientHello: Sendable, Equatable {
    public var legacyVersion: UInt16 = 0
    public var random: [UInt8] = []
    public var sessionID: [UInt8] = []
    public var cipherSuites: [UInt16] = []
    /// SSLv2-compatible hellos list 3-byte cipher kinds; TLS suites appear as 0x00XXXX.
    public var sslv2CipherKinds: [UInt32] = []
    public var compressionMethods: [UInt8] = []
    public var extensionTypes: [UInt16] = []
    public var serverName: String?
    public var alpn: [[UInt8]] = []
    public var supportedGroups: [UInt16] = []
    public var ecPointFormats: [UInt8] = []
    public var signatureAlgorithms: [UInt16] = []
    public var supportedVersions: [UInt16] = []
    public var keyShareGroups: [UInt16] = []
    /// RFC 5077 session_ticket: where the ticket offered lies in the parsed body (empty: the
    /// client asks for one; nil: no extension). Offsets, not a copy: only decryption reads it.
    public var sessionTicketRange: Range<Int>?
    /// The key_share entries with their key lengths, in wire order (at most `maxKeyShares`).
    public var keyShares: [KeyShareOffer] = []
    /// The encrypted_client_hello extension (RFC 9849), as seen; nil when absent or malformed.
    public var ech: ECHClientHello?
    /// The encrypted_client_hello extension was there but did not parse.
    public var echMalformed = false
    /// compress_certificate (RFC 8879): algorithms the client can decompress, wire order.
    public var certificateCompressionAlgorithms: [UInt16] = []
    public var hasRenegotiationInfo = false
    public var renegotiationInfoLength = 0
    public var isSSLv2 = false
    /// The QUIC transport parameters extension's body, raw (QUIC decodes it);
    /// nil when absent or over `maxTransportParametersBytes`.
    public var quicTransportParameters: [UInt8]?
    public static let maxTransportParametersBytes = 4096
    /// Clients send one to three shares; more is a hostile list (its groups are still in `keyShareGroups`).
    public static let maxKeyShares = 64

    public init() {}

    /// RFC 5746: the renegotiation_info extension or the signalling suite.
    public var offersSecureRenegotiation: Bool {
        hasRenegotiationInfo || cipherSuites.contains(0x00ff) || sslv2CipherKinds.contains(0x0000ff)
    }

    /// The highest version the client offers (supported_versions wins over legacy_version).
    public var highestVersion: UInt16 {
        supportedVersions.filter { $0 & 0x0f0f != 0x0a0a || $0 >> 8 != $0 & 0xff }.max() ?? legacyVersion
    }

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> ClientHello {
        var r = ByteReader(body)
        var hello = ClientHello()
        hello.legacyVersion = try r.u16()
        hello.random = try r.array(32)
        hello.sessionID = Array(try r.vector(lengthBytes: 1).bytes)
        hello.cipherSuites = try r.u16List(lengthBytes: 2)
        hello.compressionMethods = Array(try r.vector(lengthBytes: 1).bytes)
        var seen = Set<UInt16>()
        var oldKeyShare: RawExtension?
        for ext in try r.extensions() {
            // A repeated extension is illegal; like tshark and the JA4 reference, the first copy counts.
            let repeated = !seen.insert(ext.type).inserted
            hello.extensionTypes.append(ext.type)
            // A malformed extension body is tolerated: the type list stays exact.
            if !repeated { do throws(ParseError) { try hello.read(ext) } catch {} }
            if !repeated && ext.type == ServerHello.draftKeyShare { oldKeyShare = ext }
            if !repeated && ext.type == ExtensionType.sessionTicket, let base = body.baseAddress, let start = ext.body.baseAddress {
                let offset = start - base
                hello.sessionTicketRange = offset..<(offset + ext.body.count)
            }
        }
        // Drafts before 23 sent key_share as extension 40: read it there when no extension 51 came
        // and the versions offered are all of that layout (the legacy version for Google's 0x7eNN).
        if hello.keyShareGroups.isEmpty, let oldKeyShare {
            let offered = hello.supportedVersions.isEmpty ? [hello.legacyVersion] : hello.supportedVersions
            let tls13 = offered.filter { ProtocolVersion.isTLS13Family($0) }
            if !tls13.isEmpty && tls13.allSatisfy({ TLS13DraftRules(version: $0).keyShareExtension == ServerHello.draftKeyShare }) {
                var copy = oldKeyShare
                copy.type = ExtensionType.keyShare
                do throws(ParseError) { try hello.read(copy) } catch {}
            }
        }
        return hello
    }

    private mutating func read(_ ext: RawExtension) throws(ParseError) {
        var r = ByteReader(ext.body)
        switch ext.type {
        case ExtensionType.serverName:
            var list = try r.vector(lengthBytes: 2)
            while !list.isAtEnd {
                let nameType = try list.u8()
                let name = try list.vector(lengthBytes: 2)
                if nameType == 0 && serverName == nil {
                    serverName = String(decoding: name.bytes, as: UTF8.self)
                }
            }
        case ExtensionType.alpn:
            var list = try r.vector(lengthBytes: 2)
            while !list.isAtEnd { alpn.append(Array(try list.vector(lengthBytes: 1).bytes)) }
        case ExtensionType.supportedGroups:
            supportedGroups = try r.u16List(lengthBytes: 2)
        case ExtensionType.ecPointFormats:
            ecPointFormats = Array(try r.vector(lengthBytes: 1).bytes)
        case ExtensionType.signatureAlgorithms:
            signatureAlgorithms = try r.u16List(lengthBytes: 2)
        case ExtensionType.supportedVersions:
            supportedVersions = try r.u16List(lengthBytes: 1)
        case ExtensionType.renegotiationInfo:
            hasRenegotiationInfo = true
            renegotiationInfoLength = try r.vector(lengthBytes: 1).remaining
        case ExtensionType.keyShare:
            var list = try r.vector(lengthBytes: 2)
            while !list.isAtEnd {
                let group = try list.u16()
                let key = try list.vector(lengthBytes: 2)
                keyShareGroups.append(group)
                if keyShares.count < Self.maxKeyShares { keyShares.append(KeyShareOffer(group: group, length: key.remaining)) }
            }
        case ExtensionType.encryptedClientHello:
            do throws(ParseError) {
                ech = try ECHClientHello.parse(ext.body)
            } catch {
                echMalformed = true
            }
        case ExtensionType.compressCertificate:
            certificateCompressionAlgorithms = try r.u16List(lengthBytes: 1)
        case ExtensionType.quicTransportParameters, ExtensionType.quicTransportParametersDraft:
            if quicTransportParameters == nil && ext.body.count <= Self.maxTransportParametersBytes {
                quicTransportParameters = Array(ext.body)
            }
        default:
            break
        }
    }

    /// SSLv2 CLIENT-HELLO (RFC 6101 appendix E / draft-hickman): the body after the 2-byte record header.
    public static func parseSSLv2(_ body: UnsafeRawBufferPointer) throws(ParseError) -> ClientHello {
        var r = ByteReader(body)
        guard try r.u8() == 1 else { throw .malformed("not an SSLv2 CLIENT-HELLO") }
        var hello = ClientHello()
        hello.isSSLv2 = true
        hello.legacyVersion = try r.u16()
        let specsLength = Int(try r.u16())
        let sessionIDLength = Int(try r.u16())
        let challengeLength = Int(try r.u16())
        guard specsLength % 3 == 0 else { throw .malformed("SSLv2 cipher specs length \(specsLength) is not a multiple of 3") }
        // The record is complete: lengths past its end are malformed, not a reason to wait.
        guard specsLength + sessionIDLength + challengeLength <= r.remaining else { throw .malformed("SSLv2 CLIENT-HELLO lengths run past the record") }
        var specs = ByteReader(try r.slice(specsLength))
        while !specs.isAtEnd {
            let kind = UInt32(try specs.u8()) << 16 | UInt32(try specs.u16())
            hello.sslv2CipherKinds.append(kind)
            if kind >> 16 == 0 { hello.cipherSuites.append(UInt16(truncatingIfNeeded: kind)) }
        }
        hello.sessionID = try r.array(sessionIDLength)
        let challenge = try r.array(challengeLength)
        // The TLS random is the challenge right-aligned in 32 bytes (RFC 5246 appendix E.2).
        hello.random = [UInt8](repeating: 0, count: Swift.max(0, 32 - challenge.count)) + challenge.suffix(32)
        hello.compressionMethods = [0]
        return hello
    }
}

/// A ServerHello or HelloRetryRequest.
public struct ServerHello: Sendable, Equatable {
    public var legacyVersion: UInt16 = 0
    public var random: [UInt8] = []
    public var sessionID: [UInt8] = []
    public var cipherSuite: UInt16 = 0
    public var compressionMethod: UInt8 = 0
    public var extensionTypes: [UInt16] = []
    public var selectedVersion: UInt16?
    public var alpn: [UInt8]?
    public var hasRenegotiationInfo = false
    /// The key_share's group: the server's choice, or in a HelloRetryRequest the group it demands.
    public var keyShareGroup: UInt16?
    /// A HelloRetryRequest's encrypted_client_hello extension (8 confirmation bytes, RFC 9849 7.2.1).
    public var hasECHExtension = false
    public var hasPreSharedKey = false
    /// The signed_certificate_timestamp extension's body (an SCT list, RFC 6962 3.3.1), when sent.
    public var signedCertificateTimestamps: [UInt8]?
    public var isHelloRetryRequest = false
    public var isSSLv2 = false
    /// SSLv2 SERVER-HELLO carries the certificate and the cipher kinds it accepts.
    public var sslv2Certificate: [UInt8]?
    public var sslv2CipherKinds: [UInt32] = []

    public init() {}

    /// The version in force: supported_versions when present, else legacy_version.
    public var negotiatedVersion: UInt16 { selectedVersion ?? legacyVersion }

    /// key_share's codepoint in TLS 1.3 drafts before 23 ("key_share_old").
    static let draftKeyShare: UInt16 = 40

    /// SHA-256("HelloRetryRequest"), the fixed random of an HRR (RFC 8446 4.1.3).
    public static let helloRetryRandom: [UInt8] = [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ]

    /// Two layouts: TLS 1.3 drafts before 22 (draft-ietf-tls-tls13-14 4.1.3 and on to -21)
    /// have no session id and no compression method; every other version has both.
    /// A draft version (0x7f00-0x7f15) reads the draft layout; 0x0304 in the version field
    /// (what drafts before 16 specified there, before supported_versions) reads whichever
    /// layout parses exactly, the standard one first.
    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> ServerHello {
        var probe = ByteReader(body)
        let version = try probe.u16()
        let draft = version >> 8 == 0x7f && version & 0xff < 22
        guard version == ProtocolVersion.tls13 else { return try parse(body, draftLayout: draft, exact: false) }
        do {
            return try parse(body, draftLayout: false, exact: true)
        } catch {
            return try parse(body, draftLayout: true, exact: false)
        }
    }

    private static func parse(_ body: UnsafeRawBufferPointer, draftLayout: Bool, exact: Bool) throws(ParseError) -> ServerHello {
        var r = ByteReader(body)
        var hello = ServerHello()
        hello.legacyVersion = try r.u16()
        hello.random = try r.array(32)
        if !draftLayout {
            hello.sessionID = Array(try r.vector(lengthBytes: 1).bytes)
        }
        hello.cipherSuite = try r.u16()
        if !draftLayout {
            hello.compressionMethod = try r.u8()
        }
        hello.isHelloRetryRequest = hello.random == ServerHello.helloRetryRandom
        if draftLayout { hello.selectedVersion = hello.legacyVersion }
        // key_share was extension 40 until draft 23 moved it to 51 (`TLS13DraftRules.keyShareExtension`):
        // read it there when the version field says an old draft (Google's 0x7eNN included), or,
        // after the loop, when supported_versions selected one.
        let draftKeyShareCodepoint = draftLayout || TLS13DraftRules(version: hello.legacyVersion).keyShareExtension == draftKeyShare
        var oldKeyShareGroup: UInt16?
        if exact {
            // Only a layout that accounts for every byte counts as read.
            var check = r
            _ = try check.extensions()
            guard check.isAtEnd else { throw .malformed("bytes after the ServerHello's extensions") }
        }
        var seen = Set<UInt16>()
        for ext in try r.extensions() {
            let repeated = !seen.insert(ext.type).inserted
            hello.extensionTypes.append(ext.type)
            if repeated { continue }
            var e = ByteReader(ext.body)
            do throws(ParseError) {
                switch ext.type {
                case ExtensionType.supportedVersions:
                    hello.selectedVersion = try e.u16()
                case ExtensionType.alpn:
                    var list = try e.vector(lengthBytes: 2)
                    hello.alpn = Array(try list.vector(lengthBytes: 1).bytes)
                case ExtensionType.renegotiationInfo:
                    hello.hasRenegotiationInfo = true
                case ExtensionType.keyShare:
                    hello.keyShareGroup = try e.u16()
                case ServerHello.draftKeyShare where draftKeyShareCodepoint:
                    hello.keyShareGroup = try e.u16()
                case ServerHello.draftKeyShare:
                    oldKeyShareGroup = try e.u16()
                case ExtensionType.preSharedKey:
                    hello.hasPreSharedKey = true
                case ExtensionType.encryptedClientHello:
                    hello.hasECHExtension = true
                case ExtensionType.signedCertificateTimestamp:
                    hello.signedCertificateTimestamps = Array(ext.body)
                default:
                    break
                }
            } catch {}
        }
        if hello.keyShareGroup == nil, let oldKeyShareGroup, let selected = hello.selectedVersion,
           TLS13DraftRules(version: selected).keyShareExtension == draftKeyShare {
            hello.keyShareGroup = oldKeyShareGroup
        }
        return hello
    }

    /// SSLv2 SERVER-HELLO: the body after the record header.
    public static func parseSSLv2(_ body: UnsafeRawBufferPointer) throws(ParseError) -> ServerHello {
        var r = ByteReader(body)
        guard try r.u8() == 4 else { throw .malformed("not an SSLv2 SERVER-HELLO") }
        var hello = ServerHello()
        hello.isSSLv2 = true
        _ = try r.u8()                       // session id hit
        _ = try r.u8()                       // certificate type
        hello.legacyVersion = try r.u16()
        let certificateLength = Int(try r.u16())
        let specsLength = Int(try r.u16())
        let connectionIDLength = Int(try r.u16())
        guard certificateLength + specsLength + connectionIDLength <= r.remaining else { throw .malformed("SSLv2 SERVER-HELLO lengths run past the record") }
        let certificate = try r.array(certificateLength)
        if !certificate.isEmpty { hello.sslv2Certificate = certificate }
        guard specsLength % 3 == 0 else { throw .malformed("SSLv2 cipher specs length \(specsLength) is not a multiple of 3") }
        var specs = ByteReader(try r.slice(specsLength))
        while !specs.isAtEnd { hello.sslv2CipherKinds.append(UInt32(try specs.u8()) << 16 | UInt32(try specs.u16())) }
        return hello
    }
}

/// SSLv2 CLIENT-MASTER-KEY: names the cipher kind the client chose (in clear).
public struct SSLv2ClientMasterKey: Sendable, Equatable {
    public var cipherKind: UInt32

    public static func parse(_ body: UnsafeRawBufferPointer) throws(ParseError) -> SSLv2ClientMasterKey {
        var r = ByteReader(body)
        guard try r.u8() == 2 else { throw .malformed("not an SSLv2 CLIENT-MASTER-KEY") }
        let kind = UInt32(try r.u8()) << 16 | UInt32(try r.u16())
        return SSLv2ClientMasterKey(cipherKind: kind)
    }
}
