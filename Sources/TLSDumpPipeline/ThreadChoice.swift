import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode

/// How many analysis threads a file gets when `--threads` is not given.
///
/// Workers pay where analysis outweighs reading: handshakes (hellos,
/// certificates, events) cost microseconds a packet, bulk records almost
/// nothing. Measured on the two bench files (2 cores): two workers made the
/// handshake-dense file 1.55x faster, the bulk-transfer file no faster (the
/// reading thread, which decodes and deals every packet out, is the bound;
/// issue 15 saw it 0.69x as fast). So the start of the file is sampled: when
/// at least `minimumShare` of its TCP packets open a connection (SYN) or
/// begin a TLS handshake record, it gets one thread per core, else one.
public struct ThreadChoice: Sendable, Equatable {
    /// TCP packets in the sample; those that open a connection; those starting a handshake record.
    public var tcpPackets = 0
    public var connectionStarts = 0
    public var handshakePackets = 0

    /// Packets and bytes sampled at most (a few milliseconds of reading).
    public static let samplePackets = 10_000
    public static let sampleBytes = 8 << 20
    /// The sample of the bench files: handshake-dense 39%, bulk 2.3%, 100 and
    /// 100,000 concurrent connections (bench-scale) 19% and 94%; whole corpus
    /// captures 0-36% (median 15%).
    public static let minimumShare = 0.05

    public init() {}

    /// Samples the start of `path`, through the run's BPF `filter` (the
    /// packets the analysis will see); nil when the file cannot be read as a
    /// capture or the filter is refused (the run itself then reports why).
    public static func sample(path: String, filter: String = "") -> ThreadChoice? {
        sample(paths: [path], filter: filter)
    }

    /// The same for several files: the start of the merged input, so of the
    /// first file in time order.
    public static func sample(paths: [String], filter: String = "") -> ThreadChoice? {
        let source: PacketSource
        do {
            source = try CaptureSet.source(paths: paths, supported: PacketDecoder.isSupported)
        } catch {
            return nil
        }
        defer { source.close() }
        if !filter.isEmpty {
            do { try source.setFilter(filter) } catch { return nil }
        }
        guard var decoder = try? LinkTypeDecoders(linkTypes: source.linkTypes) else { return nil }
        var choice = ThreadChoice()
        var packets = 0, bytes = 0
        _ = source.forEachPacket { header, data in
            packets += 1
            bytes += data.count
            if let segment = decoder.decode(data, linkType: header.linkType, timestamp: header.timestamp) {
                choice.tcpPackets += 1
                if segment.flags.contains(.syn) && !segment.flags.contains(.ack) { choice.connectionStarts += 1 }
                // A TLS record header: handshake (22), major version 3.
                let payload = segment.payload
                if payload.count >= 5 && payload[0] == 22 && payload[1] == 3 { choice.handshakePackets += 1 }
            }
            return packets < samplePackets && bytes < sampleBytes
        }
        return choice
    }

    /// Share of the sampled TCP packets that open a connection or begin a handshake.
    public var share: Double {
        tcpPackets == 0 ? 0 : Double(connectionStarts + handshakePackets) / Double(tcpPackets)
    }

    /// `cores` when the sample is handshake-dense, else 1.
    public func threads(cores: Int) -> Int {
        share >= Self.minimumShare ? max(1, cores) : 1
    }
}
