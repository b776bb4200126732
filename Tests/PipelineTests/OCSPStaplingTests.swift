import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpPipeline
import TLSDumpTLS
import XCTest

/// Stapled OCSP from a real OpenSSL 3.0 s_server (`-status_file`) to s_client
/// (`-status`), captured live on loopback (Peers/scenario.sh, ocsp-*). The
/// responses are made by `openssl ocsp` from a test CA index at each run:
/// one good, one revoked (keyCompromise), one for another certificate.
final class OCSPStaplingTests: XCTestCase {
    private static let serverSerial = "13374C4B9728390BC6AF8031D8529B86AD616326"
    private static let clientSerial = "13374C4B9728390BC6AF8031D8529B86AD616327"

    /// TLS 1.2, good, the CA in the chain: the whole CertID is checked and matches.
    func testGoodResponseTLS12() throws {
        let run = try Scenario.run("ocsp-good-tls12", test: self)
        let c = try run.connection()
        let ocsp = try XCTUnwrap(c.ocsp, "the stapled response is reported")
        XCTAssertEqual(ocsp.source, .certificateStatus)
        XCTAssertFalse(ocsp.encrypted)
        XCTAssertEqual(ocsp.status, .good)
        XCTAssertEqual(ocsp.responseStatus, .successful)
        XCTAssertEqual(ocsp.responder, .name("CN=tlsdump test CA,O=tlsdump"))
        XCTAssertEqual(ocsp.single?.certID.serial, Self.serverSerial)
        XCTAssertEqual(ocsp.single?.certID.hashAlgorithm, .sha1, "openssl ocsp's default CertID hash")
        XCTAssertEqual(ocsp.match.verdict, .match)
        XCTAssertEqual(ocsp.match.matched, [.serial, .issuerName, .issuerKey])
        XCTAssertEqual(ocsp.responseCount, 1)
        XCTAssertEqual(ocsp.signatureAlgorithm, "sha256WithRSAEncryption")
        XCTAssertFalse(ocsp.stale)
        // -ndays 7: nextUpdate a week after thisUpdate, produced when the scenario ran.
        let this = try XCTUnwrap(ocsp.single?.thisUpdate.epochSeconds), next = try XCTUnwrap(ocsp.single?.nextUpdate?.epochSeconds)
        XCTAssertEqual(next - this, 7 * 86_400)
        XCTAssertLessThan(abs(this - c.start.seconds), 120, "produced by this run")
        XCTAssertNil(c.sct, "the test CA embeds no SCTs and the server sends none")
        XCTAssertFalse(run.findingIDs.contains { $0.hasPrefix("ocsp.") || $0 == "cert.revoked" }, "\(run.findingIDs)")
        // What the client printed agrees.
        let client = try String(contentsOf: run.directory.appendingPathComponent("client.log"), encoding: .utf8)
        XCTAssertTrue(client.contains("Cert Status: good"), client)
        // The JSON contract.
        let json = try connectionJSON(run.pcap)
        let object = try XCTUnwrap(json["ocsp"] as? [String: Any])
        XCTAssertEqual(object["status"] as? String, "good")
        XCTAssertEqual(object["source"] as? String, "certificate_status")
        XCTAssertEqual(object["match"] as? String, "match")
        XCTAssertEqual(object["responder"] as? String, "CN=tlsdump test CA,O=tlsdump")
        XCTAssertEqual(object["serial"] as? String, Self.serverSerial)
        XCTAssertEqual(object["stale"] as? Bool, false)
        XCTAssertNotNil(object["next_update"] as? String)
        XCTAssertNil(object["revocation_time"], "only on a revoked status")
        run.keepFilesIfFailed()
    }

