import Foundation
import XCTest
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode

final class PcapReaderTests: XCTestCase {
    private func headers(_ reader: PcapReader) -> ([PacketHeader], ReadEnd) {
        var all: [PacketHeader] = []
        let end = reader.forEachPacket { header, bytes in
            XCTAssertEqual(bytes.count, header.capturedLength)
            all.append(header)
            return true
        }
        return (all, end)
    }

    func testReadsClassicPcapWithExactTimestamps() throws {
        let path = try Corpus.path("zeek/tls1.2.pcap")
        let reader = try PcapReader.open(path: path)
        defer { reader.close() }
        XCTAssertEqual(reader.linkType, 1)
        XCTAssertEqual(reader.linkTypeName, "EN10MB")
        XCTAssertEqual(reader.fileSize, 8601)
        let (all, end) = headers(reader)
        XCTAssertEqual(end, .endOfInput)
        XCTAssertEqual(all.count, 22)
        // tshark: 1357328848.512314000 78 78 / 1357328848.548977000
        XCTAssertEqual(all[0], PacketHeader(timestamp: Timestamp(nanoseconds: 1_357_328_848_512_314_000), capturedLength: 78, wireLength: 78, linkType: 1))
        XCTAssertEqual(all[1].timestamp, Timestamp(nanoseconds: 1_357_328_848_548_977_000))
    }

    func testReadsPcapng() throws {
        let reader = try PcapReader.open(path: try Corpus.path("ja4/tls3.pcapng"))
        let (all, end) = headers(reader)
        XCTAssertEqual(end, .endOfInput)
        XCTAssertEqual(all.count, 1189)
        XCTAssertEqual(all[0].timestamp, Timestamp(nanoseconds: 1_692_898_400_148_036_000))
        XCTAssertEqual(all[1].timestamp, Timestamp(nanoseconds: 1_692_898_400_148_735_000))
        XCTAssertEqual(all[0].capturedLength, 164)
    }

    func testLinkTypesOfTheCorpus() throws {
        let expected: [(String, Int32, String)] = [
            ("zeek/openjdk-25.0.2-zeek.org.pcap", 276, "LINUX_SLL2"),
            ("zeek/irc-starttls.pcap", 113, "LINUX_SLL"),
            ("zeek/ml-dsa-44-cert.pcap", 12, "RAW"),  // LINKTYPE_RAW 101 in the file, mapped by libpcap
            ("zeek/ocsp-empty-responderid.pcap", 228, "IPV4"),
            ("zeek/pop3-starttls.pcap", 0, "NULL"),
            ("ja4/ipv6.pcapng", 0, "NULL"),  // a classic pcap despite its name
        ]
        for (name, dlt, dltName) in expected {
            let reader = try PcapReader.open(path: try Corpus.path(name))
            XCTAssertEqual(reader.linkType, dlt, name)
            XCTAssertEqual(reader.linkTypeName, dltName, name)
            XCTAssertNoThrow(try reader.requireLinkType(supported: PacketDecoder.isSupported), name)
        }
    }

    func testNanosecondAndMicrosecondFilesAreExact() throws {
        let dir = try TemporaryDirectory()
        let packet: [UInt8] = [1, 2, 3, 4]
        let nano = try dir.write("nano.pcap", PcapFile.header(nanosecond: true, linkType: 1)
            + PcapFile.record(seconds: 1_700_000_000, fraction: 123_456_789, data: packet, wireLength: 1500))
        let micro = try dir.write("micro.pcap", PcapFile.header(nanosecond: false, linkType: 1)
            + PcapFile.record(seconds: 1_700_000_000, fraction: 654_321, data: packet))
        let (n, _) = headers(try PcapReader.open(path: nano))
        XCTAssertEqual(n, [PacketHeader(timestamp: Timestamp(nanoseconds: 1_700_000_000_123_456_789), capturedLength: 4, wireLength: 1500, linkType: 1)])
        let (m, _) = headers(try PcapReader.open(path: micro))
        XCTAssertEqual(m.first?.timestamp, Timestamp(nanoseconds: 1_700_000_000_654_321_000))
    }

    func testStopAndClose() throws {
        let reader = try PcapReader.open(path: try Corpus.path("zeek/tls1.2.pcap"))
        var seen = 0
        XCTAssertEqual(reader.forEachPacket { _, _ in seen += 1; return seen < 5 }, .stopped)
        XCTAssertEqual(seen, 5)
        // Continues where it stopped.
        XCTAssertEqual(headers(reader).0.count, 17)
        reader.close()
        XCTAssertEqual(headers(reader).0.count, 0)
        XCTAssertThrowsError(try reader.setFilter("tcp")) { XCTAssertEqual($0 as? CaptureError, .closed) }
        reader.close()  // idempotent
    }

