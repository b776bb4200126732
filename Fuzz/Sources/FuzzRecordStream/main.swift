import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

/// Input: the record script (options, chunk size, seed), then one direction's stream bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordStream(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let script = RecordScript(&input)
    return exerciseRecordStream(input.rest(), script: script) == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzRecordStream))
