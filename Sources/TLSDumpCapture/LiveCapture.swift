import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to open an interface (`tlsdump -i`): the knobs tcpdump has.
public struct LiveCaptureOptions: Sendable, Equatable {
    public var interface: String
    /// Bytes kept of each packet (`-s`); TLS records are up to 16 KiB plus
    /// headers, and offloaded segments larger still, so the default keeps all.
    public var snapshotLength = 262_144
    /// Promiscuous mode (`-p` turns it off).
    public var promiscuous = true
    /// Deliver each packet at once instead of when the kernel's block fills or
    /// the read timeout passes. Off by default: in immediate mode libpcap sizes
    /// every ring slot for the interface MTU (64 KiB on `lo`), so a 32 MiB
    /// buffer holds a few hundred packets and bursts are dropped
    /// (bench/live.sh); with the 250 ms timeout events still appear within a second.
    public var immediate = false
    /// Kernel capture buffer (`-B`): a generous one absorbs bursts while the
    /// single analysis thread is busy, instead of dropping packets.
    public var bufferBytes = 32 << 20
    /// How long a read waits for a packet; each timeout lets the caller move
    /// time forward (idle expiry), write stats and check for a stop request.
    public var readTimeoutMilliseconds = 250
    /// Join this PACKET_FANOUT group (Linux): the kernel deals the
    /// interface's packets out among the group's sockets by a symmetric
    /// flow hash (IP fragments reassembled first), so each socket sees whole
    /// connections. Sockets of one process (`--threads`) or of several
    /// (`--fanout-group`) share the group.
    public var fanoutGroup: UInt16?

    public init(interface: String) { self.interface = interface }
}

/// One capture interface as `pcap_findalldevs` reports it (`tlsdump -D`).
public struct CaptureInterface: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var isUp: Bool
    public var isRunning: Bool
    public var isLoopback: Bool
    public var isWireless: Bool
    /// "Connected", "Disconnected" or nil when unknown or not applicable.
    public var connectionStatus: String?

    /// tcpdump -D's line: `1.eth0 (description) [Up, Running, Connected]`.
    public func listing(number: Int) -> String {
        var text = "\(number).\(name)"
        if let description { text += " (\(description))" }
        var flags: [String] = []
        if isUp { flags.append("Up") }
        if isRunning { flags.append("Running") }
        if isWireless { flags.append("Wireless") }
        if isLoopback { flags.append("Loopback") }
        if let connectionStatus { flags.append(connectionStatus) }
        if !flags.isEmpty { text += " [" + flags.joined(separator: ", ") + "]" }
        return text
    }
}

/// A live capture on a network interface, set up with `pcap_create` and
/// `pcap_activate` (snapshot length, promiscuous and immediate mode, kernel
/// buffer size, read timeout) at nanosecond precision where the platform has it.
public final class LiveCapture: PacketSource {
    public let options: LiveCaptureOptions
    private let handle: PcapHandle
    /// Non-fatal problems libpcap reported while activating (promiscuous mode
    /// not supported, ...), one line each.
    public let warnings: [String]

    private init(options: LiveCaptureOptions, handle: PcapHandle, warnings: [String]) {
        self.options = options
        self.handle = handle
        self.warnings = warnings
    }

    public var interface: String { options.interface }

    /// Opens and activates the interface. Throws a `CaptureError` naming
    /// what is wrong: no such interface, missing privileges, interface down.
    public static func open(_ options: LiveCaptureOptions) throws -> LiveCapture {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let pcap = pcap_create(options.interface, &errorBuffer) else {
            throw CaptureError.activateFailed(interface: options.interface, message: cString(errorBuffer))
        }
        var keep = false
        defer { if !keep { pcap_close(pcap) } }
        // These only fail on an already activated handle, which this is not.
        _ = pcap_set_snaplen(pcap, Int32(clamping: options.snapshotLength))
        _ = pcap_set_promisc(pcap, options.promiscuous ? 1 : 0)
        _ = pcap_set_immediate_mode(pcap, options.immediate ? 1 : 0)
        _ = pcap_set_timeout(pcap, Int32(clamping: options.readTimeoutMilliseconds))
        _ = pcap_set_buffer_size(pcap, Int32(clamping: options.bufferBytes))
        let nano = pcap_set_tstamp_precision(pcap, Int32(PCAP_TSTAMP_PRECISION_NANO)) == 0

        let status = pcap_activate(pcap)
        var warnings: [String] = []
        if status < 0 {
            throw activationError(status, interface: options.interface, message: String(cString: pcap_geterr(pcap)))
        } else if status > 0 {
            let detail = String(cString: pcap_geterr(pcap))
            switch status {
            case PCAP_WARNING_PROMISC_NOTSUP:
                warnings.append("\(options.interface) does not support promiscuous mode\(detail.isEmpty ? "" : " (\(detail))")")
            default:
                let text = detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail
                warnings.append("\(options.interface): \(text)")
            }
        }
        if let group = options.fanoutGroup { try joinFanout(pcap, group: group, interface: options.interface) }
        keep = true
        let handle = PcapHandle(pcap, nanosecondTimestamps: nano)
        // Where poll(2) cannot be used, pcap_set_timeout's read timeout is all there is.
        _ = handle.pollWithTimeout(milliseconds: Int32(clamping: options.readTimeoutMilliseconds))
        return LiveCapture(options: options, handle: handle, warnings: warnings)
    }

