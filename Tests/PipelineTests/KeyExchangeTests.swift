import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// Key exchange (offered key shares, the server's group, HelloRetryRequest,
/// post-quantum), Encrypted Client Hello, and the certificate SHA-1 and JA3S
/// text, on corpus captures, bundled captures and live real peers.
final class KeyExchangeTests: XCTestCase {
    private func zeek(_ name: String) -> URL { Paths.sharedCaptures.appendingPathComponent("zeek/\(name)") }

    private func events<T>(_ sink: CollectingSink, _ pick: (EventBody) -> T?) -> [T] { sink.events.compactMap { pick($0.body) } }

    private func serverHellos(_ sink: CollectingSink) -> [ServerHelloEvent] {
        events(sink) { if case .serverHello(let e) = $0 { e } else { nil } }
    }

    private func clientHellos(_ sink: CollectingSink) -> [ClientHelloEvent] {
        events(sink) { if case .clientHello(let e) = $0 { e } else { nil } }
    }

    private func handshakeDone(_ sink: CollectingSink) -> [HandshakeDoneEvent] {
        events(sink) { if case .handshakeDone(let e) = $0 { e } else { nil } }
    }

    // MARK: corpus

    /// Chrome 124 offers X25519Kyber768Draft00 and x25519 key shares; Google chose
    /// the Kyber hybrid (so no finding: the corpus has no declined offer, the
    /// live test below makes one). Its ECH extension is seen, nothing more.
    func testChromeKyberOfferedAndChosen() throws {
        let sink = try analyse(zeek("chrome-1250-tls-x25519-kyber.pcap"))
        let c = try XCTUnwrap(sink.connections.first?.summary)
        XCTAssertEqual(sink.connections.count, 1)
        let hello = try XCTUnwrap(clientHellos(sink).first)
        XCTAssertEqual(hello.hello.keyShares.map(\.group), [0xcaca, 0x6399, 0x001d])
        XCTAssertEqual(hello.hello.keyShares.map(\.length), [1, 1216, 32])
        XCTAssertEqual(TLSRegistry.groupName(0x6399), "X25519Kyber768Draft00")
        let kex = try XCTUnwrap(c.keyExchange)
        XCTAssertEqual(kex.method, .keyShare)
        XCTAssertEqual(kex.group, 0x6399)
        XCTAssertEqual(kex.postQuantum, true)
        XCTAssertEqual(kex.offeredPostQuantum, true)
        XCTAssertEqual(kex.offeredPostQuantumGroups, [0x6399])
        XCTAssertNil(kex.helloRetryGroup)
        XCTAssertEqual(serverHellos(sink).first?.hello.keyShareGroup, 0x6399)
        XCTAssertEqual(handshakeDone(sink).first?.keyExchange?.group, 0x6399)
        XCTAssertFalse(c.findingIDs.contains(.kexPostQuantumNotSelected), "\(c.findingIDs)")
        // ECH: an outer extension (probably GREASE; it cannot be told), acceptance not determinable.
        let ech = try XCTUnwrap(c.ech)
        XCTAssertEqual(ech.offer?.form, .outer(kdf: 1, aead: 1, configID: 2, encLength: 32, payloadLength: 176))
        XCTAssertEqual(ech.outerSNI, "lh3.google.com")
        XCTAssertEqual(ech.outcome, .notDeterminable)
        XCTAssertNotNil(ech.reason)
        XCTAssertNil(ech.retryConfigs)
    }

    /// Firefox to Cloudflare's ECH test server: two ECH offers (config 209,
    /// HKDF-SHA256/AES-128-GCM, public name cloudflare-ech.com), x25519.
    func testTLS13ECHCapture() throws {
        let sink = try analyse(zeek("tls13-ech.pcap"))
        let withECH = sink.connections.compactMap { $0.summary.ech }
        XCTAssertEqual(withECH.count, 2)
        for ech in withECH {
            XCTAssertEqual(ech.offer?.form, .outer(kdf: 1, aead: 1, configID: 209, encLength: 32, payloadLength: 144))
            XCTAssertEqual(ech.outerSNI, "cloudflare-ech.com")
            XCTAssertEqual(ech.outcome, .notDeterminable, "no keys: the EncryptedExtensions stay encrypted")
            XCTAssertFalse(ech.encryptedExtensionsRead)
        }
        for c in sink.connections.map(\.summary) where c.established {
            XCTAssertEqual(c.keyExchange?.group, 0x001d)
            XCTAssertEqual(c.keyExchange?.offeredPostQuantum, false)
            XCTAssertEqual(c.keyExchange?.postQuantum, false)
        }
        XCTAssertEqual(clientHellos(sink).compactMap(\.hello.ech).count, 2)
    }

