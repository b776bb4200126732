import Foundation
import TLSDumpAnalysis
import TLSDumpTLS
import XCTest

/// The backbone of correctness: tlsdump over every capture in ../shared/captures,
/// compared with what tshark reports (the `*.oracle.json` files) on version,
/// cipher suite, SNI, the handshake messages and alerts each side sent in
/// clear, and the per-side record counts by content type.
final class CorpusTests: XCTestCase {
    struct Sides<T: Decodable>: Decodable {
        var client: T
        var server: T
    }

    struct OracleAlert: Decodable, Equatable {
        var level: Int
        var description: Int
    }

    struct OracleConnection: Decodable {
        var client: String
        var server: String
        var version: String?
        var cipher: String?
        var sni: String?
        var handshake: Sides<[Int]>
        var alerts: Sides<[OracleAlert]>
        var records: Sides<[String: Int]>
    }

    /// Where tlsdump and tshark (as the shared oracle ran it) disagree, and why tlsdump is
    /// right. Each entry lists the exact differences expected, so any other change still fails.
    /// The first four vanish when tshark's own `tcp.reassemble_out_of_order` preference is on
    /// (see testCorpusAgreesWithTsharkReassemblingOutOfOrder).
    static let explainedDifferences: [String: (reason: String, differences: [String])] = [
        "zeek/dhe.pcap|192.168.18.50:62277|162.219.2.166:443": (
            "Frame 15 retransmits the client's 69 bytes and adds 53 new ones (another application data record); tshark labels the whole segment a retransmission and drops the new bytes.",
            ["client.records.application_data: tlsdump 2, oracle 1"]),
        "zeek/ssl.v3.pcap|192.150.187.164:58870|194.127.84.106:443": (
            "The server's 23-byte encrypted alert was first lost in capture and arrives in frame 251 as a retransmission filling the hole; tshark does not use retransmitted bytes that fill a hole.",
            ["server.records.alert: tlsdump 1, oracle 0"]),
        "ja4/browsers-x509.pcapng|172.27.7.31:54524|13.107.21.239:443": (
            "Frames 92 and 94 retransmit two server records (146 and 38 bytes) whose first transmission was not captured; tshark skips them, tlsdump reassembles them.",
            ["server.records.application_data: tlsdump 28, oracle 26"]),
        "zeek/hrr.pcap|10.192.48.168:63564|64.233.185.139:443": (
            "After the HelloRetryRequest, the server's ServerHello flight arrives out of order (frame 11 after frame 9); tshark gives up on the out-of-order segment and misses the ServerHello and one encrypted record, tlsdump reorders them.",
            ["server.handshake: tlsdump [2, 2], oracle [2]", "server.records.handshake: tlsdump 2, oracle 1",
             "server.records.application_data: tlsdump 2, oracle 1"]),
        "zeek/tls1.2-late-protocol-error.pcap|10.0.0.80:56637|68.233.76.12:443": (
            "The trace corrupts the client's ChangeCipherSpec record header (version 0xffff) in frame 10; tshark stops dissecting the client stream there. The server carried on (its CCS, Finished and application data follow), so the client's encrypted Finished, two application data records and closing alert are real: tlsdump flags the bad header (tls.malformed), resynchronises and counts them.",
            ["client.records.handshake: tlsdump 3, oracle 2", "client.records.alert: tlsdump 1, oracle 0",
             "client.records.application_data: tlsdump 2, oracle 0"]),
    ]

    /// The same comparison against tshark with out-of-order reassembly on
    /// (tools/make-oracle-out-of-order.sh): only the corrupted header remains.
    static let explainedOutOfOrderDifferences: [String: (reason: String, differences: [String])] = [
        "zeek/tls1.2-late-protocol-error.pcap|10.0.0.80:56637|68.233.76.12:443":
            explainedDifferences["zeek/tls1.2-late-protocol-error.pcap|10.0.0.80:56637|68.233.76.12:443"]!,
    ]

    /// TLS 1.3 records tshark reports as `opaque_type` in a packet that also holds a
    /// clear record; make-oracle.py counts `content_type or opaque_type`, so it drops
    /// them. tools/oracle-opaque-records.py counts them with tshark, per connection.
    static func droppedRecords(_ file: String) -> [String: [String: [String: Int]]] {
        guard let data = try? Data(contentsOf: Paths.fixtures.appendingPathComponent(file)),
              let decoded = try? JSONDecoder().decode([String: [String: [String: Int]]].self, from: data) else { return [:] }
        return decoded
    }

