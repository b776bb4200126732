import TLSDumpAnalysis
import TLSDumpCapture

/// `--write-flagged FILE`: the packets of the connections that earned a finding
/// at or above a severity, written to a pcap for a closer look in Wireshark.
///
/// Instead of buffering every connection's packets until its findings are known,
/// the capture file is read a second time through a BPF filter of the flagged
/// connections' addresses and ports (so stdin and live capture cannot be used).
/// Packets the filter cannot see into (IP fragments after the first, tunnels)
/// are left out.
struct FlaggedConnections {
    /// One TCP connection by its endpoints, as the BPF filter names it.
    struct Tuple: Hashable {
        var clientIP: String
        var clientPort: UInt16
        var serverIP: String
        var serverPort: UInt16

        var bpf: String {
            "(src host \(clientIP) and src port \(clientPort) and dst host \(serverIP) and dst port \(serverPort))"
                + " or (src host \(serverIP) and src port \(serverPort) and dst host \(clientIP) and dst port \(clientPort))"
        }
    }

    /// More than this many and the BPF program gets unwieldy; the rest are left out (with a warning).
    static let maxConnections = 2000

    let threshold: Severity
    private(set) var tuples: [Tuple] = []
    private var seen: Set<Tuple> = []
    private(set) var overflow = 0

    init(threshold: Severity) { self.threshold = threshold }

    mutating func note(_ event: Event) {
        guard case .finding(let f) = event.body, f.severity >= threshold, let flow = event.flow else { return }
        let tuple = Tuple(clientIP: flow.client.ip.description, clientPort: flow.client.port,
                          serverIP: flow.server.ip.description, serverPort: flow.server.port)
        guard !seen.contains(tuple) else { return }
        guard tuples.count < Self.maxConnections else { overflow += 1; return }
        seen.insert(tuple)
        tuples.append(tuple)
    }

    /// Reads `input` again and writes the flagged connections' packets to `path`.
    /// An empty pcap when nothing was flagged. Returns the packets written.
    func write(from input: String, narrowedBy captureFilter: String, to path: String) throws -> Int {
        let reader = try PcapReader.open(path: input)
        defer { reader.close() }
        let dumper = try reader.openDumper(path: path)
        defer { dumper.close() }
        guard !tuples.isEmpty else { return 0 }
        let connections = tuples.map(\.bpf).joined(separator: " or ")
        // VLAN-tagged frames need the `vlan` keyword before BPF looks past the tag.
        var expression = "(tcp and (\(connections))) or (vlan and tcp and (\(connections)))"
        if !captureFilter.isEmpty { expression = "(\(captureFilter)) and (\(expression))" }
        try reader.setFilter(expression)
        var written = 0
        _ = reader.forEachPacket { header, bytes in
            dumper.write(header, bytes)
            written += 1
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
