import TLSDumpAnalysis
import TLSDumpCapture
import TLSDumpDecode
import TLSDumpFlow

/// `--write-flagged FILE`: the packets of the connections that earned a finding
/// at or above a severity, written to a pcap for a closer look in Wireshark.
///
/// Instead of buffering every connection's packets until its findings are known,
/// the capture file is read a second time (so stdin and live capture cannot be
/// used): each packet is decoded as in the analysis and kept when its
/// connection is in the flagged set. One hash lookup a packet, whatever the
/// number of flagged connections (a BPF expression of them took minutes for a
/// few hundred). Like the analysis, this sees through VLAN tags and tunnels;
/// of an IP datagram in fragments, only the packet that completes it is kept.
struct FlaggedConnections {
    /// Flagged connections kept at most (about 100 bytes each); the rest are
    /// left out, with a warning.
    static let maxConnections = 1_000_000

    let threshold: Severity
    private var flagged: Set<FlowKey> = []
    private(set) var overflow = 0

    init(threshold: Severity) { self.threshold = threshold }

    var count: Int { flagged.count }

    mutating func note(_ event: Event) {
        guard case .finding(let f) = event.body, f.severity >= threshold, let flow = event.flow else { return }
        let key = FlowKey.make(source: flow.client, destination: flow.server).key
        guard !flagged.contains(key) else { return }
        guard flagged.count < Self.maxConnections else { overflow += 1; return }
        flagged.insert(key)
    }

    /// Reads the input files again and writes the flagged connections' packets
    /// to `path` (one file for several inputs: pcapng when their link types
    /// differ). An empty capture when nothing was flagged. Returns the packets written.
    func write(from inputs: [String], narrowedBy captureFilter: String, to path: String) throws -> Int {
        let source = try CaptureSet.source(paths: inputs, supported: PacketDecoder.isSupported)
        defer { source.close() }
        let dumper = try source.openDumper(path: path)
        defer { dumper.close() }
        guard !flagged.isEmpty else { return 0 }
        if !captureFilter.isEmpty { try source.setFilter(captureFilter) }
        var decoder = try LinkTypeDecoders(linkTypes: source.linkTypes)
        var written = 0
        _ = source.forEachPacket { header, bytes in
            guard let segment = decoder.decode(bytes, linkType: header.linkType, timestamp: header.timestamp) else { return true }
            let key = FlowKey.make(source: Endpoint(ip: segment.source, port: segment.sourcePort),
                                   destination: Endpoint(ip: segment.destination, port: segment.destinationPort)).key
            if flagged.contains(key) {
                dumper.write(header, bytes)
                written += 1
            }
            return true
        }
        dumper.flush()
        if let failure = dumper.failure { throw FlaggedWriteError(message: failure) }
        return written
    }
}

struct FlaggedWriteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