    func testBPFFilterApplied() throws {
        let reader = try PcapReader.open(path: try Corpus.path("zeek/tls1.2.pcap"))
        try reader.setFilter("tcp src port 443")
        XCTAssertEqual(headers(reader).0.count, 9)  // tshark -Y tcp.srcport==443
        let all = try PcapReader.open(path: try Corpus.path("zeek/tls1.2.pcap"))
        try all.setFilter("")
        XCTAssertEqual(headers(all).0.count, 22)
    }

    func testBadFilterRejectedWithLibpcapMessage() throws {
        let reader = try PcapReader.open(path: try Corpus.path("zeek/tls1.2.pcap"))
        XCTAssertThrowsError(try reader.setFilter("tcp porrt 443")) { error in
            guard case .badFilter(let expression, let message)? = error as? CaptureError else { return XCTFail("\(error)") }
            XCTAssertEqual(expression, "tcp porrt 443")
            XCTAssertTrue(message.contains("syntax error"), message)
            XCTAssertEqual("\(error)", "bad capture filter \"tcp porrt 443\": \(message)")
        }
    }

    func testMissingFile() {
        XCTAssertThrowsError(try PcapReader.open(path: "/nonexistent/x.pcap")) { error in
            XCTAssertEqual(error as? CaptureError, .fileNotFound(path: "/nonexistent/x.pcap"))
            XCTAssertEqual("\(error)", "no such file: /nonexistent/x.pcap")
        }
    }

