/// The link-layer framings the decoder understands, keyed by the DLT value
/// libpcap reports (and the LINKTYPE values some files carry unmapped).
enum LinkLayer: Sendable {
    case ethernet
    /// Linux "cooked" capture v1: 16-byte header, EtherType at offset 14.
    case linuxCooked
    /// Linux "cooked" capture v2: 20-byte header, EtherType at offset 0.
    case linuxCooked2
    /// Bare IP; the version nibble says which.
    case rawIP
    case ipv4
    case ipv6
    /// BSD loopback: a 4-byte address family in host (DLT_NULL) or network (DLT_LOOP) order.
    case bsdLoopback
    /// PPP (RFC 1661), optionally with HDLC address and control bytes (ff 03) first,
    /// then a 1- or 2-byte protocol number (RFC 1661 2: protocol field compression).
    case ppp

    static let byLinkType: [Int32: LinkLayer] = [
        0: .bsdLoopback,    // DLT_NULL
        1: .ethernet,       // DLT_EN10MB
        9: .ppp,            // DLT_PPP
        50: .ppp,           // DLT_PPP_SERIAL (HDLC-like framing, RFC 1662)
        12: .rawIP,         // DLT_RAW (most systems)
        14: .rawIP,         // DLT_RAW (OpenBSD)
        101: .rawIP,        // LINKTYPE_RAW
        108: .bsdLoopback,  // DLT_LOOP
        113: .linuxCooked,  // DLT_LINUX_SLL
        228: .ipv4,         // LINKTYPE_IPV4
        229: .ipv6,         // LINKTYPE_IPV6
        276: .linuxCooked2, // DLT_LINUX_SLL2
    ]

    init?(linkType: Int32) {
        guard let layer = Self.byLinkType[linkType] else { return nil }
        self = layer
    }
}

/// PPP protocol numbers carrying IP (RFC 1332, RFC 5072).
enum PPPProtocol {
    static let ipv4: UInt16 = 0x0021
    static let ipv6: UInt16 = 0x0057
}

enum EtherType {
    static let ipv4: UInt16 = 0x0800
    static let ipv6: UInt16 = 0x86DD
    /// GRE "transparent Ethernet bridging": an Ethernet frame follows.
    static let transparentEthernet: UInt16 = 0x6558
    /// 802.1Q, 802.1ad (QinQ) and the pre-standard QinQ values.
    static let vlanTags: [UInt16] = [0x8100, 0x88A8, 0x9100, 0x9200, 0x9300]
}

enum LoopbackFamily {
    static let ipv4: [UInt32] = [2]
    /// AF_INET6 differs per BSD: NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30.
    static let ipv6: [UInt32] = [24, 28, 30]
}

enum IPProtocol {
    static let ipv4InIP: UInt8 = 4
    static let tcp: UInt8 = 6
    static let udp: UInt8 = 17
    static let ipv6InIP: UInt8 = 41
    static let gre: UInt8 = 47
}

/// How an IPv6 next-header value is walked. A 256-entry table, built once.
enum IPv6HeaderKind: Sendable {
    /// Not an extension header: the upper-layer protocol starts here.
    case upperLayer
    /// Length byte counts 8-octet units beyond the first 8 (hop-by-hop, routing, destination options, mobility, HIP, shim6).
    case generic
    /// Authentication Header: length counts 4-octet units minus 2.
    case authentication
    case fragment
    /// ESP or "no next header": nothing further can be decoded.
    case opaque

    static let table: [IPv6HeaderKind] = {
        var table = [IPv6HeaderKind](repeating: .upperLayer, count: 256)
        for value in [0, 43, 60, 135, 139, 140] { table[value] = .generic }
        table[51] = .authentication
        table[44] = .fragment
        table[50] = .opaque
        table[59] = .opaque
        return table
    }()
}
