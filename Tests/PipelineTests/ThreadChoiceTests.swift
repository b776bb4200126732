import Foundation
import TLSDumpPipeline
import XCTest

/// The default thread count for a file: one per core where the start of the
/// file is handshake-dense, one where it is a bulk transfer.
final class ThreadChoiceTests: XCTestCase {
    func testHandshakeDenseCaptureGetsOneThreadPerCore() throws {
        let capture = try ThreadedPipelineTests.interleavedCapture()
        let choice = try XCTUnwrap(ThreadChoice.sample(path: capture.path))
        XCTAssertGreaterThan(choice.tcpPackets, 5_000)
        XCTAssertGreaterThan(choice.connectionStarts, 100)
        XCTAssertGreaterThan(choice.handshakePackets, 500)
        XCTAssertGreaterThanOrEqual(choice.share, ThreadChoice.minimumShare)
        XCTAssertEqual(choice.threads(cores: 2), 2)
        XCTAssertEqual(choice.threads(cores: 8), 8)
        // Through the run's BPF filter: packets the analysis will not see do not count.
        let none = try XCTUnwrap(ThreadChoice.sample(path: capture.path, filter: "tcp port 1"))
        XCTAssertEqual(none.tcpPackets, 0)
        XCTAssertEqual(none.threads(cores: 2), 1)
        let synOnly = try XCTUnwrap(ThreadChoice.sample(path: capture.path, filter: "tcp[tcpflags] & tcp-syn != 0"))
        XCTAssertEqual(synOnly.handshakePackets, 0)
        XCTAssertGreaterThan(synOnly.connectionStarts, 100)
        XCTAssertNil(ThreadChoice.sample(path: capture.path, filter: "not a filter ((("))
    }

    /// Two downloads: a handshake each, then thousands of application-data segments.
    func testBulkTransferGetsOneThread() throws {
        var pcap = PcapBytes()
        for client in 0..<2 {
            let port = UInt16(40_000 + client)
            pcap.tcp(fromClient: true, port: port, flags: 0x02, payload: [])            // SYN
            pcap.tcp(fromClient: false, port: port, flags: 0x12, payload: [])           // SYN-ACK
            pcap.tcp(fromClient: true, port: port, flags: 0x18, payload: [0x16, 3, 1, 0, 4, 1, 0, 0, 0])
            pcap.tcp(fromClient: false, port: port, flags: 0x18, payload: [0x16, 3, 3, 0, 4, 2, 0, 0, 0])
        }
        for i in 0..<6_000 {
            let body = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 1_200)
            pcap.tcp(fromClient: false, port: UInt16(40_000 + i % 2), flags: 0x10, payload: [0x17, 3, 3, 0x04, 0xab] + body)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-bulk-\(getpid()).pcap")
        try Data(pcap.bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let choice = try XCTUnwrap(ThreadChoice.sample(path: url.path))
        XCTAssertEqual(choice.tcpPackets, 6_008)
        XCTAssertEqual(choice.connectionStarts, 2)
        XCTAssertEqual(choice.handshakePackets, 4)
        XCTAssertLessThan(choice.share, ThreadChoice.minimumShare)
        XCTAssertEqual(choice.threads(cores: 2), 1)
    }

    func testUnreadableFileHasNoSample() {
        XCTAssertNil(ThreadChoice.sample(path: "/nonexistent/capture.pcap"))
    }
}

/// A classic pcap (Ethernet, IPv4, TCP) built in memory, for tests of sampling.
private struct PcapBytes {
    var bytes: [UInt8] = []
    private var time: UInt32 = 0

    init() {
        le32(0xa1b2_c3d4); bytes += [2, 0, 4, 0]; le32(0); le32(0); le32(65_535); le32(1)
    }

    private mutating func le32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    mutating func tcp(fromClient: Bool, port: UInt16, flags: UInt8, payload: [UInt8]) {
        let client: [UInt8] = [10, 0, 0, 1], server: [UInt8] = [10, 0, 0, 2]
        let (src, dst) = fromClient ? (client, server) : (server, client)
        let (sport, dport) = fromClient ? (port, UInt16(443)) : (UInt16(443), port)
        let total = 20 + 20 + payload.count
        var frame: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
        frame += [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 0, 0x40, 0, 64, 6, 0, 0] + src + dst
        frame += [UInt8(sport >> 8), UInt8(sport & 0xff), UInt8(dport >> 8), UInt8(dport & 0xff)]
        frame += [0, 0, 0, 1, 0, 0, 0, 1, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0] + payload
        time += 1
        le32(1_700_000_000); le32(time); le32(UInt32(frame.count)); le32(UInt32(frame.count))
        bytes += frame
    }
}