    /// TLS 1.2, revoked: cert.revoked with the time and reason; the chain has
    /// no issuer, so the match is partial and says why.
    func testRevokedResponseTLS12() throws {
        let run = try Scenario.run("ocsp-revoked-tls12", test: self)
        let c = try run.connection()
        let ocsp = try XCTUnwrap(c.ocsp)
        guard case .revoked(let time, let reason)? = ocsp.status else { return XCTFail("revoked expected: \(String(describing: ocsp.status))") }
        XCTAssertEqual(time.rfc3339, "2024-01-01T00:00:00Z")
        XCTAssertEqual(reason?.name, "keyCompromise")
        XCTAssertTrue(ocsp.revoked)
        XCTAssertEqual(ocsp.match.verdict, .partial)
        XCTAssertEqual(ocsp.match.matched, [.serial, .issuerName])
        XCTAssertEqual(ocsp.match.unchecked, [.issuerKey])
        XCTAssertEqual(ocsp.match.reason, "the issuer certificate is not in the presented chain")
        let finding = try XCTUnwrap(run.finding("cert.revoked"))
        XCTAssertEqual(finding.severity, .high)
        XCTAssertEqual(finding.handshake, 0)
        let evidence = Dictionary(uniqueKeysWithValues: finding.evidence.fields)
        XCTAssertEqual(evidence["revocation_time"], .string("2024-01-01T00:00:00Z"))
        XCTAssertEqual(evidence["revocation_reason"], .string("keyCompromise"))
        XCTAssertEqual(evidence["serial"], .string(Self.serverSerial))
        XCTAssertEqual(evidence["subject"], .string("CN=server.test,O=tlsdump"))
        XCTAssertTrue(c.findingIDs.contains(.certRevoked))
        XCTAssertFalse(run.findingIDs.contains("ocsp.mismatch"), "\(run.findingIDs)")
        let client = try String(contentsOf: run.directory.appendingPathComponent("client.log"), encoding: .utf8)
        XCTAssertTrue(client.contains("Cert Status: revoked"), client)
        let json = try XCTUnwrap(try connectionJSON(run.pcap)["ocsp"] as? [String: Any])
        XCTAssertEqual(json["status"] as? String, "revoked")
        XCTAssertEqual(json["revocation_time"] as? String, "2024-01-01T00:00:00Z")
        XCTAssertEqual(json["revocation_reason"] as? String, "keyCompromise")
        XCTAssertEqual(json["match"] as? String, "partial")
        XCTAssertEqual(json["unchecked"] as? [String], ["issuer_key"])
        // The story says it in words.
        let text = String(decoding: try runTLSDump(["-r", run.pcap.path]).stdout, as: UTF8.self)
        XCTAssertTrue(text.contains("stapled OCSP: REVOKED on 2024-01-01T00:00:00Z (keyCompromise)"), text)
        XCTAssertTrue(text.contains("[high] cert.revoked"), text)
        let trace = String(decoding: try runTLSDump(["-r", run.pcap.path, "--format", "trace"]).stdout, as: UTF8.self)
        XCTAssertTrue(trace.contains("<<< TLSv1.2 Handshake [length "), trace)
        XCTAssertTrue(trace.contains("CertificateStatus"), trace)
        XCTAssertTrue(trace.contains("--- stapled OCSP: REVOKED on 2024-01-01T00:00:00Z (keyCompromise)"), trace)
        run.keepFilesIfFailed()
    }

    /// The server staples the response for another certificate (the client's,
    /// same CA): the issuer hashes agree, the serial does not.
    func testResponseForAnotherCertificate() throws {
        let run = try Scenario.run("ocsp-mismatch-tls12", test: self)
        let ocsp = try XCTUnwrap(try run.connection().ocsp)
        XCTAssertEqual(ocsp.status, .good, "good, but for another certificate")
        XCTAssertEqual(ocsp.single?.certID.serial, Self.clientSerial)
        XCTAssertEqual(ocsp.match.verdict, .mismatch)
        XCTAssertEqual(ocsp.match.mismatched, [.serial])
        XCTAssertEqual(ocsp.match.matched, [.issuerName, .issuerKey])
        let finding = try XCTUnwrap(run.finding("ocsp.mismatch"))
        XCTAssertEqual(finding.severity, .medium)
        let evidence = Dictionary(uniqueKeysWithValues: finding.evidence.fields)
        XCTAssertEqual(evidence["response_serial"], .string(Self.clientSerial))
        XCTAssertEqual(evidence["certificate_serial"], .string(Self.serverSerial))
        XCTAssertEqual(evidence["mismatched"], .strings(["serial"]))
        XCTAssertFalse(run.findingIDs.contains("cert.revoked"))
        run.keepFilesIfFailed()
    }