    /// hrr.pcap: the client's only key share is secp224r1; the server's
    /// HelloRetryRequest demands secp256r1, which the second ClientHello offers.
    func testHelloRetryRequestForcedGroup() throws {
        let sink = try analyse(zeek("hrr.pcap"))
        let c = try XCTUnwrap(sink.connections.first?.summary)
        let kex = try XCTUnwrap(c.keyExchange)
        XCTAssertEqual(kex.helloRetryGroup, 0x0017)
        XCTAssertEqual(kex.group, 0x0017)
        XCTAssertEqual(kex.offeredKeyShares, [0x0015], "the first ClientHello's key shares")
        let hellos = serverHellos(sink)
        XCTAssertEqual(hellos.map(\.hello.isHelloRetryRequest), [true, false])
        XCTAssertEqual(hellos.map(\.helloRetryGroup), [0x0017, 0x0017])
        XCTAssertEqual(clientHellos(sink).map { $0.hello.keyShares.map(\.group) }, [[0x0015], [0x0017]])
        XCTAssertEqual(c.handshakes.first?.keyExchange?.helloRetryGroup, 0x0017)
    }

    /// TLS 1.2: ECDHE names its curve in the ServerKeyExchange; DHE sends a prime (its size, no name).
    func testTLS12Groups() throws {
        let ecdhe = try XCTUnwrap(try analyse(zeek("ecdhe.pcap")).connections.first?.summary.keyExchange)
        XCTAssertEqual(ecdhe.method, .ecdhe)
        XCTAssertEqual(ecdhe.group, 0x0017)
        XCTAssertEqual(ecdhe.postQuantum, false)
        XCTAssertNil(ecdhe.unknownReason)
        let dhe = try XCTUnwrap(try analyse(zeek("dhe.pcap")).connections.first?.summary.keyExchange)
        XCTAssertEqual(dhe.method, .dhe)
        XCTAssertNil(dhe.group)
        XCTAssertEqual(dhe.dhPrimeBits, 1024)
        XCTAssertEqual(dhe.postQuantum, false)
        XCTAssertNotNil(dhe.unknownReason, "a null group has its reason")
        // RSA key transport: no group, and it says why.
        let rsa = try XCTUnwrap(try analyse(Paths.bundledCaptures.appendingPathComponent("aes-cbc-tls12.pcap")).connections.first?.summary.keyExchange)
        XCTAssertEqual(rsa.method, .rsa)
        XCTAssertNil(rsa.group)
        XCTAssertTrue(rsa.unknownReason?.contains("RSA key transport") == true, "\(rsa.unknownReason ?? "nil")")
    }