    static let handshakeCodes: [String: Int] = {
        var codes: [String: Int] = [:]
        for code in 0...255 {
            if let name = TLSRegistry.handshakeTypeName(UInt8(code)) { codes[name] = code }
        }
        return codes
    }()

    struct Agreement {
        var total = 0
        var agreeing = 0
        var explained = 0
        var fraction: Double { Double(agreeing) / Double(max(total, 1)) }
    }

    /// Runs tlsdump over every capture that has an oracle under `oracleRoot` and compares.
    private func compareCorpus(oracleRoot: URL, dropped: [String: [String: [String: Int]]],
                               explained: [String: (reason: String, differences: [String])]) throws -> Agreement {
        var result = Agreement()
        var unexplained: [String] = []
        var seenExplained = Set<String>()
        for (capture, _) in Paths.oracleCaptures() {
            let relative = capture.deletingLastPathComponent().lastPathComponent + "/" + capture.lastPathComponent
            let oracleURL = oracleRoot.appendingPathComponent(relative + ".oracle.json")
            let oracle = try JSONDecoder().decode([OracleConnection].self, from: Data(contentsOf: oracleURL))
            let sink = try analyse(capture)
            var byEndpoints: [String: (flow: FlowIdentity, summary: ConnectionSummary)] = [:]
            for c in sink.connections {
                byEndpoints[oracleEndpoint(c.flow.client) + "|" + oracleEndpoint(c.flow.server)] = c
            }
            for expected in oracle {
                result.total += 1
                let key = "\(relative)|\(expected.client)|\(expected.server)"
                var swapped = false
                var found = byEndpoints[expected.client + "|" + expected.server]
                if found == nil, let reverse = byEndpoints[expected.server + "|" + expected.client] {
                    // tshark calls the first packet's sender the client when it saw no hello and no SYN;
                    // tlsdump takes the well-known port as the server's.
                    found = reverse
                    swapped = true
                }
                guard let (_, summary) = found else {
                    unexplained.append("\(key): no connection event")
                    continue
                }
                let extra = dropped[relative]?["\(expected.client)|\(expected.server)"] ?? [:]
                let differences = compare(summary, expected, swapped: swapped, droppedByOracle: extra)
                if differences.isEmpty {
                    result.agreeing += 1
                } else if let known = explained[key] {
                    seenExplained.insert(key)
                    XCTAssertEqual(differences, known.differences, "\(key): \(known.reason)")
                    result.explained += 1
                } else {
                    unexplained.append("\(key): " + differences.joined(separator: "; "))
                }
            }
        }
        XCTAssertEqual(Set(explained.keys), seenExplained, "an explained difference no longer occurs: update the table")
        XCTAssertEqual(unexplained, [], "unexplained differences from tshark")
        return result
    }

    func testCorpusAgreesWithTshark() throws {
        XCTAssertGreaterThanOrEqual(Paths.oracleCaptures().count, 85, "shared corpus missing at \(Paths.sharedCaptures.path)")
        let a = try compareCorpus(oracleRoot: Paths.sharedCaptures, dropped: CorpusTests.droppedRecords("oracle-opaque-records.json"),
                                  explained: CorpusTests.explainedDifferences)
        XCTAssertEqual(a.total, 232, "oracle connection count changed")
        print("corpus agreement with the shared oracle: \(a.agreeing)/\(a.total) (\(String(format: "%.1f", a.fraction * 100))%); \(a.explained) differences where tshark is wrong, explained")
        XCTAssertEqual(a.agreeing + a.explained, a.total)
        XCTAssertGreaterThanOrEqual(a.fraction, 0.975)
    }

    /// tshark leaves out-of-order and hole-filling retransmitted segments out of TCP
    /// reassembly unless `tcp.reassemble_out_of_order` is on. With it on, tshark and
    /// tlsdump agree on all but the corrupted record header.
    func testCorpusAgreesWithTsharkReassemblingOutOfOrder() throws {
        let root = Paths.fixtures.appendingPathComponent("oracle-out-of-order")
        let a = try compareCorpus(oracleRoot: root, dropped: CorpusTests.droppedRecords("oracle-out-of-order/opaque-records.json"),
                                  explained: CorpusTests.explainedOutOfOrderDifferences)
        XCTAssertEqual(a.total, 233, "oracle connection count changed")
        print("corpus agreement with tshark reassembling out of order: \(a.agreeing)/\(a.total) (\(String(format: "%.1f", a.fraction * 100))%)")
        XCTAssertGreaterThanOrEqual(a.fraction, 0.98)
    }

