import FuzzSupport
import TLSDumpBase
import TLSDumpCapture
#if canImport(Glibc)
import Glibc
#endif

/// Input: a capture file (the pcap or pcapng magic is put back from the
/// first byte, so no run is spent finding it). The file is read in place by
/// `MappedCaptureFile` and through libpcap (`PcapReader`), with and without
/// a filter. Checks: the walk ends; every packet's bytes lie inside the
/// file and match its header; when libpcap reads the file too, both readers
/// deliver the same packets (count, lengths, link type, time, bytes) and
/// both end cleanly or both on an error, except where libpcap refuses what the walker reads on
/// purpose (pcapng interfaces of different link types).
private let scratch = ScratchFile(name: "fuzz-mapped-capture")
private let maxPackets = 20_000

private struct Seen: Equatable {
    var time: Int64, captured: Int, wire: Int, link: Int32, sum: UInt64
}

private func read(_ source: PacketSource) -> ([Seen], ReadEnd) {
    var seen: [Seen] = []
    let end = source.forEachPacket { header, bytes in
        fuzzCheck(bytes.count == header.capturedLength, "packet bytes and header disagree")
        // The first and last bytes stand for the packet (a full sum made each run slow under ASan).
        var sum = UInt64(bytes.count)
        for b in bytes.prefix(32) { sum = (sum &* 31) &+ UInt64(b) }
        for b in bytes.suffix(32) { sum = (sum &* 31) &+ UInt64(b) }
        seen.append(Seen(time: header.timestamp.nanoseconds, captured: header.capturedLength, wire: header.wireLength,
                         link: header.linkType, sum: sum))
        return seen.count < maxPackets
    }
    return (seen, end)
}

private func kind(_ end: ReadEnd) -> Int {
    switch end {
    case .endOfInput: 0
    case .stopped: 1
    case .truncated: 2
    case .readError: 3
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMappedCapture(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count)
    guard let selector = input.first else { return 0 }
    let magics: [[UInt8]] = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0x0a, 0x0d, 0x0d, 0x0a]]
    let file = magics[Int(selector) % magics.count] + Array(input.dropFirst())
    guard let path = file.withUnsafeBytes({ scratch.replace(with: $0) }) else { return 0 }
    guard let mapped = MappedCaptureFile.open(path: path) else { return 0 }
    let filtered = selector & 0x80 != 0
    if filtered { try? mapped.setFilter("tcp or udp port 443") }
    let (a, endA) = read(mapped)
    mapped.close()
    guard let reference = try? PcapReader.open(path: path) else { return 0 }
    defer { reference.close() }
    if filtered { try? reference.setFilter("tcp or udp port 443") }
    fuzzCheck(reference.linkType == mapped.linkType, "link type \(mapped.linkType), libpcap \(reference.linkType)")
    let (b, endB) = read(reference)
    if case .readError(let message) = endB, message.contains("different from the") {
        // libpcap stops at an interface whose link type or snapshot length differs from the first one's; the walker reads on (on purpose).
        fuzzCheck(a.count >= b.count && Array(a.prefix(b.count)) == b, "packets before libpcap's stop differ")
        return 0
    }
    fuzzCheck(a.count == b.count, "\(a.count) packets, libpcap \(b.count)")
    fuzzCheck(a == b, "packets differ from libpcap's")
    // Both read to the end, or both stopped on something wrong (which of "cut" and
    // "malformed" a broken block is called may differ in libpcap's corner cases).
    fuzzCheck((kind(endA) >= 2) == (kind(endB) >= 2), "ended \(endA), libpcap \(endB)")
    return 0
}

exit(runLibFuzzer(fuzzMappedCapture))
