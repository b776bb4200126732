import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Live capture spread over cores and processes with PACKET_FANOUT: a real
/// capture (59 TCP and 20 QUIC connections) replayed onto a veth pair while
/// tlsdump captures the other end (Live/fanout.sh). With `--threads 2` (two
/// sockets, two workers, no reading thread) and with two processes in one
/// `--fanout-group`, every connection is seen by exactly one worker, whole,
/// and tells what the same packets read from the file tell. Needs root.
final class LiveFanoutTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        guard geteuid() == 0 else { throw XCTSkip("live capture on a veth pair needs root (CI runs the tests as root)") }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-fanout-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// What must agree between a live and a file run of the same packets
    /// (times differ: live packets carry the time they were captured).
    private static let comparedFields = ["version", "cipher_suite", "sni", "alpn", "ja3", "ja4", "ja3s", "established", "resumed",
                                         "transport", "server_certificate", "client", "server"]

    private func connections(_ url: URL) throws -> [String: NSDictionary] {
        let events = try jsonLines(Data(contentsOf: url))
        var byFlow: [String: NSDictionary] = [:]
        for event in events where event["type"] as? String == "connection" {
            let id = try XCTUnwrap(event["community_id"] as? String)
            XCTAssertNil(byFlow[id], "connection \(id) reported twice in \(url.lastPathComponent)")
            var kept: [String: Any] = [:]
            for field in Self.comparedFields { kept[field] = event[field] ?? NSNull() }
            kept["handshakes"] = (event["handshakes"] as? [Any])?.count ?? -1
            byFlow[id] = kept as NSDictionary
        }
        return byFlow
    }

    private func replay(mode: String) throws -> (file: [String: NSDictionary], live: [[String: NSDictionary]], stats: [[String: Any]]) {
        let source = Paths.sharedCaptures.appendingPathComponent("ja4/tls-handshake.pcapng")
        guard FileManager.default.fileExists(atPath: source.path) else { throw XCTSkip("shared corpus missing: \(source.path)") }
        let pcap = scratch.appendingPathComponent("replay.pcap")
        let fileEvents = scratch.appendingPathComponent("file.json")
        // The same packets as a classic pcap (what the replayer sends), and the file run of it.
        let copy = try runTLSDump(["-r", source.path, "-w", pcap.path, "--format", "json", "-o", fileEvents.path, "tcp or udp"])
        XCTAssertEqual(copy.status, 0, String(decoding: copy.stderr, as: UTF8.self))
        let script = Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Live/fanout.sh")
        let run = try runProcess(URL(fileURLWithPath: "/bin/bash"), [script.path, Paths.tlsdump.path, pcap.path, scratch.path, mode])
        XCTAssertEqual(run.status, 0, String(decoding: run.stderr, as: UTF8.self))
        XCTAssertEqual(String(decoding: run.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "193", "frames replayed")
        let outputs = (1...(mode == "group" ? 2 : 1)).map { scratch.appendingPathComponent("live-\($0).json") }
        let stats = try outputs.compactMap { try jsonLines(Data(contentsOf: $0)).last }
        return (try connections(fileEvents), try outputs.map(connections), stats)
    }

    private func assertSameConnections(_ file: [String: NSDictionary], _ live: [String: NSDictionary],
                                       file path: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(file.count, 79, file: path, line: line)
        XCTAssertEqual(Set(live.keys), Set(file.keys), "the same connections, live and from the file", file: path, line: line)
        for (id, expected) in file where live[id] != expected {
            XCTFail("\(id): live \(String(describing: live[id])) vs file \(expected)", file: path, line: line)
        }
    }

    func testTwoWorkersOnTwoSocketsSeeEveryConnectionWholeOnce() throws {
        let (file, live, stats) = try replay(mode: "threads")
        assertSameConnections(file, live[0])
        let final = try XCTUnwrap(stats.first)
        XCTAssertEqual(final["packets"] as? Int, 193, "both sockets' packets counted: \(final)")
        XCTAssertEqual(final["dropped"] as? Int, 0)
        XCTAssertEqual(final["quic_connections"] as? Int, 20)
    }

    func testTwoProcessesInOneFanoutGroupSeeDisjointHalvesWhoseUnionIsTheWhole() throws {
        let (file, live, stats) = try replay(mode: "group")
        XCTAssertEqual(live.count, 2)
        let first = Set(live[0].keys), second = Set(live[1].keys)
        XCTAssertTrue(first.isDisjoint(with: second), "a connection seen by both processes: \(first.intersection(second))")
        XCTAssertFalse(first.isEmpty || second.isEmpty, "the kernel dealt connections to both (\(first.count) and \(second.count))")
        assertSameConnections(file, live[0].merging(live[1]) { a, _ in a })
        XCTAssertEqual(stats.map { $0["packets"] as? Int ?? 0 }.reduce(0, +), 193, "every frame seen by one process")
    }
}
