import CPcap
import TLSDumpBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one `pcap_t` and implements what offline and live captures share:
/// link type, BPF filter, statistics, writing packets and the `pcap_next_ex`
/// loop. Not thread-safe.
final class PcapHandle {
    private var pcap: OpaquePointer?
    /// Whether `pcap_pkthdr.ts.tv_usec` holds nanoseconds (the handle was
    /// opened or activated with PCAP_TSTAMP_PRECISION_NANO).
    let nanosecondTimestamps: Bool

    /// A live handle in non-blocking mode: the descriptor to wait on, and for how long.
    private var wait: (descriptor: Int32, milliseconds: Int32)?

    /// Takes ownership of an open (or activated) `pcap_t`.
    init(_ pcap: OpaquePointer, nanosecondTimestamps: Bool = true) {
        self.pcap = pcap
        self.nanosecondTimestamps = nanosecondTimestamps
    }

    /// Switches a live handle to non-blocking reads and waits for packets
    /// with poll(2) for at most `milliseconds`: on Linux a blocking read never
    /// returns on its timeout (libpcap polls again), so this is how the loop
    /// gets its regular ticks. Returns false where there is no selectable
    /// descriptor; the handle then stays blocking.
    func pollWithTimeout(milliseconds: Int32) -> Bool {
        guard let pcap else { return false }
        let descriptor = pcap_get_selectable_fd(pcap)
        guard descriptor >= 0 else { return false }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard pcap_setnonblock(pcap, 1, &errorBuffer) == 0 else { return false }
        wait = (descriptor, milliseconds)
        return true
    }

    /// Nothing to read on a non-blocking handle: sleeps until a packet may be
    /// there (true) or the timeout passed or a signal arrived (false).
    private func waitForPacket() -> Bool {
        guard let wait else { return false }
        var entry = pollfd(fd: wait.descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, wait.milliseconds) > 0
    }

    deinit { close() }

    /// A handle with no capture behind it, for one link type: compiles
    /// filters and opens pcap dumpers (`CaptureSet`, whose files are opened later).
    static func dead(linkType: Int32, snapshotLength: Int) -> PcapHandle? {
        guard let pcap = pcap_open_dead_with_tstamp_precision(linkType, Int32(clamping: snapshotLength),
                                                              UInt32(PCAP_TSTAMP_PRECISION_NANO)) else { return nil }
        return PcapHandle(pcap)
    }

    var isOpen: Bool { pcap != nil }

    var linkType: Int32 {
        guard let pcap else { return -1 }
        return pcap_datalink(pcap)
    }

    /// Read once: every packet's header carries it.
    private lazy var cachedLinkType: Int32 = linkType

    var linkTypeName: String { Self.name(ofLinkType: linkType) }

    static func name(ofLinkType dlt: Int32) -> String {
        guard let cName = pcap_datalink_val_to_name(dlt) else { return "DLT_\(dlt)" }
        return String(cString: cName)
    }

    /// libpcap's human name of the link type ("Ethernet"), as tcpdump prints it.
    var linkTypeDescription: String {
        guard let cName = pcap_datalink_val_to_description(linkType) else { return linkTypeName }
        return String(cString: cName)
    }

    var snapshotLength: Int {
        guard let pcap else { return 0 }
        return Int(pcap_snapshot(pcap))
    }

    /// libpcap's counters; nil for savefiles (pcap_stats fails on them) and closed handles.
    func statistics() -> CaptureStatistics? {
        guard let pcap else { return nil }
        var stats = pcap_stat()
        guard pcap_stats(pcap, &stats) == 0 else { return nil }
        return CaptureStatistics(received: Int(stats.ps_recv), dropped: Int(stats.ps_drop),
                                 droppedByInterface: Int(stats.ps_ifdrop))
    }

    /// Opens a pcap savefile with this handle's link type, snapshot length
    /// and timestamp precision.
    func openDumper(path: String) throws -> PacketDumper {
        guard let pcap else { throw CaptureError.closed }
        guard let dumper = pcap_dump_open(pcap, path) else {
            // libpcap's message starts with the path again ("x.pcap: No such file or directory").
            var message = lastError
            if message.hasPrefix(path + ": ") { message.removeFirst(path.count + 2) }
            throw CaptureError.cannotWriteCapture(path: path, message: message)
        }
        return PacketDumper(dumper, path: path, nanosecondTimestamps: nanosecondTimestamps)
    }


