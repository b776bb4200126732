import FuzzSupport
import TLSDumpBase
import TLSDumpTLS
#if canImport(Glibc)
import Glibc
#endif

/// Input: a selector byte (mod 4: the message's algorithm becomes zlib,
/// brotli or zstd, or stays as sent), a limit byte (mod 4: 4 KiB, 64 KiB,
/// 256 KiB or 16 MiB), then a CompressedCertificate body (RFC 8879). Seeds:
/// the corpus's Certificate messages compressed by each codec
/// (Fuzz/make-corpus.py). Checks: each outcome agrees with the declared
/// length and the limit, a decoded body is exactly the declared length, its
/// Certificate parse does not trap, and memory stays bounded (-rss_limit_mb).
private let limits = [4 << 10, 64 << 10, 256 << 10, 1 << 24]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompressedCertificate(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let selector = input.u8()
    let limit = limits[input.pick(limits.count)]
    var body = Array(input.rest())
    if selector % 4 < 3, body.count >= 2 {
        body[0] = 0
        body[1] = selector % 4 + 1
    }
    guard let message = body.withUnsafeBytes({ try? CompressedCertificate.parse($0) }) else { return 0 }
    fuzzCheck(message.declaredLength < 1 << 24 && !message.compressed.isEmpty, "parse let through an impossible message")
    switch message.decompress(limit: limit) {
    case .decompressed(let out):
        fuzzCheck(out.count == message.declaredLength && out.count <= limit, "decoded \(out.count) bytes, declared \(message.declaredLength), limit \(limit)")
        _ = out.withUnsafeBytes { try? CertificateMessage.parse($0, tls13: true) }
    case .unknownAlgorithm(let id):
        fuzzCheck(CertificateCompressionAlgorithm.name(id) == nil && id == message.algorithm, "known algorithm \(id) called unknown")
    case .declaredOverLimit(let declared, let reported):
        fuzzCheck(declared == message.declaredLength && declared > limit && reported == limit, "over-limit outcome disagrees")
    case .longerThanDeclared(let declared):
        fuzzCheck(declared == message.declaredLength && declared <= limit, "longer-than-declared over the limit")
    case .shorterThanDeclared(let declared, let actual):
        fuzzCheck(declared == message.declaredLength && actual < declared, "shorter-than-declared is not shorter")
    case .invalid(let reason):
        fuzzCheck(!reason.isEmpty, "an empty reason")
    }
    return 0
}

exit(runLibFuzzer(fuzzCompressedCertificate))
