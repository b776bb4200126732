import CPcap
import TLSDumpBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes packets to a capture file (`-w`, `--write-flagged`): a pcap savefile
/// through libpcap's `pcap_dump`, the format tcpdump writes, or a pcapng file
/// (`PcapngWriter`) when a capture set's files have different link types.
/// Not thread-safe.
public final class PacketDumper {
    /// Where the packets go.
    enum Backend {
        case pcap(OpaquePointer)
        case pcapng(PcapngWriter)
    }

    public let path: String
    private var backend: Backend?
    private let nanosecondTimestamps: Bool
    /// Set once a flush failed (disk full, ...); later writes are dropped.
    public private(set) var failure: String?

    init(_ dumper: OpaquePointer, path: String, nanosecondTimestamps: Bool) {
        self.backend = .pcap(dumper)
        self.path = path
        self.nanosecondTimestamps = nanosecondTimestamps
    }

    init(pcapng writer: PcapngWriter, path: String) {
        self.backend = .pcapng(writer)
        self.path = path
        self.nanosecondTimestamps = true
    }

    deinit { close() }

    /// Appends one packet (buffered by stdio; `flush` makes it visible to readers).
    public func write(_ header: PacketHeader, _ bytes: UnsafeRawBufferPointer) {
        guard let backend, failure == nil, let base = bytes.baseAddress else { return }
        switch backend {
        case .pcapng(let writer):
            writer.write(header, bytes)
        case .pcap(let dumper):
            let ts = header.timestamp
            let seconds = ts.seconds
            let fraction = ts.nanoseconds &- seconds &* 1_000_000_000
            var pkthdr = pcap_pkthdr()
            pkthdr.ts.tv_sec = Int(truncatingIfNeeded: seconds)
            pkthdr.ts.tv_usec = Int(truncatingIfNeeded: nanosecondTimestamps ? fraction : fraction / 1_000)
            pkthdr.caplen = bpf_u_int32(truncatingIfNeeded: bytes.count)
            pkthdr.len = bpf_u_int32(truncatingIfNeeded: header.wireLength)
            // pcap_dump's first argument is the pcap_dumper_t, typed as `u_char *` for pcap_loop callbacks.
            pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &pkthdr,
                      base.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Pushes buffered packets to the file. Returns false (and sets `failure`) when writing failed.
    @discardableResult
    public func flush() -> Bool {
        guard let backend, failure == nil else { return failure == nil }
        let flushed: Bool
        switch backend {
        case .pcap(let dumper): flushed = pcap_dump_flush(dumper) == 0
        case .pcapng(let writer): flushed = writer.flush()
        }
        if !flushed {
            failure = "writing \(path) failed: \(String(cString: strerror(errno)))"
            return false
        }
        return true
    }

    public func close() {
        guard let backend else { return }
        flush()
        switch backend {
        case .pcap(let dumper): pcap_dump_close(dumper)
        case .pcapng(let writer): writer.close()
        }
        self.backend = nil
    }
}
