import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

/// Input: a selector, then either an SSLv2 record body for the three SSLv2
/// parsers, or a stream read in SSLv2 framing (or detected as SSLv2 from its
/// first bytes) through the record layer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSLv2(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    if input.bool() {
        let body = [UInt8](input.rest())
        return body.withUnsafeBytes { exerciseSSLv2Record($0) } == Int.min ? 1 : 0
    }
    var script = RecordScript(&input)
    script.midstream = false
    return exerciseRecordStream(input.rest(), script: script) == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzSSLv2))
