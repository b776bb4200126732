import FuzzSupport
import TLSDumpQUIC
#if canImport(Glibc)
import Glibc
#endif

/// Input: caps, then a script of CRYPTO frames (offset, length) applied to a
/// QUICCryptoStream, with takes in between. The frames carry slices of one
/// reference stream (byte i = f(i)), so whatever comes out must equal the
/// reference at its offset: delivered bytes never come from nowhere, never
/// repeat, and never exceed the caps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQUICCrypto(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let cap = Int(input.u16() % 4096)
    let maxOffset = UInt64(input.u16()) << (input.u8() % 50)
    let maxSegments = 1 + Int(input.u8() % 64)
    var stream = QUICCryptoStream(maxBufferedBytes: cap, maxOffset: maxOffset, maxSegments: maxSegments)
    var delivered: UInt64 = 0
    var highestEnd: UInt64 = 0
    let scratch = [UInt8](repeating: 0, count: 1024)
    var frame = scratch
    while !input.isAtEnd {
        let op = input.u8()
        if op & 0x0f == 0 {
            take(&stream, &delivered, highestEnd)
            continue
        }
        // Offsets near the small range and near UInt64.max both.
        var offset = UInt64(input.u16())
        if op & 0x10 != 0 { offset = UInt64.max - UInt64(input.u16()) }
        if op & 0x20 != 0 { offset = UInt64(input.u32()) << 8 }
        let length = Int(input.u16() % 1024)
        for i in 0..<length { frame[i] = reference(offset &+ UInt64(i)) }
        let before = stream.bufferedBytes
        let outcome = frame.withUnsafeBytes { stream.add(offset: offset, data: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        fuzzCheck(stream.bufferedBytes <= cap, "buffered \(stream.bufferedBytes) over cap \(cap)")
        switch outcome {
        case .accepted(let n):
            fuzzCheck(n > 0 && n <= length, "accepted \(n) of \(length)")
            fuzzCheck(stream.bufferedBytes <= before + n, "buffer grew more than accepted")
            let (end, overflow) = offset.addingReportingOverflow(UInt64(length))
            fuzzCheck(!overflow && end <= maxOffset, "accepted past maxOffset")
            highestEnd = max(highestEnd, end)
        case .duplicate, .dropped:
            fuzzCheck(stream.bufferedBytes == before, "buffer changed without acceptance")
        }
    }
    take(&stream, &delivered, highestEnd)
    fuzzCheck(stream.contiguousEnd == delivered, "delivered \(delivered) != contiguous end \(stream.contiguousEnd)")
    return 0
}

/// The reference stream's byte at `offset`.
func reference(_ offset: UInt64) -> UInt8 {
    UInt8(truncatingIfNeeded: (offset &* 0x9e37_79b9) >> 13 ^ offset)
}

func take(_ stream: inout QUICCryptoStream, _ delivered: inout UInt64, _ highestEnd: UInt64) {
    guard let bytes = stream.takeContiguous() else { return }
    fuzzCheck(!bytes.isEmpty, "empty take")
    for (i, b) in bytes.enumerated() {
        fuzzCheck(b == reference(delivered + UInt64(i)), "byte at \(delivered + UInt64(i)) is not the one sent")
    }
    delivered += UInt64(bytes.count)
    fuzzCheck(delivered <= highestEnd, "delivered past what was given")
    fuzzCheck(stream.deliveredOffset == delivered, "deliveredOffset")
}

exit(runLibFuzzer(fuzzQUICCrypto))
