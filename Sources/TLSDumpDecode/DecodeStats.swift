/// Counters kept by `PacketDecoder`. Every packet lands in exactly one of
/// `tcp`, `udp`, `nonTCP`, `malformed`, `truncated`, `unsupportedLink`, `heldFragments`
/// (so they sum to `packets`); the rest are side counters.
public struct DecodeStats: Sendable, Equatable {
    public var packets = 0
    /// Packets that produced a TCP segment (including reassembled datagrams).
    public var tcp = 0
    /// Packets that produced a UDP datagram (only when the decoder decodes UDP).
    public var udp = 0
    /// Well-formed packets that are not TCP (nor UDP, when decoded): ARP, ICMP, ESP, unknown EtherTypes...
    public var nonTCP = 0
    /// Headers that contradict themselves (bad version, lengths below minimum or past the datagram).
    public var malformed = 0
    /// Headers cut off by the end of the captured bytes (snapshot length).
    public var truncated = 0
    /// Link headers whose encapsulation is not understood (e.g. unknown loopback address family).
    public var unsupportedLink = 0
    /// Fragments taken by the reassembler that did not complete a datagram.
    public var heldFragments = 0

    /// TCP segments delivered with fewer payload bytes than the IP header announced.
    public var payloadTruncated = 0
    /// Packets decapsulated from GRE or IP-in-IP.
    public var tunneled = 0
    /// IPv4/IPv6 fragments seen.
    public var ipFragments = 0
    /// Datagrams completed by reassembly.
    public var ipReassembled = 0
    /// Fragments thrown away: timed out, over a cap, inconsistent, or cut by the snapshot length.
    public var ipFragmentsDropped = 0
    /// Fragments that overlapped bytes already received (first arrival wins).
    public var ipFragmentOverlaps = 0

    public init() {}

    /// Adds another decoder's counters (`LinkTypeDecoders`).
    public mutating func add(_ other: DecodeStats) {
        packets += other.packets
        tcp += other.tcp
        udp += other.udp
        nonTCP += other.nonTCP
        malformed += other.malformed
        truncated += other.truncated
        unsupportedLink += other.unsupportedLink
        heldFragments += other.heldFragments
        payloadTruncated += other.payloadTruncated
        tunneled += other.tunneled
        ipFragments += other.ipFragments
        ipReassembled += other.ipReassembled
        ipFragmentsDropped += other.ipFragmentsDropped
        ipFragmentOverlaps += other.ipFragmentOverlaps
    }
}
