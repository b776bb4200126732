#if canImport(Glibc)
import Glibc
#endif

/// The progress line on stderr while capture files are read: bytes read of
/// the files' total size, MB/s, TLS connections so far. Only when stderr is a
/// terminal; redrawn in place at most a few times a second, erased at the end.
final class ProgressLine {
    private let connections: () -> Int
    private let started = monotonicSeconds()
    private var nextDraw: Double
    private var drawn = false

    static let interval = 0.25

    /// nil unless stderr is a terminal.
    init?(connections: @escaping () -> Int) {
        guard isatty(2) == 1 else { return nil }
        self.connections = connections
        nextDraw = started + ProgressLine.interval
    }

    /// Called often (every thousand packets or so) with the reader's position
    /// (libpcap's, which reads ahead a buffer: close enough); draws only when due.
    func update(read: Int64, total: Int64) {
        let now = monotonicSeconds()
        guard now >= nextDraw, read >= 0, total > 0 else { return }
        nextDraw = now + ProgressLine.interval
        let position = min(read, total)
        let elapsed = max(now - started, 0.001)
        let mb: Double = Double(position) / 1_000_000
        let totalMB: Double = Double(total) / 1_000_000
        let rate: Double = mb / elapsed
        var line = "\r\u{1b}[K" + format1(mb) + " of " + format1(totalMB) + " MB"
        line += " (\(position * 100 / total)%)"
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