    /// The JSON carries the fields under their contract names.
    func testJSONFields() throws {
        let run = try runTLSDump(["-r", zeek("hrr.pcap").path, "--format", "json"])
        XCTAssertEqual(run.status, 0)
        let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n")
        let events = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let connection = try XCTUnwrap(events.first { $0["type"] as? String == "connection" })
        let kex = try XCTUnwrap(connection["key_exchange"] as? [String: Any])
        XCTAssertEqual(kex["group"] as? String, "secp256r1")
        XCTAssertEqual(kex["hello_retry_forced"] as? String, "secp256r1")
        XCTAssertEqual(kex["post_quantum"] as? Bool, false)
        XCTAssertEqual(kex["offered_post_quantum"] as? Bool, false)
        XCTAssertEqual(kex["offered_key_shares"] as? [String], ["secp224r1"])
        let hrr = try XCTUnwrap(events.first { $0["type"] as? String == "server_hello" })
        XCTAssertEqual(hrr["hello_retry"] as? Bool, true)
        XCTAssertEqual(hrr["key_share_group"] as? String, "secp256r1")
        let hello = try XCTUnwrap(events.first { $0["type"] as? String == "client_hello" })
        let shares = try XCTUnwrap(hello["key_shares"] as? [[String: Any]])
        XCTAssertEqual(shares.first?["group"] as? String, "secp224r1")
        XCTAssertEqual(shares.first?["length"] as? Int, 57)
        XCTAssertTrue(hello["ech"] is NSNull)
        let done = try XCTUnwrap(events.first { $0["type"] as? String == "handshake_done" })
        XCTAssertEqual((done["key_exchange"] as? [String: Any])?["group"] as? String, "secp256r1")
        // ECS: tls.curve.
        let ecs = try runTLSDump(["-r", zeek("hrr.pcap").path, "--format", "ecs"])
        let ecsEvents = try String(decoding: ecs.stdout, as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let ecsTLS = try XCTUnwrap(ecsEvents.last { ($0["tls"] as? [String: Any])?["established"] != nil }?["tls"] as? [String: Any])
        XCTAssertEqual(ecsTLS["curve"] as? String, "secp256r1")
        // The text summary counts connections by the same label the HTML report charts.
        let text = try runTLSDump(["-r", zeek("hrr.pcap").path, "--summary"])
        XCTAssertTrue(String(decoding: text.stdout, as: UTF8.self).contains("key exchange:\n    1  TLS 1.3 secp256r1"),
                      String(decoding: text.stdout, as: UTF8.self))
    }

    /// Every QUIC connection whose tshark oracle lists key shares: the client's
    /// key_share groups and the server's choice agree with tshark's.
    func testQUICKeySharesAgreeWithTheOracle() throws {
        struct OracleConnection: Decodable {
            var client: String
            var server: String
            var key_share_groups: [String]?
            var key_share_selected: String?
            var hello_retry: Bool?
        }
        let folder = Paths.sharedCaptures.appendingPathComponent("quic")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".oracle.json") }.sorted()
        var compared = 0, selected = 0
        var differences: [String] = []
        for name in names {
            let oracle = try JSONDecoder().decode([OracleConnection].self, from: Data(contentsOf: folder.appendingPathComponent(name)))
            let expected = oracle.filter { $0.key_share_groups.map { !$0.isEmpty } ?? false }
            guard !expected.isEmpty else { continue }
            let sink = try analyse(folder.appendingPathComponent(String(name.dropLast(".oracle.json".count))))
            for e in expected {
                guard let c = sink.connections.first(where: { oracleEndpoint($0.flow.client) == e.client && oracleEndpoint($0.flow.server) == e.server })?.summary,
                      let kex = c.keyExchange else {
                    differences.append("\(name) \(e.client): no connection with a key exchange")
                    continue
                }
                compared += 1
                let offered = kex.offeredKeyShares.map { hexNumber($0, digits: 4) }
                if offered != e.key_share_groups { differences.append("\(name) \(e.client): offered \(offered), tshark \(e.key_share_groups ?? [])") }
                if let chosen = e.key_share_selected {
                    selected += 1
                    if kex.group.map({ hexNumber($0, digits: 4) }) != chosen { differences.append("\(name) \(e.client): group \(kex.group.map { hexNumber($0, digits: 4) } ?? "nil"), tshark \(chosen)") }
                }
                if (kex.helloRetryGroup != nil) != (e.hello_retry ?? false) { differences.append("\(name) \(e.client): hello retry differs") }
            }
        }
        XCTAssertEqual(differences, [])
        XCTAssertGreaterThanOrEqual(compared, 17)
        XCTAssertGreaterThanOrEqual(selected, 13)
    }

    /// quic-39264-rand.pcap: the client offers X25519MLKEM768, x25519 and secp256r1 key shares;
    /// tr6.snapchat.com chooses x25519: the corpus case of kex.post_quantum_not_selected.
    /// (quic-decrypt-fail-google-de-51833.pcap: Google chose X25519MLKEM768, no finding.)
    func testQUICServerDeclinesMLKEM() throws {
        let sink = try analyse(Paths.sharedCaptures.appendingPathComponent("quic/quic-39264-rand.pcap"))
        let c = try XCTUnwrap(sink.connections.first?.summary)
        XCTAssertEqual(c.keyExchange?.offeredKeyShares, [0x11ec, 0x001d, 0x0017])
        XCTAssertEqual(c.keyExchange?.group, 0x001d)
        XCTAssertEqual(c.keyExchange?.postQuantum, false)
        let finding = try XCTUnwrap(sink.findings.first { $0.id == .kexPostQuantumNotSelected }, "\(c.findingIDs)")
        XCTAssertEqual(finding.evidence, .postQuantumDeclined(offered: ["X25519MLKEM768"], selected: "x25519", helloRetry: nil))
        let google = try analyse(Paths.sharedCaptures.appendingPathComponent("quic/quic-decrypt-fail-google-de-51833.pcap"))
        let accepted = try XCTUnwrap(google.connections.first?.summary.keyExchange)
        XCTAssertEqual(accepted.group, 0x11ec)
        XCTAssertEqual(accepted.postQuantum, true)
        XCTAssertFalse(google.findings.contains { $0.id == .kexPostQuantumNotSelected })
    }

    // MARK: parity: certificate SHA-1, JA3S text

    /// The leaf's sha1 is what `openssl x509 -fingerprint -sha1` prints for the PEM the capture's server used.
    func testCertificateSHA1MatchesOpenSSL() throws {
        let sink = try analyse(Paths.bundledCaptures.appendingPathComponent("ecdhe-tls12.pcap"))
        let leaf = try XCTUnwrap(sink.connections.first?.summary.serverCertificate)
        let pem = Paths.bundledCaptures.appendingPathComponent("pki/server.pem").path
        func fingerprint(_ digest: String) throws -> String {
            let run = try runProcess(URL(fileURLWithPath: "/usr/bin/openssl"), ["x509", "-in", pem, "-noout", "-fingerprint", "-\(digest)"])
            XCTAssertEqual(run.status, 0)
            let line = String(decoding: run.stdout, as: UTF8.self)
            return String(line.split(separator: "=", maxSplits: 1).last ?? "").replacingOccurrences(of: ":", with: "")
                .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        }
        XCTAssertEqual(leaf.sha256, try fingerprint("sha256"), "the capture's server used captures/pki/server.pem")
        XCTAssertEqual(leaf.sha1, try fingerprint("sha1"))
        XCTAssertEqual(leaf.sha1.count, 40)
    }

    /// ja3s_string hashes (MD5) to ja3s on every ServerHello, and ja3s matches tshark's oracle.
    func testJA3SStringHashesToJA3S() throws {
        for name in ["chrome-1250-tls-x25519-kyber.pcap", "hrr.pcap", "ecdhe.pcap", "tls13-ech.pcap"] {
            let hellos = serverHellos(try analyse(zeek(name)))
            XCTAssertFalse(hellos.isEmpty, name)
            for hello in hellos {
                let text = try XCTUnwrap(hello.ja3sString, name)
                let md5 = try runProcess(URL(fileURLWithPath: "/usr/bin/md5sum"), [], stdin: Data(text.utf8))
                XCTAssertEqual(String(decoding: md5.stdout, as: UTF8.self).prefix(32), Substring(try XCTUnwrap(hello.ja3s)), "\(name): \(text)")
            }
        }
        let ech = serverHellos(try analyse(zeek("tls13-ech.pcap")))
        XCTAssertEqual(ech.first?.ja3s, "f4febc55ea12b31ae17cfb7e614afda8", "tshark's oracle")
        XCTAssertEqual(ech.first?.ja3sString, "771,4865,43-51")
    }

    // MARK: live real peers

    /// OpenSSL 3.0 both sides: the client sends an x25519 key share and lists
    /// P-256; the server takes only P-256 and sends a HelloRetryRequest for it.
    func testRealPeersHelloRetryRequestForcesP256() throws {
        let run = try Scenario.run("tls13-hrr-groups", test: self)
        let c = try run.connection()
        XCTAssertTrue(c.established)
        let kex = try XCTUnwrap(c.keyExchange)
        XCTAssertEqual(kex.offeredKeyShares, [0x001d], "OpenSSL's first ClientHello: one share, x25519")
        XCTAssertEqual(kex.helloRetryGroup, 0x0017)
        XCTAssertEqual(kex.group, 0x0017)
        XCTAssertEqual(kex.postQuantum, false)
        XCTAssertEqual(kex.offeredPostQuantum, false)
        XCTAssertEqual(serverHellos(run.sink).map(\.hello.isHelloRetryRequest), [true, false])
        XCTAssertFalse(run.findingIDs.contains("kex.post_quantum_not_selected"))
        run.keepFilesIfFailed()
    }

    /// Chrome's Kyber ClientHello replayed to OpenSSL 3.0, which answers x25519: the finding fires.
    func testRealPeerDeclinesPostQuantumOffer() throws {
        let run = try Scenario.run("pq-offer-classical-server", test: self)
        let c = try run.connection()
        let kex = try XCTUnwrap(c.keyExchange)
        XCTAssertEqual(kex.group, 0x001d)
        XCTAssertEqual(kex.postQuantum, false)
        XCTAssertEqual(kex.offeredPostQuantumGroups, [0x6399])
        XCTAssertTrue(kex.postQuantumDeclined)
        let finding = try XCTUnwrap(run.finding("kex.post_quantum_not_selected"), "\(run.findingIDs)")
        XCTAssertEqual(finding.severity, .info)
        XCTAssertEqual(finding.handshake, 0)
        XCTAssertTrue(finding.evidence.fields.contains { $0.0 == "selected" && $0.1 == .string("x25519") }, "\(finding.evidence)")
        XCTAssertTrue(finding.evidence.fields.contains { $0.0 == "offered_post_quantum" && $0.1 == .strings(["X25519Kyber768Draft00"]) })
        XCTAssertEqual(c.ech?.outcome, .notDeterminable, "OpenSSL 3.0 ignores the ECH extension; nothing in the clear says so")
        run.keepFilesIfFailed()
    }

    /// OpenSSL 3.0's automatic DHE parameters: the ServerKeyExchange's prime is RFC 3526's
    /// 2048-bit MODP group (no TLS group name), told by the exact prime.
    func testRealPeersDHEPrimeIsNamedWhenKnown() throws {
        let run = try Scenario.run("dhe-tls12", test: self)
        let kex = try XCTUnwrap(try run.connection().keyExchange)
        XCTAssertEqual(kex.method, .dhe)
        XCTAssertEqual(kex.dhPrimeBits, 2048)
        XCTAssertEqual(kex.dhPrime, "rfc3526_modp2048")
        XCTAssertNil(kex.group, "RFC 3526 primes have no TLS named group")
        XCTAssertNotNil(kex.unknownReason)
        XCTAssertFalse(run.findingIDs.contains("weak_key.dh"))
        run.keepFilesIfFailed()
    }

    /// GnuTLS negotiates DHE by group (RFC 7919): the prime is ffdhe2048, and `group` names it.
    func testRealPeersFFDHEGroupFromThePrime() throws {
        let run = try Scenario.run("dhe-ffdhe-gnutls", test: self)
        let kex = try XCTUnwrap(try run.connection().keyExchange)
        XCTAssertEqual(kex.method, .dhe)
        XCTAssertEqual(kex.dhPrime, "ffdhe2048")
        XCTAssertEqual(kex.group, 0x0100)
        XCTAssertEqual(kex.postQuantum, false)
        XCTAssertNil(kex.unknownReason)
        run.keepFilesIfFailed()
    }

    /// dhe.pcap's 1024-bit prime is the server's own.
    func testCorpusDHEPrimeIsExplicit() throws {
        let kex = try XCTUnwrap(try analyse(zeek("dhe.pcap")).connections.first?.summary.keyExchange)
        XCTAssertEqual(kex.dhPrime, "explicit")
    }
}
