import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpFlow
import TLSDumpTLS
import XCTest

/// Every QUIC connection of the shared QUIC captures against tshark's oracle
/// (`../shared/captures/quic/NAME.oracle.json`, made by make-quic-oracle.py)
/// and the JA4 reference's snapshots. Differences are pinned with the reason.
final class QUICCorpusTests: XCTestCase {
    struct OracleConnection: Decodable {
        var client: String
        var server: String
        var versions: [String]
        var sni: String?
        var alpn: [String]?
        var cipher: String?
        var version: String?
        var handshake: Handshakes?
        var packets: Sides<Packets>?

        struct Handshakes: Decodable { var client: [Int]; var server: [Int] }
        struct Sides<T: Decodable>: Decodable { var client: T; var server: T }
        struct Packets: Decodable {
            var initial: Int
            var zero_rtt: Int
            var handshake: Int
            var retry: Int
            var version_negotiation: Int
            var short: Int
        }
    }

    static var folder: URL { Paths.sharedCaptures.appendingPathComponent("quic") }

    static func captures() -> [(capture: URL, oracle: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { $0.hasSuffix(".oracle.json") }.map {
            (folder.appendingPathComponent(String($0.dropLast(".oracle.json".count))), folder.appendingPathComponent($0))
        }
    }

    /// Where tlsdump and tshark differ and tlsdump is right: "capture client" ->
    /// (the exact differences, why). A new difference in the same connection still fails.
    static let explained: [String: (differences: String, reason: String)] = [
        "chrome-cloudflare-quic-with-secrets.pcapng 2001:db8:1::1:50280": (
            "server short 16 != 18",
            "server datagrams 48 and 49 end with 1,147 and 1,059 zero bytes after their Initial; tshark counts each run as a 1-RTT packet that did not decrypt. Zero bytes have the fixed bit clear: padding, not a packet (RFC 9000 12.2, Zeek #4847)."),
        "quic-go-zerortt.pcap 193.167.0.100:49394": (
            "client short 15 != 14",
            "frame 79 ends with a 25-byte 1-RTT packet (first byte 0x48, Destination Connection ID 3ec82f67, the same as the Initial and Handshake packets before it); tshark, without 1-RTT keys, calls it random padding."),
        "quicv2-echo-443.pcap 127.0.0.1:49320": (
            "client short 5 != 4",
            "frame 5 ends with a 33-byte 1-RTT packet (first byte 0x52, Destination Connection ID 90abcdf8, the server's id the Initial and Handshake packets also carry); tshark calls it random padding."),
        "quicv2-echo-dpd-custom-port-4433.pcap 127.0.0.1:49320": (
            "client short 5 != 4",
            "the same capture as quicv2-echo-443.pcap with the server port rewritten: the same 1-RTT packet in frame 5."),
    ]

    /// Handshake messages that travel in 1-RTT packets (NewSessionTicket, KeyUpdate):
    /// tshark reads them with the capture's secrets; tlsdump counts 1-RTT packets without opening them.
    static let oneRTTMessageTypes: Set<Int> = [4, 24]

    func testEveryQUICConnectionAgreesWithTheOracle() throws {
        let captures = Self.captures()
        XCTAssertGreaterThanOrEqual(captures.count, 15, "the shared QUIC captures are beside the repository")
        var compared = 0, agreed = 0, explainedCount = 0
        var differences: [String] = []
        for (capture, oracleURL) in captures {
            let oracle = try JSONDecoder().decode([OracleConnection].self, from: Data(contentsOf: oracleURL))
            // The pcapng Decryption Secrets Block's key log, as the CLI uses it by default.
            let embedded = try PcapngSecrets.keyLogs(atPath: capture.path).keyLog
            let sink = try analyse(capture) { options in
                guard !embedded.isEmpty else { return }
                var log = KeyLog()
                log.parse(bytes: embedded)
                options.config.keys = KeyMaterial(keyLog: log)
            }
            let quic = sink.connections.filter { $0.summary.quic != nil }
            for expected in oracle {
                compared += 1
                let name = capture.lastPathComponent
                guard let (flow, ours) = quic.first(where: { oracleEndpoint($0.flow.client) == expected.client && oracleEndpoint($0.flow.server) == expected.server })
                    ?? quic.first(where: { oracleEndpoint($0.flow.server) == expected.server && oracleEndpoint($0.flow.client) == expected.client }) else {
                    differences.append("\(name) \(expected.client) -> \(expected.server): no QUIC connection (have \(quic.map { "\($0.flow.client)->\($0.flow.server)" }))")
                    continue
                }
                _ = flow
                var mismatch: [String] = []
                let q = try XCTUnwrap(ours.quic)
                let versionHex = q.version.map { hexNumber($0, digits: 8) }
                if let want = expected.versions.last, versionHex != want { mismatch.append("version \(versionHex ?? "nil") != \(want)") }
                if ours.sni != expected.sni { mismatch.append("sni \(ours.sni ?? "nil") != \(expected.sni ?? "nil")") }
                let alpn = ours.handshakes.first.map { _ in sink.clientALPN(flow) } ?? nil
                if let want = expected.alpn, !want.isEmpty, alpn != want { mismatch.append("alpn \(alpn ?? []) != \(want)") }
                let cipher = ours.cipherSuite.map { hexNumber($0, digits: 4) }
                if cipher != expected.cipher { mismatch.append("cipher \(cipher ?? "nil") != \(expected.cipher ?? "nil")") }
                if let packets = expected.packets {
                    for (side, want, got) in [("client", packets.client, q.packets.client), ("server", packets.server, q.packets.server)] {
                        if want.initial != got.initial { mismatch.append("\(side) initial \(got.initial) != \(want.initial)") }
                        if want.handshake != got.handshake { mismatch.append("\(side) handshake \(got.handshake) != \(want.handshake)") }
                        if want.zero_rtt != got.zeroRTT { mismatch.append("\(side) 0-rtt \(got.zeroRTT) != \(want.zero_rtt)") }
                        if want.retry != got.retry { mismatch.append("\(side) retry \(got.retry) != \(want.retry)") }
                        if want.short != got.short { mismatch.append("\(side) short \(got.short) != \(want.short)") }
                    }
                }
                if let want = expected.handshake {
                    let types = sink.handshakeTypes(flow)
                    for (side, wanted, got) in [("client", want.client, types.client), ("server", want.server, types.server)] {
                        let readable = wanted.filter { !Self.oneRTTMessageTypes.contains($0) }
                        // tshark lists repeated CRYPTO bytes once; tlsdump reads each message once too.
                        if got != readable { mismatch.append("\(side) messages \(got) != \(readable)") }
                    }
                }
                let key = "\(name) \(expected.client)"
                if mismatch.isEmpty {
                    agreed += 1
                    XCTAssertNil(Self.explained[key], "\(key) agrees now: drop its pinned difference")
                } else if Self.explained[key]?.differences == mismatch.joined(separator: "; ") {
                    agreed += 1
                    explainedCount += 1
                } else {
                    differences.append(key + ": " + mismatch.joined(separator: "; "))
                }
            }
        }
        print("QUIC corpus: \(agreed) of \(compared) connections agree with tshark (\(explainedCount) explained differences)")
        XCTAssertGreaterThanOrEqual(compared, 18)
        XCTAssertEqual(explainedCount, Self.explained.count)
        XCTAssertTrue(differences.isEmpty, "differences:\n" + differences.joined(separator: "\n"))
    }

    /// JA4 and JA4S of every QUIC flow in the JA4 project's captures equal its
    /// Rust reference's snapshot (`NAME.expected.yaml`), `q` prefix included.
    func testJA4OfQUICFlowsEqualsTheReference() throws {
        var compared = 0
        for name in ["chrome-cloudflare-quic-with-secrets.pcapng", "quic-tls-handshake.pcapng", "quic-with-several-tls-frames.pcapng"] {
            let capture = Self.folder.appendingPathComponent(name)
            let yaml = try String(contentsOf: Self.folder.appendingPathComponent(name + ".expected.yaml"), encoding: .utf8)
            // Each flow of the snapshot: "transport: udp" then its ja4 / ja4s lines.
            var expected: [(ja4: String?, ja4s: String?)] = []
            var inUDP = false
            for line in yaml.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if line.hasPrefix("- stream:") { inUDP = false }
                if line == "transport: udp" { inUDP = true; expected.append((nil, nil)) }
                guard inUDP, !expected.isEmpty else { continue }
                if line.hasPrefix("ja4: ") { expected[expected.count - 1].ja4 = String(line.dropFirst(5)) }
                if line.hasPrefix("ja4s: ") { expected[expected.count - 1].ja4s = String(line.dropFirst(6)) }
            }
            let quic = try analyse(capture).connections.filter { $0.summary.quic != nil }
            XCTAssertEqual(quic.count, expected.count, name)
            for (ours, want) in zip(quic, expected) {
                compared += 1
                XCTAssertEqual(ours.summary.ja4, want.ja4, name)
                XCTAssertTrue(ours.summary.ja4?.hasPrefix("q13") == true, name)
                if let ja4s = want.ja4s { XCTAssertEqual(ours.summary.ja4s, ja4s, name) }
            }
        }
        XCTAssertEqual(compared, 3)
    }
}

extension CollectingSink {
    /// The handshake message types each side sent, as the connection event lists them (read ones only).
    func handshakeTypes(_ flow: FlowIdentity) -> (client: [Int], server: [Int]) {
        var client: [Int] = [], server: [Int] = []
        for e in events where e.flow?.flowID == flow.flowID {
            guard case .connection(let c) = e.body else { continue }
            for h in c.handshakes {
                for m in h.messages {
                    guard let name = m.type, let code = (0...255).first(where: { TLSRegistry.handshakeTypeName(UInt8($0)) == name }) else { continue }
                    if m.sender == .client { client.append(code) } else { server.append(code) }
                }
            }
        }
        return (client, server)
    }

    /// The ALPN values the client offered, from its client_hello event.
    func clientALPN(_ flow: FlowIdentity) -> [String]? {
        for e in events where e.flow?.flowID == flow.flowID {
            if case .clientHello(let hello) = e.body { return hello.hello.alpn.map { String(decoding: $0, as: UTF8.self) } }
        }
        return nil
    }
}