    /// The good capture read as if a month later: the same response is past
    /// its nextUpdate (ocsp.stale); the packets are the run's, only their
    /// timestamps are moved (the test certificate is valid for a century).
    func testStaleResponse() throws {
        let run = try Scenario.run("ocsp-good-tls12", test: self)
        let shifted = run.directory.appendingPathComponent("shifted.pcap")
        try Self.shiftTimestamps(of: run.pcap, by: 30 * 86_400, to: shifted)
        let sink = try analyse(shifted)
        let c = try XCTUnwrap(sink.connections.first?.summary)
        let ocsp = try XCTUnwrap(c.ocsp)
        XCTAssertTrue(ocsp.stale)
        XCTAssertEqual(ocsp.status, .good)
        let finding = try XCTUnwrap(sink.findings.first { $0.id == .ocspStale })
        XCTAssertEqual(finding.severity, .low)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: finding.evidence.fields)["next_update"],
                       .string(try XCTUnwrap(ocsp.single?.nextUpdate?.rfc3339)))
        XCTAssertFalse(c.findingIDs.contains(.certExpired))
        run.keepFilesIfFailed()
    }

    /// TLS 1.3: the response (and two SCTs) ride in the leaf's CertificateEntry.
    /// Without keys they are hidden, and `unknown.ocsp` / `unknown.sct` say so;
    /// with the client's key log they are read, with the same verdict as over TLS 1.2.
    func testTLS13CertificateEntry() throws {
        let run = try Scenario.run("ocsp-good-tls13", test: self)
        let keyless = try run.connection()
        XCTAssertEqual(keyless.version, ProtocolVersion.tls13)
        XCTAssertNil(keyless.ocsp)
        XCTAssertEqual(keyless.unknownReasons.first { $0.0 == "ocsp" }?.1,
                       "TLS 1.3 staples the OCSP response inside the encrypted Certificate; no key was available")
        let keys = run.directory.appendingPathComponent("ocsp-good-tls13.keys")
        var log = KeyLog()
        log.parse(bytes: [UInt8](try Data(contentsOf: keys)))
        XCTAssertGreaterThan(log.count, 0)
        let material = KeyMaterial(keyLog: log)
        let keyed = try analyse(run.pcap) { $0.config.keys = material }
        let c = try XCTUnwrap(keyed.connections.first?.summary)
        XCTAssertTrue(c.decrypted)
        let ocsp = try XCTUnwrap(c.ocsp)
        XCTAssertEqual(ocsp.source, .certificateEntry)
        XCTAssertTrue(ocsp.encrypted)
        XCTAssertEqual(ocsp.status, .good)
        XCTAssertEqual(ocsp.match.verdict, .match)
        XCTAssertEqual(ocsp.single?.certID.serial, Self.serverSerial)
        XCTAssertFalse(c.unknownReasons.contains { $0.0 == "ocsp" })
        // The SCTs in the same CertificateEntry (signed_certificate_timestamp), hidden too without keys.
        XCTAssertEqual(keyless.unknownReasons.first { $0.0 == "sct" }?.1,
                       "TLS 1.3 carries SCTs inside the encrypted Certificate; no key was available")
        XCTAssertNil(keyless.sct)
        let sct = try XCTUnwrap(c.sct)
        XCTAssertEqual(sct.sources, [.tlsExtension])
        XCTAssertEqual(sct.entries.map { $0.sct.timestampText }, ["2023-11-14T22:13:20.123Z", "2023-11-14T22:13:20.456Z"])
        run.keepFilesIfFailed()
    }

    /// SCTs in the TLS 1.2 ServerHello extension (s_server -serverinfo) beside
    /// a stapled response: both reported, the log ids in base64 as CT log
    /// lists write them, the timestamps to the millisecond.
    func testSCTExtensionTLS12() throws {
        let run = try Scenario.run("sct-ocsp-tls12", test: self)
        let c = try run.connection()
        XCTAssertEqual(c.ocsp?.status, .good)
        let sct = try XCTUnwrap(c.sct)
        XCTAssertEqual(sct.count, 2)
        XCTAssertEqual(sct.sources, [.tlsExtension])
        // SHA-256 of "tlsdump test log 1" and "... 2" (the scenario's made-up log ids), base64.
        let logs = ["6oc2X6Rcn6mUZpUHdjavX1npMzgc8ftE0M+cckHi2Kk=", "Qytvvf4Xyps/UAD2YdGa80rfQi0XwckVCSheBVVBszQ="]
        XCTAssertEqual(sct.entries.map { $0.sct.logIDBase64 }, logs)
        XCTAssertEqual(sct.entries.map { $0.sct.timestampText }, ["2023-11-14T22:13:20.123Z", "2023-11-14T22:13:20.456Z"])
        XCTAssertEqual(sct.entries.map(\.source), [.tlsExtension, .tlsExtension])
        let json = try XCTUnwrap(try connectionJSON(run.pcap)["sct"] as? [String: Any])
        XCTAssertEqual(json["count"] as? Int, 2)
        XCTAssertEqual(json["sources"] as? [String], ["tls_extension"])
        let entries = try XCTUnwrap(json["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.first?["log_id"] as? String, logs[0])
        XCTAssertEqual(entries.first?["version"] as? String, "v1")
        XCTAssertEqual(entries.first?["timestamp"] as? String, "2023-11-14T22:13:20.123Z")
        let text = String(decoding: try runTLSDump(["-r", run.pcap.path]).stdout, as: UTF8.self)
        XCTAssertTrue(text.contains("2 signed certificate timestamps (tls_extension 2)"), text)
        run.keepFilesIfFailed()
    }

    /// CertIDs hashed with each digest `openssl ocsp` offers for them: the
    /// four tlsdump recomputes match in full; MD5 leaves the hashes unchecked
    /// (and says why) while the serial still counts; a chain without the
    /// issuer leaves the key unchecked; another certificate's serial is a mismatch.
    func testCertIDHashAlgorithms() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-certid-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let pki = Paths.packageRoot.appendingPathComponent("captures/pki")
        let leaf = try Self.der(pki.appendingPathComponent("server.pem"), work)
        let ca = try Self.der(pki.appendingPathComponent("ca.pem"), work)
        let client = try Self.der(pki.appendingPathComponent("client.pem"), work)
        let full = try XCTUnwrap(OCSPCertificateIdentity.make(leaf: leaf, chain: [client, ca][...]), "the issuer found out of order")
        let alone = try XCTUnwrap(OCSPCertificateIdentity.make(leaf: leaf, chain: [client][...]))
        XCTAssertEqual(full.serial, Self.serverSerial)
        for digest in ["sha1", "sha256", "sha384", "sha512", "md5"] {
            let response = try Self.ocspResponse(for: pki.appendingPathComponent("server.pem"), digest: digest, in: work)
            let single = try XCTUnwrap(try OCSPResponse.parse(der: response).singleResponse(forSerial: full.serial), digest)
            let match = full.check(single.certID)
            if digest == "md5" {
                XCTAssertEqual(single.certID.hashAlgorithm, .other("1.2.840.113549.2.5"))
                XCTAssertEqual(match.verdict, .partial)
                XCTAssertEqual(match.matched, [.serial])
                XCTAssertEqual(match.unchecked, [.issuerName, .issuerKey])
                XCTAssertEqual(match.reason, "the CertID hash algorithm 1.2.840.113549.2.5 is not one tlsdump computes")
            } else {
                XCTAssertEqual(single.certID.hashAlgorithm.name, digest)
                XCTAssertEqual(match.verdict, .match, "\(digest): \(match)")
                let partial = alone.check(single.certID)
                XCTAssertEqual(partial.verdict, .partial, digest)
                XCTAssertEqual(partial.unchecked, [.issuerKey], digest)
            }
        }
        let other = try Self.ocspResponse(for: pki.appendingPathComponent("client.pem"), digest: "sha256", in: work)
        let single = try XCTUnwrap(try OCSPResponse.parse(der: other).basic?.responses.first)
        XCTAssertEqual(full.check(single.certID).verdict, .mismatch)
        XCTAssertEqual(full.check(single.certID).mismatched, [.serial])
    }

    // MARK: - helpers

    private static func der(_ pem: URL, _ work: URL) throws -> [UInt8] {
        let out = work.appendingPathComponent(pem.deletingPathExtension().lastPathComponent + ".der")
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/openssl"), ["x509", "-in", pem.path, "-outform", "DER", "-out", out.path])
        XCTAssertEqual(result.status, 0, String(decoding: result.stderr, as: UTF8.self))
        return [UInt8](try Data(contentsOf: out))
    }

    /// A good response for `cert` from the test CA, its CertID hashed with `digest` (openssl ocsp -DIGEST).
    private static func ocspResponse(for cert: URL, digest: String, in work: URL) throws -> [UInt8] {
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let pki = cert.deletingLastPathComponent()
        let serial = String(decoding: try runProcess(openssl, ["x509", "-in", cert.path, "-noout", "-serial"]).stdout, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let index = work.appendingPathComponent("index.txt")
        try "V\t301231235959Z\t\t\(serial)\tunknown\t/O=tlsdump/CN=x\n".write(to: index, atomically: true, encoding: .utf8)
        let request = work.appendingPathComponent("request-\(digest).der"), response = work.appendingPathComponent("response-\(digest).der")
        let asked = try runProcess(openssl, ["ocsp", "-\(digest)", "-issuer", pki.appendingPathComponent("ca.pem").path, "-cert", cert.path,
                                             "-no_nonce", "-reqout", request.path])
        XCTAssertEqual(asked.status, 0, String(decoding: asked.stderr, as: UTF8.self))
        let answered = try runProcess(openssl, ["ocsp", "-index", index.path, "-rsigner", pki.appendingPathComponent("ca.pem").path,
                                                "-rkey", pki.appendingPathComponent("ca.key").path, "-CA", pki.appendingPathComponent("ca.pem").path,
                                                "-reqin", request.path, "-respout", response.path, "-ndays", "1"])
        XCTAssertEqual(answered.status, 0, String(decoding: answered.stderr, as: UTF8.self))
        return [UInt8](try Data(contentsOf: response))
    }

    private func connectionJSON(_ pcap: URL) throws -> [String: Any] {
        let result = try runTLSDump(["-r", pcap.path, "--format", "json", "--type", "connection"])
        XCTAssertEqual(result.status, 0, String(decoding: result.stderr, as: UTF8.self))
        let line = try XCTUnwrap(String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").first)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// A copy of a little-endian pcap (micro- or nanosecond: the seconds field is the same) with every packet `seconds` later.
    static func shiftTimestamps(of pcap: URL, by seconds: UInt32, to out: URL) throws {
        var bytes = [UInt8](try Data(contentsOf: pcap))
        XCTAssertTrue([[0xd4, 0xc3, 0xb2, 0xa1], [0x4d, 0x3c, 0xb2, 0xa1]].contains(Array(bytes.prefix(4))), "a little-endian pcap")
        var offset = 24
        while offset + 16 <= bytes.count {
            let old = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            let new = old &+ seconds
            for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: new >> (8 * UInt32(i))) }
            let captured = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
            offset += 16 + captured
        }
        try Data(bytes).write(to: out)
    }
}
