import CMappedFile
#if canImport(Glibc)
import Glibc
#endif

/// A capture file mapped read-only, guarded against the file shrinking while
/// it is read (see CMappedFile: a lost page reads as zeros and marks the
/// mapping cut, instead of SIGBUS killing the process).
///
/// Memory: pages are read in by the kernel ahead of the walk (sequential
/// advice) and dropped from this process behind it (`release(before:)`), so a
/// walk of a file of many GB keeps a few MiB resident, whatever its size.
final class FileMapping {
    let base: UnsafeRawPointer
    let size: Int
    private let slot: Int32
    /// Kept open to watch the file's size.
    private let descriptor: Int32
    /// Bytes still in the file as last seen (at most `size`).
    private var limit: Int
    private var nextSizeCheck = 0
    /// Bytes walked between looks at the file's size: a page cut only in
    /// part reads as zeros without a fault, so the guard alone cannot see it.
    static let sizeCheckInterval = 64 << 10
    /// Bytes before this offset have been released.
    private var releasedUpTo = 0

    /// Release in steps of this many bytes, keeping the last step resident
    /// (a record may start in it).
    static let releaseStep = 2 << 20

    /// Maps `path`; nil when it cannot be mapped or guarded (the caller reads
    /// it another way): not a regular file, empty, over the address space, or
    /// every guard slot in use.
    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let size = Int(exactly: info.st_size), size > 0,
              let base = tlsdump_map_file(descriptor, size) else {
            _ = close(descriptor)
            return nil
        }
        let slot = tlsdump_guard_register(base, size)
        guard slot >= 0 else {
            tlsdump_unmap_file(base, size)
            _ = close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        limit = size
        tlsdump_map_sequential(base, size)
        self.base = base
        self.size = size
        self.slot = slot
    }

    deinit {
        tlsdump_guard_unregister(slot)
        tlsdump_unmap_file(base, size)
        _ = close(descriptor)
    }

    /// Whether a page of the mapping was lost (the file shrank after mapping).
    var wasCut: Bool { tlsdump_guard_cut(slot) != 0 }

    /// Whether the bytes before `end` (> 0, <= size) are still the file's:
    /// reads the last of them so that a lost page faults now, before the
    /// record is handed on, and looks at the file's size every so often.
    /// False once the file was cut before `end` (the walk ends truncated).
    @inline(__always)
    func holds(upTo end: Int) -> Bool {
        _ = base.load(fromByteOffset: end - 1, as: UInt8.self)
        if end >= nextSizeCheck { checkSize(end) }
        return end <= limit && !wasCut
    }

    private func checkSize(_ end: Int) {
        nextSizeCheck = end + Self.sizeCheckInterval
        var info = stat()
        if fstat(descriptor, &info) == 0, let now = Int(exactly: info.st_size), now < limit { limit = max(0, now) }
    }

    /// Drops pages wholly before `offset` (minus one step) from the process.
    @inline(__always)
    func release(before offset: Int) {
        guard offset &- releasedUpTo >= 2 * Self.releaseStep else { return }
        let end = offset - Self.releaseStep
        tlsdump_map_release(base, releasedUpTo, end - releasedUpTo)
        releasedUpTo = end
    }
}
