import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif
import TLSDumpBase
import TLSDumpTLS
import TLSDumpTrust

/// Input: [flags u8][time u32, seconds since 2000][SNI length u8][SNI]
/// then certificates as [length u16][DER] until the input ends (at most 20).
/// Flags bit 0: trust the last certificate given (else the system store,
/// or when it is missing, none); bit 1: a client chain (no name).
/// Invariants: no crash or hang (the path search is budgeted), a verdict
/// that says why when not ok, a path that starts at the leaf, the same
/// verdict twice, and the same verdict through the cache.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChainValidation(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let flags = input.u8()
    let time = Timestamp(seconds: 946_684_800 + Int64(input.u32()), microseconds: 0)
    let sniBytes = Array(input.take(Int(input.u8())))
    let sni = String(decoding: sniBytes, as: UTF8.self)
    var ders: [[UInt8]] = []
    while !input.isAtEnd && ders.count < 20 {
        let length = Int(input.u16())
        ders.append(Array(input.take(length)))
    }
    let chain = ders.map { PresentedCertificate(der: $0, summary: X509Summarizer.summarize(der: $0)) }
    let validator: ChainValidator
    if flags & 1 == 1, let last = ders.last {
        validator = ChainValidator(anchors: TrustAnchors(derCertificates: [last]))
    } else {
        validator = ChainValidator.system
    }
    let client = flags & 2 == 2
    let hostname = client ? nil : sni
    let verdict = validator.validate(chain, hostname: hostname, at: time)
    if verdict.status != .ok { fuzzCheck(verdict.reason != nil, "a \(verdict.status) verdict without a reason") }
    if verdict.status != .notChecked {
        fuzzCheck(verdict.path.first?.source == .sent(index: 0), "the path does not start at the leaf: \(verdict.path)")
        fuzzCheck(verdict.unusedCertificates >= 0 && verdict.unusedCertificates < chain.count, "unused \(verdict.unusedCertificates) of \(chain.count)")
        fuzzCheck(verdict.stableFrom <= time.seconds && time.seconds < verdict.stableUntil,
                  "the verdict's stable range \(verdict.stableFrom)..<\(verdict.stableUntil) misses its own time \(time.seconds)")
    }
    let again = validator.validate(chain, hostname: hostname, at: time)
    fuzzCheck(again == verdict, "two validations of one chain differ: \(verdict) / \(again)")
    var cache = ChainVerdictCache(capacity: 2)
    let cached = cache.verdict(chain, hostname: hostname, client: client, at: time, validator: validator)
    fuzzCheck(cached.value == verdict, "the cache's verdict differs")
    return 0
}

exit(runLibFuzzer(fuzzChainValidation))
