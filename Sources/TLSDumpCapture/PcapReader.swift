import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a pcap or pcapng file (or stdin for "-") with libpcap, always at
/// nanosecond timestamp precision so micro- and nanosecond files are both exact.
public final class PcapReader: PacketSource {
    public let path: String
    private let handle: PcapHandle
    /// Size of the file in bytes; nil for stdin.
    public let fileSize: Int64?

    private init(path: String, handle: PcapHandle, fileSize: Int64?) {
        self.path = path
        self.handle = handle
        self.fileSize = fileSize
    }

    public static func open(path: String) throws -> PcapReader {
        let isStdin = path == "-"
        var size: Int64?
        if !isStdin {
            size = try checkedRegularFileSize(path)
            if size == 0 { throw CaptureError.emptyFile(path: path) }
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // libpcap itself treats "-" as stdin and does not close stdin on pcap_close.
        let pcap = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        guard let pcap else {
            let message = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw openError(path: path, message: message)
        }
        return PcapReader(path: path, handle: PcapHandle(pcap), fileSize: size)
    }

    public var linkType: Int32 { handle.linkType }
    public var linkTypeName: String { handle.linkTypeName }
    public var linkTypeDescription: String { handle.linkTypeDescription }
    public var snapshotLength: Int { handle.snapshotLength }

    public func setFilter(_ expression: String) throws { try handle.setFilter(expression) }

    public func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        handle.forEachPacket(body)
    }

    /// A file never times out: `onTimeout` is not called.
    public func forEachPacket(onTimeout: () -> Bool, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        handle.forEachPacket(body)
    }

    /// Always nil: libpcap keeps no counters for savefiles.
    public func statistics() -> CaptureStatistics? { nil }

    public func openDumper(path: String) throws -> PacketDumper { try handle.openDumper(path: path) }

    public func close() { handle.close() }

    /// stat() before libpcap so that missing, unreadable and non-regular files
    /// get their own error instead of libpcap's free-text message.
    private static func checkedRegularFileSize(_ path: String) throws -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw CaptureError.fileNotFound(path: path)
            case EACCES: throw CaptureError.permissionDenied(path: path)
            default: throw CaptureError.openFailed(path: path, message: String(cString: strerror(errno)))
            }
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw CaptureError.notARegularFile(path: path) }
        guard access(path, R_OK) == 0 else { throw CaptureError.permissionDenied(path: path) }
        return Int64(info.st_size)
    }

    /// Maps libpcap 1.10's open-failure messages (see DecodeTests/PcapReaderTests).
    private static func openError(path: String, message: String) -> CaptureError {
        if message == "unknown file format" { return .notACaptureFile(path: path) }
        if message.hasSuffix("Permission denied") { return .permissionDenied(path: path) }
        if message.hasSuffix("No such file or directory") { return .fileNotFound(path: path) }
        // "truncated dump file; tried to read 4 file header bytes, only got N": too
        // short to even hold a magic number, so not a capture (N == 0: empty stdin).
        if message.contains("tried to read 4 file header bytes") {
            return message.hasSuffix("only got 0") ? .emptyFile(path: path) : .notACaptureFile(path: path)
        }
        if message.contains("truncated") { return .truncatedHeader(path: path, detail: message) }
        return .openFailed(path: path, message: message)
    }
}
