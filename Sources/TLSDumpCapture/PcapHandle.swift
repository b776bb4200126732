import CPcap
import TLSDumpBase

/// Owns one `pcap_t` and implements what offline and live captures share:
/// link type, BPF filter and the `pcap_next_ex` loop. Not thread-safe.
final class PcapHandle {
    private var pcap: OpaquePointer?

    /// Takes ownership of an open `pcap_t` (opened with nanosecond precision).
    init(_ pcap: OpaquePointer) {
        self.pcap = pcap
    }

    deinit { close() }

    var isOpen: Bool { pcap != nil }

    var linkType: Int32 {
        guard let pcap else { return -1 }
        return pcap_datalink(pcap)
    }

    var linkTypeName: String { Self.name(ofLinkType: linkType) }

    static func name(ofLinkType dlt: Int32) -> String {
        guard let cName = pcap_datalink_val_to_name(dlt) else { return "DLT_\(dlt)" }
        return String(cString: cName)
    }

    /// Compiles and installs a BPF filter. An empty expression installs an
    /// accept-all program, which also clears an earlier filter.
    func setFilter(_ expression: String) throws {
        guard let pcap else { throw CaptureError.closed }
        var program = bpf_program()
        let netmaskUnknown: bpf_u_int32 = 0xffff_ffff  // PCAP_NETMASK_UNKNOWN
        guard pcap_compile(pcap, &program, expression, 1, netmaskUnknown) == 0 else {
            throw CaptureError.badFilter(expression: expression, message: lastError)
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(pcap, &program) == 0 else {
            throw CaptureError.badFilter(expression: expression, message: lastError)
        }
    }

    /// The `pcap_next_ex` loop. A return of 0 (live read timeout) just loops again.
    func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        guard let pcap else { return .endOfInput }
        var headerPointer: UnsafeMutablePointer<pcap_pkthdr>?
        var dataPointer: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(pcap, &headerPointer, &dataPointer)
            switch status {
            case 1:
                guard let header = headerPointer?.pointee, let dataPointer else { continue }
                let captured = Int(header.caplen)
                let packetHeader = PacketHeader(
                    // Opened with PCAP_TSTAMP_PRECISION_NANO: tv_usec holds nanoseconds.
                    timestamp: Timestamp(seconds: Int64(header.ts.tv_sec), nanoseconds: Int64(header.ts.tv_usec)),
                    capturedLength: captured,
                    wireLength: Int(header.len))
                let bytes = UnsafeRawBufferPointer(start: dataPointer, count: captured)
                if !body(packetHeader, bytes) { return .stopped }
            case 0:
                continue
            case PCAP_ERROR_BREAK:  // -2: end of a savefile (or pcap_breakloop on a live handle)
                return .endOfInput
            default:
                let message = lastError
                return message.contains("truncated") ? .truncated(message) : .readError(message)
            }
        }
    }

    func close() {
        if let pcap { pcap_close(pcap) }
        pcap = nil
    }

    private var lastError: String {
        guard let pcap, let message = pcap_geterr(pcap) else { return "unknown libpcap error" }
        return String(cString: message)
    }
}
