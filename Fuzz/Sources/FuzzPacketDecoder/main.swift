import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif
import TLSDumpBase
import TLSDumpDecode

/// Link types the decoder supports (and one it does not), picked by the first byte.
let linkTypes: [Int32] = [1, 0, 12, 14, 101, 108, 113, 228, 229, 276, 147, 9, 50]

/// Input: link-type selector, fragment-limit selector, then packets as
/// (2-byte length, time step, bytes). One decoder per input, so IP fragments
/// of several packets meet in its reassembler.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPacketDecoder(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let linkType = linkTypes[input.pick(linkTypes.count)]
    // Tiny limits now and then, to reach the eviction paths.
    let limits = input.bool()
        ? FragmentLimits(maxDatagrams: 2, maxBytesPerDatagram: 3000, maxTotalBytes: 4000,
                         maxFragmentsPerDatagram: 4, timeout: .seconds(1))
        : FragmentLimits.default
    guard var decoder = try? PacketDecoder(linkType: linkType, limits: limits, decodesUDP: true) else { return 0 }
    var time: Int64 = 1_700_000_000_000_000_000
    var checksum: UInt8 = 0
    while !input.isAtEnd {
        let length = Int(input.u16())
        time &+= Int64(input.u8()) * 100_000_000
        let packet = input.take(length)
        // A copy of exactly the packet's size: ASan flags any read past its end.
        let copy = [UInt8](packet)
        copy.withUnsafeBytes { bytes in
            let segment = decoder.decode(bytes, timestamp: Timestamp(nanoseconds: time)) { datagram in
                for b in datagram.payload { checksum ^= b }
            }
            // Touch every payload byte: the borrowed buffer must be valid.
            if let segment { for b in segment.payload { checksum ^= b } }
        }
    }
    fuzzCheck(decoder.stats.packets >= decoder.stats.tcp + decoder.stats.udp, "more segments and datagrams than packets")
    return checksum == 0x5a ? 0 : 0
}

exit(runLibFuzzer(fuzzPacketDecoder))
