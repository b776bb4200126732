import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

/// Input: chunk size choice and seed, then one direction's stream bytes (plaintext, then TLS or not).
/// The plaintext search (HelloStart, the carry between chunks, PlaintextPreamble,
/// StartTLSProtocol) must give the same result however the stream is cut.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPreamble(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let maxChunk = [1, 2, 5, 11, 64, 512, 1500, 4096][Int(input.u8() & 7)]
    let seed = input.u32()
    return exercisePreamble(input.rest(), maxChunk: maxChunk, seed: seed) == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzPreamble))