    /// Maps pcap_activate's error codes to errors a person can act on.
    /// PACKET_FANOUT with the flow hash (symmetric since Linux 4.x) and
    /// defragmentation, on the activated (bound) socket.
    private static func joinFanout(_ pcap: OpaquePointer, group: UInt16, interface: String) throws {
        #if os(Linux)
        let descriptor = pcap_fileno(pcap)
        let packetFanout: Int32 = 18, hashMode: UInt32 = 0, defragment: UInt32 = 0x8000, solPacket: Int32 = 263
        var argument = UInt32(group) | ((hashMode | defragment) << 16)
        let status = setsockopt(descriptor, solPacket, packetFanout, &argument, socklen_t(MemoryLayout<UInt32>.size))
        guard descriptor >= 0, status == 0 else {
            let reason = String(cString: strerror(errno))
            throw CaptureError.activateFailed(interface: interface, message: "cannot join packet fanout group \(group): \(reason)")
        }
        #else
        throw CaptureError.activateFailed(interface: interface, message: "packet fanout groups need Linux")
        #endif
    }

    static func activationError(_ status: Int32, interface: String, message: String) -> CaptureError {
        switch status {
        case PCAP_ERROR_NO_SUCH_DEVICE: return .noSuchInterface(name: interface)
        case PCAP_ERROR_PERM_DENIED: return .capturePermissionDenied(interface: interface)
        case PCAP_ERROR_PROMISC_PERM_DENIED: return .promiscuousPermissionDenied(interface: interface)
        case PCAP_ERROR_IFACE_NOT_UP: return .interfaceDown(name: interface)
        default:
            let text = message.isEmpty ? String(cString: pcap_statustostr(status)) : message
            return .activateFailed(interface: interface, message: text)
        }
    }

    /// The interfaces libpcap can capture on, in its order (tcpdump -D).
    public static func interfaces() throws -> [CaptureInterface] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        var list: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&list, &errorBuffer) == 0 else {
            throw CaptureError.interfaceListFailed(message: cString(errorBuffer))
        }
        defer { if let list { pcap_freealldevs(list) } }
        var result: [CaptureInterface] = []
        var node = list
        while let current = node {
            let device = current.pointee
            let flags = device.flags
            let status: String? = switch flags & UInt32(PCAP_IF_CONNECTION_STATUS) {
            case UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED): "Connected"
            case UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED): "Disconnected"
            default: nil
            }
            result.append(CaptureInterface(
                name: device.name.map { String(cString: $0) } ?? "?",
                description: device.description.map { String(cString: $0) },
                isUp: flags & UInt32(PCAP_IF_UP) != 0,
                isRunning: flags & UInt32(PCAP_IF_RUNNING) != 0,
                isLoopback: flags & UInt32(PCAP_IF_LOOPBACK) != 0,
                isWireless: flags & UInt32(PCAP_IF_WIRELESS) != 0,
                connectionStatus: status))
            node = device.next
        }
        return result
    }

    public var linkType: Int32 { handle.linkType }
    public var linkTypeName: String { handle.linkTypeName }
    public var linkTypeDescription: String { handle.linkTypeDescription }
    public var snapshotLength: Int { handle.snapshotLength }

    public func setFilter(_ expression: String) throws { try handle.setFilter(expression) }

    public func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        handle.forEachPacket(body)
    }

    public func forEachPacket(onTimeout: () -> Bool, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        handle.forEachPacket(onTimeout: onTimeout, body)
    }

    public func statistics() -> CaptureStatistics? { handle.statistics() }

    public func openDumper(path: String) throws -> PacketDumper { try handle.openDumper(path: path) }

    public func close() { handle.close() }

    private static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