    private func compare(_ c: ConnectionSummary, _ o: OracleConnection, swapped: Bool, droppedByOracle: [String: Int]) -> [String] {
        var differences: [String] = []
        if let version = o.version.flatMap(hexValue) {
            if c.version.map(Int.init) != version { differences.append("version: tlsdump \(c.version.map { String($0, radix: 16) } ?? "nil"), oracle \(o.version ?? "nil")") }
        }
        if let cipher = o.cipher.flatMap(hexValue), c.cipherSuite.map(Int.init) != cipher {
            differences.append("cipher: tlsdump \(c.cipherSuite.map { String($0, radix: 16) } ?? "nil"), oracle \(o.cipher ?? "nil")")
        }
        if c.sni != o.sni { differences.append("sni: tlsdump \(c.sni ?? "nil"), oracle \(o.sni ?? "nil")") }
        for side in [Side.client, Side.server] {
            let oracleSide = swapped ? side.other : side
            let oHandshake = oracleSide == .client ? o.handshake.client : o.handshake.server
            let oAlerts = oracleSide == .client ? o.alerts.client : o.alerts.server
            var oRecords = oracleSide == .client ? o.records.client : o.records.server
            if let extra = droppedByOracle[oracleSide.rawValue], extra > 0 {
                oRecords["application_data", default: 0] += extra
            }
            let handshake = c.handshakes.flatMap { $0.messages }.filter { $0.sender == side && !$0.encrypted }
                .map { m in m.type.flatMap { CorpusTests.handshakeCodes[$0] } ?? -1 }
            if handshake != oHandshake { differences.append("\(side.rawValue).handshake: tlsdump \(handshake), oracle \(oHandshake)") }
            let alerts = c.alerts.filter { $0.sender == side && !$0.encrypted }
                .map { OracleAlert(level: Int($0.level ?? 0), description: Int($0.description ?? 0)) }
            if alerts != oAlerts { differences.append("\(side.rawValue).alerts: tlsdump \(alerts), oracle \(oAlerts)") }
            let r = side == .client ? c.records.client : c.records.server
            let ours: [(String, Int)] = [("handshake", r.handshake), ("change_cipher_spec", r.changeCipherSpec), ("alert", r.alert),
                                         ("application_data", r.applicationData), ("heartbeat", r.heartbeat)]
            for (name, count) in ours where count != oRecords[name, default: 0] {
                differences.append("\(side.rawValue).records.\(name): tlsdump \(count), oracle \(oRecords[name, default: 0])")
            }
        }
        return differences
    }

    private func hexValue(_ s: String) -> Int? {
        guard s.hasPrefix("0x") else { return nil }
        return Int(s.dropFirst(2), radix: 16)
    }

    /// No connection of the shared corpus renegotiates; tlsdump must not invent one.
    func testNoFalseRenegotiationInCorpus() throws {
        for (capture, _) in Paths.oracleCaptures() {
            let sink = try analyse(capture)
            for (flow, summary) in sink.connections {
                XCTAssertEqual(summary.renegotiations, 0, "\(capture.lastPathComponent) \(flow.flowID): false renegotiation")
            }
            XCTAssertFalse(sink.events.contains { if case .renegotiation = $0.body { return true } else { return false } },
                           "\(capture.lastPathComponent): renegotiation event")
        }
    }

    /// Every event a capture produces is a valid envelope; every corpus capture decodes without malformed packets.
    func testEveryCorpusCaptureProducesCoherentEvents() throws {
        for (capture, _) in Paths.oracleCaptures() {
            let sink = try analyse(capture)
            guard let last = sink.events.last, case .stats(let stats) = last.body else {
                XCTFail("\(capture.lastPathComponent): stats is not the last event")
                continue
            }
            XCTAssertEqual(stats.events, sink.events.count, capture.lastPathComponent)
            XCTAssertEqual(sink.connections.count, stats.tlsConnections, "\(capture.lastPathComponent): one connection event per TLS connection")
            let ids = sink.connections.map { $0.flow.flowID }
            XCTAssertEqual(ids.count, Set(ids).count, "\(capture.lastPathComponent): flow ids unique")
        }
    }
}