    func testDirectoryEmptyGarbageAndTinyFiles() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try PcapReader.open(path: dir.url.path)) {
            XCTAssertEqual($0 as? CaptureError, .notARegularFile(path: dir.url.path))
        }
        let empty = try dir.write("empty.pcap", [])
        XCTAssertThrowsError(try PcapReader.open(path: empty)) {
            XCTAssertEqual($0 as? CaptureError, .emptyFile(path: empty))
        }
        let garbage = try dir.write("garbage.pcap", Array("this is not a capture file at all\n".utf8))
        XCTAssertThrowsError(try PcapReader.open(path: garbage)) { error in
            XCTAssertEqual(error as? CaptureError, .notACaptureFile(path: garbage))
            XCTAssertEqual("\(error)", "\(garbage) is not a pcap or pcapng capture")
        }
        // libpcap: "truncated dump file; tried to read 4 file header bytes, only got 3"
        let tiny = try dir.write("tiny.pcap", [0xD4, 0xC3, 0xB2])
        XCTAssertThrowsError(try PcapReader.open(path: tiny)) {
            XCTAssertEqual($0 as? CaptureError, .notACaptureFile(path: tiny))
        }
        // A valid magic number, then the file header stops: "... tried to read 24 file header bytes, only got 6"
        let header = try dir.write("header.pcap", Array(PcapFile.header(nanosecond: false, linkType: 1).prefix(10)))
        XCTAssertThrowsError(try PcapReader.open(path: header)) { error in
            guard case .truncatedHeader(let path, let detail)? = error as? CaptureError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, header)
            XCTAssertTrue(detail.contains("24 file header bytes"), detail)
        }
    }

    func testTruncatedRecordDeliversEverythingBefore() throws {
        let dir = try TemporaryDirectory()
        let source = try Data(contentsOf: URL(fileURLWithPath: try Corpus.path("zeek/tls1.2.pcap")))
        // libpcap: "truncated dump file; tried to read 66 captured bytes, only got 31" after 8 packets.
        let cut = try dir.write("cut.pcap", Array(source.prefix(5000)))
        let (all, end) = headers(try PcapReader.open(path: cut))
        XCTAssertEqual(all.count, 8)
        guard case .truncated(let message) = end else { return XCTFail("\(end)") }
        XCTAssertTrue(message.contains("truncated dump file"), message)
        // Cut inside a record header.
        let inHeader = try dir.write("inheader.pcap", Array(source.prefix(30)))
        let (none, end2) = headers(try PcapReader.open(path: inHeader))
        XCTAssertEqual(none.count, 0)
        XCTAssertEqual(end2, .truncated("truncated dump file; tried to read 16 header bytes, only got 6"))
        // A file holding only its header is just empty.
        let headerOnly = try dir.write("headeronly.pcap", Array(source.prefix(24)))
        XCTAssertEqual(headers(try PcapReader.open(path: headerOnly)).1, .endOfInput)
    }

    /// The file is read through a 1 MiB stdio buffer: records that straddle
    /// its refills arrive whole and in order, and a cut in the last refill is
    /// still reported as truncation.
    func testRecordsAcrossReadBufferRefills() throws {
        let dir = try TemporaryDirectory()
        var file: [UInt8] = []
        func le32(_ v: Int) { for shift in stride(from: 0, to: 32, by: 8) { file.append(UInt8(truncatingIfNeeded: v >> shift)) } }
        // Classic pcap, microseconds, little-endian, snaplen 65535, Ethernet.
        le32(0xa1b2_c3d4); file += [2, 0, 4, 0]; le32(0); le32(0); le32(65535); le32(1)
        var lengths: [Int] = []
        var index = 0
        while file.count < 3 * PcapReader.readBufferBytes + 12345 {
            let length = 60 + (index * 7919) % 9000   // 60...9059 bytes
            le32(1_700_000_000 + index); le32(index % 1_000_000); le32(length); le32(length)
            file += (0..<length).map { UInt8(truncatingIfNeeded: index &+ $0) }
            lengths.append(length)
            index += 1
        }
        let whole = try dir.write("big.pcap", file)
        let reader = try PcapReader.open(path: whole)
        var seen = 0
        let end = reader.forEachPacket { header, bytes in
            XCTAssertEqual(header.capturedLength, lengths[seen], "record \(seen)")
            XCTAssertEqual(header.timestamp.nanoseconds / 1_000_000_000, Int64(1_700_000_000 + seen))
            let expected = (0..<bytes.count).allSatisfy { bytes[$0] == UInt8(truncatingIfNeeded: seen &+ $0) }
            XCTAssertTrue(expected, "record \(seen): bytes differ")
            seen += 1
            return true
        }
        reader.close()
        XCTAssertEqual(end, .endOfInput)
        XCTAssertEqual(seen, lengths.count)
        XCTAssertGreaterThan(seen, 600)
        // Cut 100 bytes before the end: every record but the last, then truncation.
        let cut = try dir.write("bigcut.pcap", Array(file.dropLast(100)))
        let (all, cutEnd) = headers(try PcapReader.open(path: cut))
        XCTAssertEqual(all.count, lengths.count - 1)
        guard case .truncated = cutEnd else { return XCTFail("\(cutEnd)") }
    }

    func testTruncatedPcapng() throws {
        let dir = try TemporaryDirectory()
        let source = try Data(contentsOf: URL(fileURLWithPath: try Corpus.path("ja4/tls-sni.pcapng")))
        let cut = try dir.write("cut.pcapng", Array(source.prefix(20_000)))
        let (all, end) = headers(try PcapReader.open(path: cut))
        XCTAssertEqual(all.count, 20)
        guard case .truncated(let message) = end else { return XCTFail("\(end)") }
        XCTAssertTrue(message.contains("truncated pcapng dump file"), message)
        // Cut inside the section header block: fails at open.
        let early = try dir.write("early.pcapng", Array(source.prefix(100)))
        XCTAssertThrowsError(try PcapReader.open(path: early)) { error in
            guard case .truncatedHeader? = error as? CaptureError else { return XCTFail("\(error)") }
        }
    }

    func testUnsupportedLinkTypeIsReportedByName() throws {
        let dir = try TemporaryDirectory()
        let wifi = try dir.write("wifi.pcap", PcapFile.header(nanosecond: false, linkType: 105)
            + PcapFile.record(seconds: 1, fraction: 0, data: [0, 0, 0, 0]))
        let reader = try PcapReader.open(path: wifi)
        XCTAssertThrowsError(try reader.requireLinkType(supported: PacketDecoder.isSupported)) { error in
            XCTAssertEqual(error as? CaptureError, .unsupportedLinkType(name: "IEEE802_11", dlt: 105))
            XCTAssertEqual("\(error)", "unsupported link type IEEE802_11 (DLT 105)")
        }
    }

    func testReadsStandardInput() throws {
        let path = try Corpus.path("zeek/tls1.2.pcap")
        let file = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(file, 0)
        let savedStdin = dup(STDIN_FILENO)
        XCTAssertEqual(dup2(file, STDIN_FILENO), STDIN_FILENO)
        defer {
            dup2(savedStdin, STDIN_FILENO)
            close(savedStdin)
            close(file)
        }
        let reader = try PcapReader.open(path: "-")
        XCTAssertNil(reader.fileSize)
        XCTAssertEqual(reader.linkType, 1)
        let (all, end) = headers(reader)
        reader.close()
        XCTAssertEqual(all.count, 22)
        XCTAssertEqual(end, .endOfInput)
    }
}
