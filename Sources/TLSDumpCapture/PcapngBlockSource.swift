#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of a capture read at offsets, for the pcapng block walker
/// (`PcapngSecrets`): a buffer in memory, or a file read a small window at a
/// time, so walking a file of many GB reads block headers, not packet data,
/// or a compressed file decompressed forward (`PcapngDecompressingSource`).
/// The walker asks for offsets that never go back before the block it is in.
protocol PcapngByteSource {
    /// Whether there is at least one byte at `offset` (false: the capture ends there).
    mutating func hasBytes(at offset: UInt64) throws -> Bool
    /// Whether a block may end at `offset` (false: past the end of a capture
    /// of known size; a stream of unknown size says true and lets the reads tell).
    func mayEnd(at offset: UInt64) -> Bool
    /// Calls `body` with the `count` bytes at `offset` (`count` at most
    /// `PcapngFileSource.minimumWindow`); nil when the source ends first.
    mutating func peek<R>(at offset: UInt64, count: Int, _ body: (UnsafeRawBufferPointer) -> R) throws -> R?
    /// Appends the `count` bytes at `offset` to `output`; false (output
    /// unchanged) when the source ends first.
    mutating func append(at offset: UInt64, count: Int, to output: inout [UInt8]) throws -> Bool
}

/// A buffer in memory (tests, fuzzing): slices of it, never copies, except
/// the secrets appended.
struct PcapngMemorySource: PcapngByteSource {
    let bytes: UnsafeRawBufferPointer

    var size: UInt64 { UInt64(bytes.count) }

    func hasBytes(at offset: UInt64) -> Bool { offset < size }
    func mayEnd(at offset: UInt64) -> Bool { offset <= size }

    /// The index range of `count` bytes at `offset`, nil when not all inside.
    private func range(_ offset: UInt64, _ count: Int) -> Range<Int>? {
        guard count >= 0, let start = Int(exactly: offset), start <= bytes.count, count <= bytes.count - start else { return nil }
        return start..<(start + count)
    }

    func peek<R>(at offset: UInt64, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard let r = range(offset, count) else { return nil }
        return body(UnsafeRawBufferPointer(rebasing: bytes[r]))
    }

    func append(at offset: UInt64, count: Int, to output: inout [UInt8]) -> Bool {
        guard let r = range(offset, count) else { return false }
        output.append(contentsOf: bytes[r])
        return true
    }
}

/// Why a capture could not be scanned for secrets (the file itself, not its content).
public enum PcapngSecretsError: Error, Sendable, Equatable, CustomStringConvertible {
    case openFailed(path: String, message: String)
    case readFailed(path: String, message: String)

    public var description: String {
        switch self {
        case .openFailed(let path, let message): "cannot open \(path): \(message)"
        case .readFailed(let path, let message): "reading \(path) failed: \(message)"
        }
    }
}

/// A regular file read with pread(2) into one window: headers that fall in
/// the window cost no system call; a header past it refills the window there,
/// so large blocks (and their packet data) are skipped, not read.
struct PcapngFileSource: PcapngByteSource {
    /// The most `peek` asks for at once (a block header is 12 bytes).
    static let minimumWindow = 16

    let path: String
    let descriptor: Int32
    let size: UInt64
    private var window: [UInt8]
    private var windowStart: UInt64 = 0
    private var windowCount = 0

    /// nil when `path` is not a regular file (a FIFO or a terminal: reading it
    /// here would take the bytes libpcap is to read).
    static func open(path: String, windowBytes: Int) throws -> PcapngFileSource? {
        let fd = openReadOnly(path)
        guard fd >= 0 else { throw PcapngSecretsError.openFailed(path: path, message: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let message = String(cString: strerror(errno))
            closeDescriptor(fd)
            throw PcapngSecretsError.openFailed(path: path, message: message)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG, let size = UInt64(exactly: info.st_size) else {
            closeDescriptor(fd)
            return nil
        }
        return PcapngFileSource(path: path, descriptor: fd, size: size,
                                window: [UInt8](repeating: 0, count: max(minimumWindow, windowBytes)))
    }

    private init(path: String, descriptor: Int32, size: UInt64, window: [UInt8]) {
        self.path = path
        self.descriptor = descriptor
        self.size = size
        self.window = window
    }

    func hasBytes(at offset: UInt64) -> Bool { offset < size }
    func mayEnd(at offset: UInt64) -> Bool { offset <= size }

    /// The caller closes: the source is a value, copies must not close twice.
    func close() { closeDescriptor(descriptor) }

    /// Fills `buffer` from `offset`; fewer bytes only when the file ends first (it may shrink while read).
    /// Static: called while the window is borrowed mutably, which excludes `self`.
    private static func readFully(_ descriptor: Int32, _ path: String, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress, offset <= UInt64.max - UInt64(done),
                  let position = off_t(exactly: offset + UInt64(done)) else { break }
            let n = pread(descriptor, base + done, buffer.count - done, position)
            if n < 0 {
                if errno == EINTR { continue }
                throw PcapngSecretsError.readFailed(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    mutating func peek<R>(at offset: UInt64, count: Int, _ body: (UnsafeRawBufferPointer) -> R) throws -> R? {
        guard count >= 0, count <= window.count, offset <= size, UInt64(count) <= size - offset else { return nil }
        let inWindow = offset >= windowStart && offset - windowStart <= UInt64(windowCount)
            && UInt64(count) <= UInt64(windowCount) - (offset - windowStart)
        if !inWindow {
            // Bounded by the window's size, so the narrowing is exact.
            let want = Int(min(UInt64(window.count), size - offset))
            let (descriptor, path) = (descriptor, path)
            let got = try window.withUnsafeMutableBytes { all in
                try Self.readFully(descriptor, path, into: UnsafeMutableRawBufferPointer(rebasing: all[0..<want]), at: offset)
            }
            windowStart = offset
            windowCount = got
            guard count <= got else { return nil }
        }
        let start = Int(offset - windowStart)
        return window.withUnsafeBytes { all in body(UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])) }
    }

    mutating func append(at offset: UInt64, count: Int, to output: inout [UInt8]) throws -> Bool {
        guard count >= 0, offset <= size, UInt64(count) <= size - offset else { return false }
        let old = output.count
        output.append(contentsOf: repeatElement(0, count: count))
        let got = try output.withUnsafeMutableBytes { all in
            try Self.readFully(descriptor, path, into: UnsafeMutableRawBufferPointer(rebasing: all[old...]), at: offset)
        }
        if got < count {
            output.removeSubrange(old...)
            return false
        }
        return true
    }
}

// At file scope: inside the source, `open` and `close` name its own members.
func openReadOnly(_ path: String) -> Int32 {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
    open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
}

func closeDescriptor(_ fd: Int32) { _ = close(fd) }
