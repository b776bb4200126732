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
    /// stdio's buffer for the file (see `openWithLargeBuffer`): freed only
    /// after libpcap closed the FILE that reads into it.
    private var readBuffer: UnsafeMutablePointer<CChar>?

    private init(path: String, handle: PcapHandle, fileSize: Int64?, readBuffer: UnsafeMutablePointer<CChar>?) {
        self.path = path
        self.handle = handle
        self.fileSize = fileSize
        self.readBuffer = readBuffer
    }

    deinit { close() }

    public static func open(path: String) throws -> PcapReader {
        let isStdin = path == "-"
        var size: Int64?
        if !isStdin {
            size = try checkedRegularFileSize(path)
            if size == 0 { throw CaptureError.emptyFile(path: path) }
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        let pcap: OpaquePointer?
        var readBuffer: UnsafeMutablePointer<CChar>?
        if isStdin {
            // libpcap itself treats "-" as stdin and does not close stdin on pcap_close.
            pcap = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        } else {
            (pcap, readBuffer) = try openWithLargeBuffer(path, &errorBuffer)
        }
        guard let pcap else {
            let message = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw openError(path: path, message: message)
        }
        return PcapReader(path: path, handle: PcapHandle(pcap), fileSize: size, readBuffer: readBuffer)
    }

    /// Bytes stdio reads from the file at once for libpcap.
    public static let readBufferBytes = 1 << 20

    /// libpcap reads a file through stdio, whose buffer is one file-system
    /// block (4 KiB): a read(2) per 4 KiB, and on bulk traffic those calls
    /// were about 16% of a run (perf). Opening the FILE here with a 1 MiB
    /// buffer makes them 256 times fewer; libpcap parses as before.
    /// glibc ignores setvbuf's size unless it is given the buffer, so the
    /// buffer is ours, and the reader frees it after `pcap_close`.
    private static func openWithLargeBuffer(_ path: String, _ errorBuffer: inout [CChar]) throws
        -> (OpaquePointer?, UnsafeMutablePointer<CChar>?) {
        guard let file = fopen(path, "rb") else {
            switch errno {
            case ENOENT, ENOTDIR: throw CaptureError.fileNotFound(path: path)
            case EACCES: throw CaptureError.permissionDenied(path: path)
            default: throw CaptureError.openFailed(path: path, message: String(cString: strerror(errno)))
            }
        }
        var buffer: UnsafeMutablePointer<CChar>? = .allocate(capacity: readBufferBytes)
        // Before any read. Should stdio refuse, it keeps its own small buffer, which still works.
        if setvbuf(file, buffer, _IOFBF, readBufferBytes) != 0 {
            buffer?.deallocate()
            buffer = nil
        }
        let pcap = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        if pcap == nil {   // on failure the FILE is still ours; on success pcap_close closes it
            fclose(file)
            buffer?.deallocate()
            return (nil, nil)
        }
        return (pcap, buffer)
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

    /// Pull-style read for `CaptureSet`'s merge: see `PcapHandle.nextPacket`.
    func nextPacket() -> PulledPacket { handle.nextPacket() }

    public var fileTotals: InputFileTotals? { InputFileTotals(read: 1, bytes: fileSize, failed: []) }

    public var readPosition: (read: Int64, total: Int64)? {
        guard let fileSize, let offset = handle.fileOffset else { return nil }
        return (min(offset, fileSize), fileSize)
    }

    public func close() {
        handle.close()
        readBuffer?.deallocate()
        readBuffer = nil
    }

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
