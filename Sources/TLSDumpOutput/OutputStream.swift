#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to a file descriptor, only whole lines at a time.
///
/// Events are appended as complete lines and written when the buffer passes
/// a threshold (or on `flush`), so an interrupted run leaves only whole
/// lines. A closed reader (EPIPE) or a full disk ends output quietly and is
/// reported through `failure`.
public final class OutputStream {
    public enum Failure: Equatable { case closedByReader, writeError(Int32) }

    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    public var flushThreshold: Int
    /// Flush after every line (live capture: each event visible at once).
    public var lineBuffered = false
    public private(set) var failure: Failure?
    public private(set) var bytesWritten = 0

    public init(fd: Int32, ownsDescriptor: Bool = false, flushThreshold: Int = 1 << 16) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    public static func standardOutput() -> OutputStream { OutputStream(fd: 1) }

    /// Opens (creates/truncates) a file for output.
    public static func file(path: String) -> OutputStream? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        return OutputStream(fd: fd, ownsDescriptor: true)
    }

    deinit {
        flush()
        if ownsDescriptor { close(fd) }
    }

    public var isWritable: Bool { failure == nil }

    /// Appends complete lines (the caller ends them with "\n").
    public func write(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
        if lineBuffered || buffer.count >= flushThreshold { flush() }
    }

    /// The same, from borrowed bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
        if lineBuffered || buffer.count >= flushThreshold { flush() }
    }

    public func write(_ text: String) {
        write(Array(text.utf8))
    }

    public func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        var offset = 0
        let total = buffer.count
        buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while offset < total {
                let n = Glibc.write(fd, base + offset, total - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    let code = n < 0 ? errno : ENOSPC
                    failure = code == EPIPE ? .closedByReader : .writeError(code)
                    // A full disk took part of a line: cut the file back to the last whole one.
                    let partial = offset - ((raw[..<offset].lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1)
                    if partial > 0 && cutTrailingBytes(partial) { offset -= partial }
                    return
                }
            }
        }
        bytesWritten += offset
        buffer.removeAll(keepingCapacity: true)
    }

    /// Removes the last `count` bytes written, when the output is a regular
    /// file (a pipe or terminal cannot take bytes back).
    private func cutTrailingBytes(_ count: Int) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let end = lseek(fd, 0, SEEK_CUR)
        guard end >= off_t(count) else { return false }
        let lineEnd = end - off_t(count)
        guard ftruncate(fd, lineEnd) == 0 else { return false }
        _ = lseek(fd, lineEnd, SEEK_SET)
        return true
    }
}