    /// Compiles a BPF filter without installing it (a dead handle, whose
    /// link type decides what the expression means, cannot take one).
    func checkFilter(_ expression: String) throws {
        try compileFilter(expression) { _, _ in }
    }

    /// Compiles `expression` and hands the program to `use` before freeing it.
    private func compileFilter(_ expression: String, _ use: (OpaquePointer, inout bpf_program) throws -> Void) throws {
        guard let pcap else { throw CaptureError.closed }
        var program = bpf_program()
        let netmaskUnknown: bpf_u_int32 = 0xffff_ffff  // PCAP_NETMASK_UNKNOWN
        guard pcap_compile(pcap, &program, expression, 1, netmaskUnknown) == 0 else {
            throw CaptureError.badFilter(expression: expression, message: lastError)
        }
        defer { pcap_freecode(&program) }
        try use(pcap, &program)
    }

    /// Compiles and installs a BPF filter. An empty expression installs an
    /// accept-all program, which also clears an earlier filter.
    func setFilter(_ expression: String) throws {
        try compileFilter(expression) { pcap, program in
            guard pcap_setfilter(pcap, &program) == 0 else {
                throw CaptureError.badFilter(expression: expression, message: lastError)
            }
        }
    }

    /// The `pcap_next_ex` loop. A return of 0 (live read timeout, no packet)
    /// calls `onTimeout`, which returns false to stop; without it the loop just reads again.
    func forEachPacket(onTimeout: () -> Bool = { true }, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        while true {
            switch nextPacket() {
            case .packet(let header, let bytes):
                if !body(header, bytes) { return .stopped }
            case .timeout:
                if !onTimeout() { return .stopped }
            case .end(let end):
                return end
            }
        }
    }

    /// Reads one packet (pull style, for merging several files). Its bytes
    /// are libpcap's buffer: valid until the next read on this handle, so a
    /// pending packet per open file costs no copy.
    func nextPacket() -> PulledPacket {
        guard let pcap else { return .end(.endOfInput) }
        var headerPointer: UnsafeMutablePointer<pcap_pkthdr>?
        var dataPointer: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(pcap, &headerPointer, &dataPointer)
            switch status {
            case 1:
                guard let header = headerPointer?.pointee, let dataPointer else { continue }
                let captured = Int(header.caplen)
                let fraction = Int64(header.ts.tv_usec)
                let packetHeader = PacketHeader(
                    timestamp: nanosecondTimestamps
                        ? Timestamp(seconds: Int64(header.ts.tv_sec), nanoseconds: fraction)
                        : Timestamp(seconds: Int64(header.ts.tv_sec), microseconds: fraction),
                    capturedLength: captured,
                    wireLength: Int(header.len),
                    linkType: cachedLinkType)
                return .packet(packetHeader, UnsafeRawBufferPointer(start: dataPointer, count: captured))
            case 0:
                // Non-blocking: nothing queued yet. A readable descriptor
                // (packet, error) reads again; a timeout or signal is a tick.
                if waitForPacket() { continue }
                return .timeout
            case PCAP_ERROR_BREAK:  // -2: end of a savefile (or pcap_breakloop on a live handle)
                return .end(.endOfInput)
            default:
                let message = lastError
                return .end(message.contains("truncated") ? .truncated(message) : .readError(message))
            }
        }
    }

    /// Bytes of the file libpcap has consumed (its stdio position); nil for live handles.
    var fileOffset: Int64? {
        guard let pcap, let file = pcap_file(pcap) else { return nil }
        let offset = ftello(file)
        return offset >= 0 ? Int64(offset) : nil
    }

    func close() {
        if let pcap { pcap_close(pcap) }
        pcap = nil
    }

    var lastError: String {
        guard let pcap, let message = pcap_geterr(pcap) else { return "unknown libpcap error" }
        return String(cString: message)
    }
}
