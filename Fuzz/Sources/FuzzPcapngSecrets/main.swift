import FuzzSupport
import TLSDumpCapture
import TLSDumpTLS
#if canImport(Glibc)
import Glibc
#endif

/// Input: a capture file's bytes (seeds: pcapng files, some with Decryption
/// Secrets Blocks). Walked in memory with the default and a tiny secrets
/// limit, then from a file through a small read window: the file walk must
/// find exactly what the memory walk finds (the window's refills are the
/// part a test's few files barely reach).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPcapngSecrets(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count)
    let result = PcapngSecrets.keyLogs(in: bytes)
    // Each kept block adds at most its data and one newline, both inside the block.
    fuzzCheck(result.keyLog.count <= bytes.count, "more key log than input")
    fuzzCheck(result.blocks * 12 <= bytes.count, "more blocks than fit")
    fuzzCheck(result.sections <= result.blocks, "sections not counted as blocks")
    fuzzCheck(result.tlsKeyLogBlocksUsed <= (result.secretsBlocks[PcapngSecrets.tlsKeyLogType] ?? 0), "used blocks not seen")
    fuzzCheck(result.warnings.count <= PcapngSecretsResult.maxWarnings, "warnings unbounded")
    fuzzCheck(result.warnings.dropLast().allSatisfy { !$0.stoppedWalk }, "the walk went on after a stop")
    if !result.isPcapng {
        fuzzCheck(result.keyLog.isEmpty && result.warnings.isEmpty && result.blocks == 0, "not pcapng, yet found something")
    }
    if let last = result.keyLog.last { fuzzCheck(last == UInt8(ascii: "\n"), "a block's text not closed by a newline") }

    let small = PcapngSecretsLimits(maxSecretsBytes: 64, readWindowBytes: 16 + Int(bytes.last ?? 0) % 48)
    let limited = PcapngSecrets.keyLogs(in: bytes, limits: small)
    fuzzCheck(limited.keyLog.count <= 64, "secrets limit passed")
    fuzzCheck(limited.blocks == result.blocks, "the limit changed the walk")

    if let path = ScratchFile.shared.replace(with: bytes) {
        do {
            let fromFile = try PcapngSecrets.keyLogs(atPath: path, limits: small)
            fuzzCheck(fromFile == limited, "file walk differs from memory walk")
        } catch {
            fuzzCheck(false, "reading the scratch file failed: \(error)")
        }
    }

    var log = KeyLog()
    log.parse(bytes: result.keyLog)
    return log.count > result.keyLog.count ? 1 : 0
}

/// One temporary file per process, rewritten with each input. Unlinked at
/// once (nothing left behind) and opened again through /proc/self/fd.
final class ScratchFile: @unchecked Sendable {   // libFuzzer's one thread only
    static let shared = ScratchFile()
    let path: String?
    private let fd: Int32

    private init() {
        // tmpfs when there is one: truncating a disk file each run waits on the disk.
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(directory)/fuzz-pcapng-secrets-XXXXXX".utf8CString)
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

    func replace(with bytes: UnsafeRawBufferPointer) -> String? {
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

exit(runLibFuzzer(fuzzPcapngSecrets))
