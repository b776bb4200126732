/// A compressed pcapng read forward through a `DecompressingInput` for the
/// block walker: the bytes between the blocks it looks at are decompressed
/// and dropped (a compressed file cannot be skipped), into one fixed window.
/// A decompression failure reads as the end of the capture (the walk then
/// notes a truncation; the packet reader reports the codec's reason).
struct PcapngDecompressingSource: PcapngByteSource {
    private let input: DecompressingInput
    private let path: String
    private var window: [UInt8]
    /// Offset in the decompressed capture of window[0], and the bytes held.
    private var windowStart: UInt64 = 0
    private var windowCount = 0

    init(input: DecompressingInput, path: String, windowBytes: Int) {
        self.input = input
        self.path = path
        window = [UInt8](repeating: 0, count: max(PcapngFileSource.minimumWindow, windowBytes))
    }

    mutating func hasBytes(at offset: UInt64) throws -> Bool { try fill(offset, 1) }

    func mayEnd(at offset: UInt64) -> Bool { true }

    mutating func peek<R>(at offset: UInt64, count: Int, _ body: (UnsafeRawBufferPointer) -> R) throws -> R? {
        guard count >= 0, count <= window.count, try fill(offset, count) else { return nil }
        let start = Int(offset - windowStart)   // fill: inside the window
        return window.withUnsafeBytes { all in body(UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])) }
    }

    mutating func append(at offset: UInt64, count: Int, to output: inout [UInt8]) throws -> Bool {
        guard count >= 0, try fill(offset, 0) else { return false }
        let old = output.count
        let start = Int(offset - windowStart)
        let fromWindow = min(count, windowCount - start)
        output.append(contentsOf: window[start..<(start + fromWindow)])
        guard fromWindow < count else { return true }   // all in the window, which stays as it is
        // The rest straight from the decoder into the output.
        output.append(contentsOf: repeatElement(0, count: count - fromWindow))
        var done = old + fromWindow
        while done < output.count {
            let got = try output.withUnsafeMutableBytes { all in try Self.read(input, path, into: UnsafeMutableRawBufferPointer(rebasing: all[done...])) }
            if got == 0 {
                output.removeSubrange(old...)
                return false
            }
            done += got
        }
        // The decoder is now past the window: it restarts empty at the appended bytes' end.
        windowStart = offset + UInt64(count)
        windowCount = 0
        return true
    }

    /// Makes `count` bytes at `offset` (at or after the window's start) lie in
    /// the window, dropping what is before them; false when the capture ends first.
    private mutating func fill(_ offset: UInt64, _ count: Int) throws -> Bool {
        guard offset >= windowStart, count <= window.count else { return false }   // never backwards
        var skip = offset - windowStart
        if skip >= UInt64(windowCount) {
            // Past everything held: decompress and drop up to `offset`.
            skip -= UInt64(windowCount)
            windowStart += UInt64(windowCount)
            windowCount = 0
            while skip > 0 {
                let chunk = Int(min(skip, UInt64(window.count)))
                let got = try window.withUnsafeMutableBytes { try Self.read(input, path, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<chunk])) }
                if got == 0 { return false }
                skip -= UInt64(got)
                windowStart += UInt64(got)
            }
        } else if Int(skip) + count > windowCount {
            // Partly held: keep the wanted bytes, move them to the front.
            let keep = Int(skip)
            window.withUnsafeMutableBytes { all in
                if let base = all.baseAddress { base.copyMemory(from: base + keep, byteCount: windowCount - keep) }
            }
            windowCount -= keep
            windowStart = offset
        }
        let start = Int(offset - windowStart)
        while windowCount - start < count {
            let filled = windowCount
            let got = try window.withUnsafeMutableBytes { try Self.read(input, path, into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if got == 0 { return false }
            windowCount += got
        }
        return true
    }

    /// Decoded bytes; 0 at the end or after a decompression failure. Only a
    /// failing read of the file throws. Static: called while the window is
    /// borrowed mutably, which excludes `self`.
    private static func read(_ input: DecompressingInput, _ path: String, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            return try input.read(into: buffer)
        } catch {
            if case .readFailed(let message) = error { throw PcapngSecretsError.readFailed(path: path, message: message) }
            return 0
        }
    }
}
