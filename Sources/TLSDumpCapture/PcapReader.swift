import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a pcap or pcapng file (or stdin for "-") with libpcap, always at
/// nanosecond timestamp precision so micro- and nanosecond files are both exact.
/// A file compressed with gzip, zstd, xz or lz4 (recognised by its magic
/// bytes) is decompressed as libpcap reads it, a buffer at a time.
public final class PcapReader: PacketSource {
    public let path: String
    private let handle: PcapHandle
    /// Size of the file in bytes (compressed, for a compressed file); nil for stdin.
    public let fileSize: Int64?
    /// stdio's buffer for the file (see `attachLargeBuffer`): freed only
    /// after libpcap closed the FILE that reads into it.
    private var readBuffer: UnsafeMutablePointer<CChar>?
    /// The decompressing stream libpcap reads from (compressed files, stdin):
    /// how a read that failed in the codec is told from a cut capture.
    private let decompressing: DecompressingInput?

    /// The compression the file was stored in; nil for a plain capture.
    public var compression: CompressionFormat? { decompressing?.format }

    private init(path: String, handle: PcapHandle, fileSize: Int64?, readBuffer: UnsafeMutablePointer<CChar>?,
                 decompressing: DecompressingInput?) {
        self.path = path
        self.handle = handle
        self.fileSize = fileSize
        self.readBuffer = readBuffer
        self.decompressing = decompressing
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
        let file: UnsafeMutablePointer<FILE>
        var decompressing: DecompressingInput?
        if isStdin {
            // The magic is read from fd 0 and handed on through the stream,
            // compressed or not (stdin cannot be rewound). fd 0 stays open.
            let prefix = try sniffStandardInput()
            let input = try decompressingInput(path: path, descriptor: 0, ownsDescriptor: false,
                                               format: CompressionFormat.detect(prefix), prefix: prefix)
            file = try stream(for: input, path: path)
            decompressing = input
        } else {
            let descriptor = try openDescriptor(path)
            if let format = sniffFile(descriptor) {
                let input = try decompressingInput(path: path, descriptor: descriptor, ownsDescriptor: true, format: format)
                file = try stream(for: input, path: path)
                decompressing = input
            } else {
                guard let plain = fdopen(descriptor, "rb") else {
                    let message = String(cString: strerror(errno))
                    _ = Glibc.close(descriptor)
                    throw CaptureError.openFailed(path: path, message: message)
                }
                file = plain
            }
        }
        // The large buffer pays for read(2) calls; a decompressing stream reads
        // its file in 256 KiB already, and stdio's own 8 KiB buffer then stays
        // in cache: measured on bench/bulk.pcap (343 MB), 1 MiB made .gz 1.06 s
        // instead of 0.97 s, .zst 0.14 s instead of 0.12 s, and 1 MB more RSS.
        let readBuffer = decompressing == nil ? attachLargeBuffer(file) : nil
        guard let pcap = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            // On failure the FILE is still ours; on success pcap_close closes it.
            fclose(file)
            readBuffer?.deallocate()
            let message = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw openError(path: path, message: message, decompressing: decompressing)
        }
        return PcapReader(path: path, handle: PcapHandle(pcap), fileSize: size, readBuffer: readBuffer,
                          decompressing: decompressing)
    }

    /// Bytes stdio reads from the file at once for libpcap.
    public static let readBufferBytes = 1 << 20

    /// libpcap reads a file through stdio, whose buffer is one file-system
    /// block (4 KiB): a read(2) per 4 KiB, and on bulk traffic those calls
    /// were about 16% of a run (perf). Giving the FILE a 1 MiB buffer makes
    /// them 256 times fewer; libpcap parses as before.
    /// glibc ignores setvbuf's size unless it is given the buffer, so the
    /// buffer is ours, and the reader frees it after `pcap_close`.
    private static func attachLargeBuffer(_ file: UnsafeMutablePointer<FILE>) -> UnsafeMutablePointer<CChar>? {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: readBufferBytes)
        // Before any read. Should stdio refuse, it keeps its own small buffer, which still works.
        guard setvbuf(file, buffer, _IOFBF, readBufferBytes) == 0 else {
            buffer.deallocate()
            return nil
        }
        return buffer
    }

    private static func openDescriptor(_ path: String) throws -> Int32 {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw CaptureError.fileNotFound(path: path)
            case EACCES: throw CaptureError.permissionDenied(path: path)
            default: throw CaptureError.openFailed(path: path, message: String(cString: strerror(errno)))
            }
        }
        return descriptor
    }

    /// The compression a file's first bytes announce (pread: the offset stays at 0).
    static func sniffFile(_ descriptor: Int32) -> CompressionFormat? {
        var prefix = [UInt8](repeating: 0, count: CompressionFormat.magicBytes)
        let got = prefix.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard got > 0 else { return nil }   // unreadable here: libpcap reports it
        return CompressionFormat.detect(Array(prefix.prefix(got)))
    }

    /// Up to `CompressionFormat.magicBytes` from stdin (fewer only at its end).
    private static func sniffStandardInput() throws -> [UInt8] {
        var prefix = [UInt8](repeating: 0, count: CompressionFormat.magicBytes)
        var got = 0
        while got < prefix.count {
            let n = prefix.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress.map { $0 + got }, $0.count - got) }
            if n > 0 {
                got += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw CaptureError.openFailed(path: "-", message: String(cString: strerror(errno)))
            }
        }
        return Array(prefix.prefix(got))
    }

    private static func decompressingInput(path: String, descriptor: Int32, ownsDescriptor: Bool,
                                           format: CompressionFormat?, prefix: [UInt8] = []) throws -> DecompressingInput {
        do {
            return try DecompressingInput(descriptor: descriptor, ownsDescriptor: ownsDescriptor, format: format, prefix: prefix)
        } catch {
            throw CaptureError.decompressionFailed(path: path, message: error.description)
        }
    }

    private static func stream(for input: DecompressingInput, path: String) throws -> UnsafeMutablePointer<FILE> {
        guard let file = DecompressedStream.open(input) else {
            throw CaptureError.openFailed(path: path, message: String(cString: strerror(errno)))
        }
        return file
    }

    public var linkType: Int32 { handle.linkType }
    public var linkTypeName: String { handle.linkTypeName }
    public var linkTypeDescription: String { handle.linkTypeDescription }
    public var snapshotLength: Int { handle.snapshotLength }

    public func setFilter(_ expression: String) throws { try handle.setFilter(expression) }

    public func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        naming(handle.forEachPacket(body))
    }

    /// A file never times out: `onTimeout` is not called.
    public func forEachPacket(onTimeout: () -> Bool, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        naming(handle.forEachPacket(body))
    }

    /// libpcap sees a decompression failure as a read error or a cut record;
    /// the codec's own reason replaces its message ("gzip stream ends early").
    private func naming(_ end: ReadEnd) -> ReadEnd {
        guard let failure = decompressing?.failure else { return end }
        switch end {
        case .stopped: return end
        case .endOfInput, .truncated, .readError:
            return failure.isTruncation ? .truncated(failure.description) : .readError(failure.description)
        }
    }

    /// Always nil: libpcap keeps no counters for savefiles.
    public func statistics() -> CaptureStatistics? { nil }

    public func openDumper(path: String) throws -> PacketDumper { try handle.openDumper(path: path) }

    /// Pull-style read for `CaptureSet`'s merge: see `PcapHandle.nextPacket`.
    func nextPacket() -> PulledPacket {
        let pulled = handle.nextPacket()
        guard case .end(let end) = pulled else { return pulled }
        return .end(naming(end))
    }

    public var fileTotals: InputFileTotals? { InputFileTotals(read: 1, bytes: fileSize, failed: []) }

    public var readPosition: (read: Int64, total: Int64)? {
        guard let fileSize else { return nil }
        // A compressed file: what its decoder took from it (libpcap's offset counts decompressed bytes).
        guard let offset = decompressing.map({ $0.consumedInputBytes }) ?? handle.fileOffset else { return nil }
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

    /// A compressed file's open failure: the codec's reason, else a content
    /// that is no capture said as such; otherwise libpcap's message mapped.
    private static func openError(path: String, message: String, decompressing: DecompressingInput?) -> CaptureError {
        if let failure = decompressing?.failure { return .decompressionFailed(path: path, message: failure.description) }
        let error = openError(path: path, message: message)
        guard let format = decompressing?.format else { return error }
        switch error {
        case .notACaptureFile, .emptyFile, .truncatedHeader: return .compressedNotACapture(path: path, format: format)
        default: return error
        }
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
