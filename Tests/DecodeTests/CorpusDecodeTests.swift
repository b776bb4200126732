import XCTest
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode

/// Reader + decoder over real captures, against counts from tshark 4.0:
/// `tshark -r F -Y 'tcp && !icmp' | wc -l` and the sum of `tcp.len`.
/// (tshark's plain `-Y tcp` also matches TCP headers quoted inside ICMP errors:
/// latest.pcapng has 142 by that count, 5 of them ICMP.)
final class CorpusDecodeTests: XCTestCase {
    struct Expectation {
        var file: String
        var packets: Int
        var tcp: Int
        var payloadBytes: Int
        var syn: Int
    }

    static let expectations: [Expectation] = [
        Expectation(file: "zeek/tls1.2.pcap", packets: 22, tcp: 22, payloadBytes: 6749, syn: 2),
        Expectation(file: "zeek/ssl.v3.pcap", packets: 252, tcp: 252, payloadBytes: 169_870, syn: 6),
        Expectation(file: "zeek/tls-fragmented-handshake.pcap", packets: 416, tcp: 416, payloadBytes: 340_365, syn: 2),
        Expectation(file: "ja4/gre-sample.pcap", packets: 40, tcp: 22, payloadBytes: 2623, syn: 2),          // GRE
        Expectation(file: "zeek/openjdk-25.0.2-zeek.org.pcap", packets: 6, tcp: 6, payloadBytes: 3377, syn: 2),  // SLL2
        Expectation(file: "zeek/irc-starttls.pcap", packets: 20, tcp: 20, payloadBytes: 2816, syn: 2),      // SLL
        Expectation(file: "zeek/pop3-starttls.pcap", packets: 33, tcp: 33, payloadBytes: 3441, syn: 2),     // NULL
        Expectation(file: "ja4/ipv6.pcapng", packets: 9, tcp: 9, payloadBytes: 3047, syn: 2),               // NULL, IPv6
        Expectation(file: "ja4/tls-alpn-h2.pcap", packets: 9, tcp: 9, payloadBytes: 3047, syn: 2),          // NULL
        Expectation(file: "zeek/ml-dsa-44-cert.pcap", packets: 5, tcp: 5, payloadBytes: 4175, syn: 2),      // RAW
        Expectation(file: "zeek/ocsp-empty-responderid.pcap", packets: 7, tcp: 7, payloadBytes: 420, syn: 2),  // IPV4
        Expectation(file: "ja4/v6.pcap", packets: 161, tcp: 62, payloadBytes: 4626, syn: 2),                // IPv6 over Ethernet
        Expectation(file: "ja4/tls3.pcapng", packets: 1189, tcp: 386, payloadBytes: 248_579, syn: 16),
        Expectation(file: "ja4/latest.pcapng", packets: 209, tcp: 137, payloadBytes: 56452, syn: 12),
        Expectation(file: "ja4/browsers-x509.pcapng", packets: 179, tcp: 179, payloadBytes: 46202, syn: 6),
        Expectation(file: "zeek/dtls1_2.pcap", packets: 16, tcp: 0, payloadBytes: 0, syn: 0),
    ]

    func testSegmentCountsMatchTshark() throws {
        for expected in Self.expectations {
            let reader = try PcapReader.open(path: try Corpus.path(expected.file))
            var decoder = try PacketDecoder(linkType: reader.linkType)
            var tcp = 0, bytes = 0, syn = 0
            let end = reader.forEachPacket { header, packet in
                if let segment = decoder.decode(packet, timestamp: header.timestamp) {
                    tcp += 1
                    bytes += segment.payload.count
                    if segment.flags.contains(.syn) { syn += 1 }
                    XCTAssertFalse(segment.payloadTruncated, expected.file)
                    XCTAssertEqual(segment.timestamp, header.timestamp)
                }
                return true
            }
            reader.close()
            XCTAssertEqual(end, .endOfInput, expected.file)
            XCTAssertEqual(decoder.stats.packets, expected.packets, expected.file)
            XCTAssertEqual(tcp, expected.tcp, expected.file)
            XCTAssertEqual(decoder.stats.tcp, expected.tcp, expected.file)
            XCTAssertEqual(bytes, expected.payloadBytes, expected.file)
            XCTAssertEqual(syn, expected.syn, expected.file)
            XCTAssertEqual(decoder.stats.malformed, 0, expected.file)
            XCTAssertEqual(decoder.stats.truncated, 0, expected.file)
            XCTAssertEqual(decoder.stats.packets, decoder.stats.tcp + decoder.stats.nonTCP, expected.file)
        }
    }

    func testGRESampleIsDecapsulated() throws {
        let reader = try PcapReader.open(path: try Corpus.path("ja4/gre-sample.pcap"))
        var decoder = try PacketDecoder(linkType: reader.linkType)
        var ports = Set<UInt16>()
        _ = reader.forEachPacket { header, packet in
            if let s = decoder.decode(packet, timestamp: header.timestamp) { ports.insert(min(s.sourcePort, s.destinationPort)) }
            return true
        }
        XCTAssertEqual(decoder.stats.tunneled, 40)
        XCTAssertTrue(ports.contains(22), "the tunnelled SSH session: \(ports)")
    }

    func testIPv6Endpoints() throws {
        let reader = try PcapReader.open(path: try Corpus.path("ja4/ipv6.pcapng"))
        var decoder = try PacketDecoder(linkType: reader.linkType)
        var sources = Set<String>()
        _ = reader.forEachPacket { header, packet in
            if let s = decoder.decode(packet, timestamp: header.timestamp) {
                XCTAssertTrue(s.source.isIPv6)
                sources.insert("\(s.source)")
            }
            return true
        }
        XCTAssertEqual(sources.count, 2)
    }

    /// Every capture of the corpus decodes without malformed or truncated packets.
    func testWholeCorpusDecodesCleanly() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Corpus.directory.appendingPathComponent("zeek").path).map { "zeek/\($0)" }
            + FileManager.default.contentsOfDirectory(atPath: Corpus.directory.appendingPathComponent("ja4").path).map { "ja4/\($0)" }
        let captures = names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
        XCTAssertGreaterThan(captures.count, 80)
        for name in captures {
            let reader = try PcapReader.open(path: try Corpus.path(name))
            try reader.requireLinkType(supported: PacketDecoder.isSupported)
            var decoder = try PacketDecoder(linkType: reader.linkType)
            let end = reader.forEachPacket { header, packet in
                _ = decoder.decode(packet, timestamp: header.timestamp)
                return true
            }
            XCTAssertEqual(end, .endOfInput, name)
            XCTAssertEqual(decoder.stats.malformed + decoder.stats.truncated + decoder.stats.unsupportedLink, 0, "\(name): \(decoder.stats)")
        }
    }
}
