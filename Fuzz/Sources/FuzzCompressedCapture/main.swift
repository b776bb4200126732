import FuzzSupport
import TLSDumpCapture
#if canImport(Glibc)
import Glibc
#endif

/// Input: one byte that picks the codec (gzip, zstd, xz, lz4 by its value
/// mod 4), then a compressed file without its magic (the target puts the
/// magic back, so no run is spent finding it). Seeds: small captures
/// compressed by the real tools (Fuzz/make-corpus.py). The file goes through
/// `PcapReader` (the codec, the fopencookie stream, libpcap) and the pcapng
/// secrets walk (the forward-only decompressing source). Checks: the codec is
/// the one picked, reads end, memory stays bounded (-rss_limit_mb), and a
/// failed decode is reported in the codec's name.
private let scratch = ScratchFile(name: "fuzz-compressed-capture")

/// Packets read at most per input: a small input can expand to millions of empty records.
private let maxPackets = 20_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompressedCapture(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count)
    guard let selector = input.first else { return 0 }
    let formats = CompressionFormat.allCases
    let format = formats[Int(selector) % formats.count]
    let file = format.magic + Array(input.dropFirst())
    guard let path = file.withUnsafeBytes({ scratch.replace(with: $0) }) else { return 0 }

    var packets = 0
    do {
        let reader = try PcapReader.open(path: path)
        fuzzCheck(reader.compression == format, "read as \(String(describing: reader.compression)), not \(format)")
        let end = reader.forEachPacket { header, data in
            packets += 1
            fuzzCheck(data.count == header.capturedLength, "packet bytes and header disagree")
            return packets < maxPackets
        }
        switch end {
        case .endOfInput, .stopped: break
        case .truncated(let message), .readError(let message):
            fuzzCheck(!message.isEmpty, "an empty reason")
        }
        reader.close()
    } catch let error as CaptureError {
        switch error {
        case .compressedNotACapture(_, let named): fuzzCheck(named == format, "not-a-capture names \(named), not \(format)")
        case .decompressionFailed(_, let message):
            fuzzCheck(message.hasPrefix(format.rawValue), "failure not named after \(format): \(message)")
        default: break
        }
    } catch {
        fuzzCheck(false, "PcapReader.open threw \(error)")
    }

    do {
        let found = try PcapngSecrets.keyLogs(atPath: path, limits: PcapngSecretsLimits(maxSecretsBytes: 4096, readWindowBytes: 16 + Int(selector) % 64))
        fuzzCheck(found.keyLog.count <= 4096, "secrets limit passed")
        fuzzCheck(found.warnings.count <= PcapngSecretsResult.maxWarnings, "warnings unbounded")
        if !found.isPcapng { fuzzCheck(found.keyLog.isEmpty && found.blocks == 0, "not pcapng, yet found something") }
    } catch {
        fuzzCheck(false, "reading the scratch file failed: \(error)")
    }
    return 0
}

exit(runLibFuzzer(fuzzCompressedCapture))
