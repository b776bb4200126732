#if canImport(Glibc)
import Glibc
#endif

/// The progress line on stderr while a capture file is read: position in the
/// file of its size, MB/s, TLS connections so far. Only when stderr is a
/// terminal; redrawn in place at most a few times a second, erased at the end.
final class ProgressLine {
    private let path: String
    private let connections: () -> Int
    private var descriptor: Int32?
    private var total = 0
    private let started = monotonicSeconds()
    private var nextDraw: Double
    private var drawn = false

    static let interval = 0.25

    /// nil unless stderr is a terminal and `path` is a regular file.
    init?(path: String, connections: @escaping () -> Int) {
        guard isatty(2) == 1, path != "-" else { return nil }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.path = path
        self.total = Int(info.st_size)
        self.connections = connections
        nextDraw = started + ProgressLine.interval
    }

    /// Once the capture is open: which of our descriptors reads it (for its offset).
    func captureOpened() {
        guard let wanted = realpath(path, nil) else { return }
        defer { free(wanted) }
        let target = String(cString: wanted)
        guard let dir = opendir("/proc/self/fd") else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard let fd = Int32(name) else { continue }
            var link = [CChar](repeating: 0, count: 4096)
            let n = readlink("/proc/self/fd/\(name)", &link, link.count - 1)
            guard n > 0 else { continue }
            if String(decoding: link.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) == target {
                descriptor = fd
            }
        }
    }

    /// Called often (every thousand packets or so); draws only when due.
    func tick() {
        let now = monotonicSeconds()
        guard now >= nextDraw, let descriptor else { return }
        nextDraw = now + ProgressLine.interval
        // The kernel's file offset: libpcap reads ahead a buffer, close enough.
        let position = min(Int(lseek(descriptor, 0, SEEK_CUR)), total)
        guard position >= 0 else { return }
        let elapsed = max(now - started, 0.001)
        let mb: Double = Double(position) / 1_000_000
        let totalMB: Double = Double(total) / 1_000_000
        let rate: Double = mb / elapsed
        var line = "\r\u{1b}[K" + format1(mb) + " of " + format1(totalMB) + " MB"
        if total > 0 {
            let percent = position * 100 / total
            line += " (\(percent)%)"
        }
        line += ", " + format1(rate) + " MB/s, \(connections()) TLS connections"
        writeStderr(line)
        drawn = true
    }

    /// Erases the line so warnings and the shell prompt start clean.
    func finish() {
        if drawn { writeStderr("\r\u{1b}[K") }
        drawn = false
    }

    private func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    private func format1(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}

private func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
