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
/// part a test's few files barely reach). Input that starts with a
/// compression magic is walked decompressed from the file: bounds only.
private let scratch = ScratchFile(name: "fuzz-pcapng-secrets")

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

    if let path = scratch.replace(with: bytes) {
        do {
            let fromFile = try PcapngSecrets.keyLogs(atPath: path, limits: small)
            if CompressionFormat.detect(Array(bytes.prefix(8))) == nil {
                fuzzCheck(fromFile == limited, "file walk differs from memory walk")
            } else {
                // A compression magic: the file is walked decompressed, the memory walk reads it raw.
                fuzzCheck(fromFile.keyLog.count <= 64, "secrets limit passed in a compressed file")
                fuzzCheck(fromFile.warnings.count <= PcapngSecretsResult.maxWarnings, "warnings unbounded in a compressed file")
            }
        } catch {
            fuzzCheck(false, "reading the scratch file failed: \(error)")
        }
    }

    var log = KeyLog()
    log.parse(bytes: result.keyLog)
    return log.count > result.keyLog.count ? 1 : 0
}

exit(runLibFuzzer(fuzzPcapngSecrets))
