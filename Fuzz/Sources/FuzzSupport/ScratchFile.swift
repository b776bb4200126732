#if canImport(Glibc)
import Glibc
#endif

/// One temporary file per process, rewritten with each input, for targets
/// that read a path. Unlinked at once (nothing left behind) and opened again
/// through /proc/self/fd.
public final class ScratchFile: @unchecked Sendable {   // libFuzzer's one thread only
    public let path: String?
    private let fd: Int32

    public init(name: String) {
        // tmpfs when there is one: truncating a disk file each run waits on the disk.
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(directory)/\(name)-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        self.fd = fd
        if fd >= 0 {
            // mkstemp filled in the X's; the name is the bytes before the terminating NUL.
            let name = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            unlink(String(decoding: name, as: UTF8.self))
            path = "/proc/self/fd/\(fd)"
        } else {
            path = nil
        }
    }

    /// The file's path once it holds exactly `bytes`; nil when writing failed.
    public func replace(with bytes: UnsafeRawBufferPointer) -> String? {
        guard let path, fd >= 0, ftruncate(fd, 0) == 0 else { return nil }
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress.map { $0 + done }, bytes.count - done, off_t(done))
            if n <= 0 { return nil }
            done += n
        }
        return path
    }
}
