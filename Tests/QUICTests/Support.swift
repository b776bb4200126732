import Foundation
import XCTest
import TLSDumpQUIC

/// Hex helpers for test vectors.
func hex(_ s: String) -> [UInt8] {
    let digits = Array(s.utf8.filter { !$0.isASCIIWhitespace })
    var out: [UInt8] = []
    var i = 0
    while i + 1 < digits.count {
        out.append(UInt8(nibble(digits[i]) << 4 | nibble(digits[i + 1])))
        i += 2
    }
    return out
}

private func nibble(_ c: UInt8) -> Int {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c - UInt8(ascii: "A") + 10)
    default: return 0
    }
}

private extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0a || self == 0x0d || self == 0x09 }
}

func hexString(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// One UDP datagram of a capture.
struct UDPDatagram {
    var source: String
    var destination: String
    var payload: [UInt8]
}

/// A tiny capture reader for the tests: classic pcap and pcapng (little-endian),
/// link types Ethernet (1, with VLAN tags) and PPP (9); IPv4 (unfragmented) and
/// IPv6 (no extension headers) carrying UDP.
enum CaptureReader {
    static var quicCaptures: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/captures/quic")
    }

    static func udp(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UDPDatagram] {
        let url = quicCaptures.appendingPathComponent(name)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            XCTFail("capture missing: \(url.path) (the shared corpus ../shared/captures is needed)", file: file, line: line)
            throw error
        }
        let bytes = [UInt8](data)
        return frames(bytes).compactMap { decode(link: $0.link, $0.frame) }
    }

    private static func u32(_ b: [UInt8], _ o: Int) -> Int {
        Int(b[o]) | Int(b[o + 1]) << 8 | Int(b[o + 2]) << 16 | Int(b[o + 3]) << 24
    }

    private static func frames(_ b: [UInt8]) -> [(link: Int, frame: ArraySlice<UInt8>)] {
        var out: [(Int, ArraySlice<UInt8>)] = []
        guard b.count >= 24 else { return out }
        if b[0] == 0xd4 && b[1] == 0xc3 || b[0] == 0x4d && b[1] == 0x3c {
            let link = u32(b, 20)
            var o = 24
            while o + 16 <= b.count {
                let captured = u32(b, o + 8)
                guard o + 16 + captured <= b.count else { break }
                out.append((link, b[(o + 16)..<(o + 16 + captured)]))
                o += 16 + captured
            }
        } else if u32(b, 0) == 0x0a0d0d0a {
            var links: [Int] = []
            var o = 0
            while o + 12 <= b.count {
                let type = u32(b, o), length = u32(b, o + 4)
                guard length >= 12, o + length <= b.count else { break }
                if type == 0x0a0d0d0a { links = [] }
                if type == 1 { links.append(Int(b[o + 8]) | Int(b[o + 9]) << 8) }
                if type == 6 {
                    let interface = u32(b, o + 8), captured = u32(b, o + 20)
                    if interface < links.count, o + 28 + captured <= b.count {
                        out.append((links[interface], b[(o + 28)..<(o + 28 + captured)]))
                    }
                }
                o += length
            }
        }
        return out
    }

    private static func decode(link: Int, _ f: ArraySlice<UInt8>) -> UDPDatagram? {
        let p = Array(f)
        var o = 0
        var ipVersion = 0
        switch link {
        case 1:
            guard p.count >= 14 else { return nil }
            var type = Int(p[12]) << 8 | Int(p[13])
            o = 14
            while type == 0x8100 && p.count >= o + 4 {
                type = Int(p[o + 2]) << 8 | Int(p[o + 3])
                o += 4
            }
            ipVersion = type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0
        case 9:
            if p.count >= 2 && p[0] == 0xff && p[1] == 0x03 { o = 2 }
            guard p.count >= o + 2 else { return nil }
            let proto = Int(p[o]) << 8 | Int(p[o + 1])
            o += 2
            ipVersion = proto == 0x0021 ? 4 : proto == 0x0057 ? 6 : 0
        default:
            return nil
        }
        var src = "", dst = ""
        var udp = 0, end = p.count
        if ipVersion == 4 {
            guard p.count >= o + 20, p[o + 9] == 17 else { return nil }
            let ihl = Int(p[o] & 0x0f) * 4
            end = min(p.count, o + (Int(p[o + 2]) << 8 | Int(p[o + 3])))
            src = p[(o + 12)..<(o + 16)].map(String.init).joined(separator: ".")
            dst = p[(o + 16)..<(o + 20)].map(String.init).joined(separator: ".")
            udp = o + ihl
        } else if ipVersion == 6 {
            guard p.count >= o + 40, p[o + 6] == 17 else { return nil }
            end = min(p.count, o + 40 + (Int(p[o + 4]) << 8 | Int(p[o + 5])))
            src = "[" + hexString(p[(o + 8)..<(o + 24)]) + "]"
            dst = "[" + hexString(p[(o + 24)..<(o + 40)]) + "]"
            udp = o + 40
        } else {
            return nil
        }
        guard end >= udp + 8 else { return nil }
        let sport = Int(p[udp]) << 8 | Int(p[udp + 1]), dport = Int(p[udp + 2]) << 8 | Int(p[udp + 3])
        let udpEnd = min(end, udp + (Int(p[udp + 4]) << 8 | Int(p[udp + 5])))
        guard udpEnd >= udp + 8 else { return nil }
        return UDPDatagram(source: "\(src):\(sport)", destination: "\(dst):\(dport)", payload: Array(p[(udp + 8)..<udpEnd]))
    }
}

/// The oracle's per-side packet counts of one capture's first flow.
struct OraclePackets: Decodable {
    var initial: Int, zero_rtt: Int, handshake: Int, retry: Int, version_negotiation: Int, short: Int
}

struct OracleFlow: Decodable {
    var client: String
    var server: String
    var packets: [String: OraclePackets]
    var sni: String?
    var client_extensions: [Int]
}

func oracle(_ name: String) throws -> [OracleFlow] {
    let url = CaptureReader.quicCaptures.appendingPathComponent(name + ".oracle.json")
    return try JSONDecoder().decode([OracleFlow].self, from: Data(contentsOf: url))
}

/// What a splitter walk of many datagrams found, per packet type.
func countPackets(_ datagrams: [[UInt8]], shortHeaderDCIDLength: Int? = nil) -> [QUICPacketType: Int] {
    var counts: [QUICPacketType: Int] = [:]
    for d in datagrams {
        for p in QUICDatagramSplitter.split(d, shortHeaderDCIDLength: shortHeaderDCIDLength).packets {
            counts[p.type, default: 0] += 1
        }
    }
    return counts
}
