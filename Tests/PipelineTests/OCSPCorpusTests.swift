import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS
import XCTest

/// Stapled OCSP responses and signed certificate timestamps in the shared
/// corpus, compared field by field with what tshark (run here, on the same
/// file) dissects: status, times, serials, log ids and timestamps. The
/// CertID match is tlsdump's own computation (tshark does not check it):
/// every corpus staple is a real CA's response for the certificate beside it,
/// so each must match in full.
final class OCSPCorpusTests: XCTestCase {
    /// A corpus capture: "name.pcap" in zeek/, or "dir/name.pcap".
    private func zeek(_ name: String) -> URL {
        Paths.sharedCaptures.appendingPathComponent(name.contains("/") ? name : "zeek/\(name)")
    }

    /// The captures whose server staples an OCSP response in a TLS 1.2 CertificateStatus.
    static let stapled = ["ocsp-stapling.pcap", "ocsp-stapling-digicert.pcap", "ocsp-stapling-twimg.pcap",
                          "signed_certificate_timestamp.pcap", "signed_certificate_timestamp-2.pcap"]

    func testStapledResponsesAgreeWithTshark() throws {
        for name in Self.stapled {
            let sink = try analyse(zeek(name))
            let stapled = sink.connections.compactMap { c in c.summary.ocsp.map { ($0, c.summary) } }
            XCTAssertEqual(stapled.count, 1, "\(name): one connection with a stapled response")
            guard let (ocsp, connection) = stapled.first else { continue }
            let rows = try Tshark.fields(zeek(name), filter: "ocsp.responseStatus",
                                         ["ocsp.responseStatus", "ocsp.certStatus", "ocsp.producedAt", "ocsp.thisUpdate",
                                          "ocsp.nextUpdate", "ocsp.serialNumber"])
            XCTAssertEqual(rows.count, 1, "\(name): tshark sees one OCSP response: \(rows)")
            guard let row = rows.first else { continue }
            XCTAssertEqual(ocsp.source, .certificateStatus, name)
            XCTAssertEqual(ocsp.responseStatus, .successful, name)
            XCTAssertEqual(row[0], "0", name)
            XCTAssertEqual(ocsp.status, .good, name)
            XCTAssertEqual(row[1], "0", "\(name): tshark's certStatus 0 is good")
            XCTAssertEqual(ocsp.producedAt?.rfc3339, Tshark.rfc3339(row[2]), name)
            XCTAssertEqual(ocsp.single?.thisUpdate.rfc3339, Tshark.rfc3339(row[3]), name)
            XCTAssertEqual(ocsp.single?.nextUpdate?.rfc3339, Tshark.rfc3339(row[4]), name)
            XCTAssertEqual(ocsp.single?.certID.serial, row[5].uppercased(), name)
            // The response is for the certificate served: the leaf's serial (as tshark reads it too),
            // and the issuer's name and key hashes, recomputed from the chain.
            XCTAssertEqual(connection.serverCertificate?.serial, row[5].uppercased(), name)
            XCTAssertEqual(ocsp.match.verdict, .match, "\(name): \(ocsp.match)")
            XCTAssertEqual(ocsp.match.matched, [.serial, .issuerName, .issuerKey], name)
            XCTAssertFalse(ocsp.stale, "\(name): the capture is from within the response's validity")
            XCTAssertFalse(connection.findingIDs.contains { $0.rawValue.hasPrefix("ocsp.") || $0 == .certRevoked }, "\(name): \(connection.findingIDs)")
        }
    }

    /// Responders by name and by key hash, as tshark names them.
    func testResponderIDs() throws {
        let byName = try XCTUnwrap(analyse(zeek("ocsp-stapling.pcap")).connections.first?.summary.ocsp)
        XCTAssertEqual(byName.responder, .name("CN=VeriSign Class 3 Extended Validation SSL SGC OCSP Responder,OU=Terms of use at https://www.verisign.com/rpa (c)06,OU=VeriSign Trust Network,O=VeriSign\\, Inc.,C=US"))
        let byKey = try XCTUnwrap(analyse(zeek("ocsp-stapling-digicert.pcap")).connections.first?.summary.ocsp)
        let tsharkKey = try Tshark.fields(zeek("ocsp-stapling-digicert.pcap"), filter: "ocsp.byKey", ["ocsp.byKey"])
        XCTAssertEqual(byKey.responder, .keyHash(try XCTUnwrap(tsharkKey.first?.first)))
        XCTAssertEqual(byKey.responder, .keyHash("3dd350a5d6a0adeef34a600a65d321d4f8f8d60f"))
    }

    /// Every SCT tshark dissects in a capture (ServerHello extension, certificate
    /// extension, OCSP extension) is in `connection.sct`, with its log id and
    /// millisecond timestamp, under the right source.
    func testSCTsAgreeWithTshark() throws {
        let expectedSources: [String: [SCTReport.Source]] = [
            "signed_certificate_timestamp.pcap": [.tlsExtension, .ocsp],
            "signed_certificate_timestamp-2.pcap": [.tlsExtension, .certificate],
            "signed_certificate_timestamp_tls1_0.pcap": [.tlsExtension],
            "certificate-with-sct.pcap": [.certificate],
        ]
        for (name, sources) in expectedSources.sorted(by: { $0.key < $1.key }) {
            let connections = try analyse(zeek(name)).connections.compactMap(\.summary.sct)
            XCTAssertEqual(connections.count, 1, name)
            guard let sct = connections.first else { continue }
            XCTAssertEqual(sct.sources, sources, name)
            let rows = try Tshark.fields(zeek(name), filter: "tls.sct.sct_logid", ["tls.sct.sct_logid", "tls.sct.sct_timestamp"],
                                         allOccurrences: true)
            var theirs: [String] = []
            for row in rows {
                let ids = row[0].split(separator: ";"), times = row[1].split(separator: ";")
                XCTAssertEqual(ids.count, times.count, "\(name): \(row)")
                for (id, time) in zip(ids, times) { theirs.append("\(id)@\(Tshark.rfc3339(String(time), milliseconds: true))") }
            }
            let ours = sct.entries.map { entry -> String in
                XCTAssertEqual(entry.sct.version, 0, name)
                let hex = Data(base64Encoded: entry.sct.logIDBase64 ?? "").map { $0.map { String(format: "%02x", $0) }.joined() } ?? "?"
                return "\(hex)@\(entry.sct.timestampText ?? "?")"
            }
            XCTAssertEqual(ours.sorted(), theirs.sorted(), name)
            XCTAssertEqual(sct.count, theirs.count, name)
        }
        // The same log can sign through two channels: signed_certificate_timestamp.pcap's OCSP
        // response repeats two of the ServerHello's logs, each counted under its source.
        let twice = try XCTUnwrap(analyse(zeek("signed_certificate_timestamp.pcap")).connections.first?.summary.sct)
        XCTAssertEqual(twice.count, 5)
        XCTAssertEqual(twice.entries.filter { $0.source == .ocsp }.map { $0.sct.logIDBase64 ?? "" },
                       ["pLkJkLQYWBSHuxOizGdwCjw1mAT5G9+443fNDsgN3BA=", "aPaY+B9kgr46jO65KB1M/HFRXWeT1ETRCmesu09P+8Q="])
    }

    /// OCSP over HTTP (the Zeek OCSP captures, port 80): tlsdump is a TLS
    /// dissector and says nothing about them; their responses (exported by
    /// tshark) are read by the same parser as a staple, and agree with tshark,
    /// revoked ones and an empty responder name included.
    func testHTTPResponsesParseAsTsharkReadsThem() throws {
        let captures = ["ocsp-revoked.pcap", "ocsp-empty-responderid.pcap", "ocsp-response-only.pcap",
                        "ocsp-http-get.pcap", "ocsp-request-response.pcap"]
        var revoked = 0
        for name in captures {
            let sink = try analyse(zeek(name))
            XCTAssertTrue(sink.connections.isEmpty, "\(name): HTTP, not TLS: no connection is told")
            let rows = try Tshark.fields(zeek(name), filter: "ocsp.responseStatus",
                                         ["ocsp.responseStatus", "ocsp.certStatus", "ocsp.producedAt", "ocsp.thisUpdate",
                                          "ocsp.nextUpdate", "ocsp.serialNumber", "ocsp.revocationTime", "ocsp.revocationReason"])
            XCTAssertFalse(rows.isEmpty, name)
            var ours: [[String]] = []
            for body in try Tshark.httpObjects(zeek(name)) {
                // Requests are exported too: they are not OCSPResponses.
                guard let response = try? OCSPResponse.parse(der: body) else { continue }
                let basic = try XCTUnwrap(response.basic, name)
                XCTAssertEqual(response.status, .successful, name)
                guard let single = basic.responses.first else {
                    ours.append(["0", "", basic.producedAt.rfc3339, "", "", "", "", ""])
                    continue
                }
                var row = ["0", "", basic.producedAt.rfc3339, single.thisUpdate.rfc3339, single.nextUpdate?.rfc3339 ?? "",
                           single.certID.serial, "", ""]
                switch single.status {
                case .good: row[1] = "0"
                case .revoked(let time, let reason):
                    row[1] = "1"; row[6] = time.rfc3339; row[7] = reason.map { String($0.value) } ?? ""
                    revoked += 1
                case .unknown: row[1] = "2"
                }
                ours.append(row)
            }
            let theirs = rows.map { row -> [String] in
                [row[0], row[1], Tshark.rfc3339(row[2]), row[3].isEmpty ? "" : Tshark.rfc3339(row[3]),
                 row[4].isEmpty ? "" : Tshark.rfc3339(row[4]), row[5].uppercased(),
                 row[6].isEmpty ? "" : Tshark.rfc3339(row[6]), row[7]]
            }
            XCTAssertEqual(ours.map { $0.joined(separator: "|") }.sorted(), theirs.map { $0.joined(separator: "|") }.sorted(), name)
        }
        XCTAssertEqual(revoked, 4, "ocsp-revoked.pcap answers revoked four times")
        // An empty responder Name and no SingleResponse at all.
        let empty = try Tshark.httpObjects(zeek("ocsp-empty-responderid.pcap")).compactMap { try? OCSPResponse.parse(der: $0) }
        XCTAssertEqual(empty.count, 1)
        XCTAssertEqual(empty.first?.basic?.responder, .name(""))
        XCTAssertEqual(empty.first?.basic?.responseCount, 0)
        XCTAssertNil(empty.first?.singleResponse(forSerial: nil))
    }

    /// ML-DSA-44 is named (key and signature), with no bit size claimed; a
    /// certificate without a CN is reported by what its subject holds.
    func testPostQuantumAndNamelessCertificates() throws {
        let mldsa = try XCTUnwrap(analyse(zeek("ml-dsa-44-cert.pcap")).connections.first?.summary.serverCertificate)
        let oids = try Tshark.fields(zeek("ml-dsa-44-cert.pcap"), filter: "tls.handshake.certificate", ["x509af.algorithm.id"])
        XCTAssertEqual(oids.first?.first, "2.16.840.1.101.3.4.3.17,2.16.840.1.101.3.4.3.17,2.16.840.1.101.3.4.3.17",
                       "tshark: the signature, SPKI and outer algorithms are all id-ml-dsa-44")
        XCTAssertEqual(mldsa.keyType, "ML-DSA-44")
        XCTAssertEqual(mldsa.signatureAlgorithm, "ML-DSA-44")
        XCTAssertNil(mldsa.keyBits, "ML-DSA has no key size in bits: none is claimed")
        XCTAssertNil(mldsa.parseError)
        let text = try runTLSDump(["-r", zeek("ml-dsa-44-cert.pcap").path])
        XCTAssertTrue(String(decoding: text.stdout, as: UTF8.self).contains("self-signed, ML-DSA-44, valid until"),
                      String(decoding: text.stdout, as: UTF8.self))

        let sink = try analyse(zeek("cert-no-cn.pcap"))
        let noCN = try XCTUnwrap(sink.connections.first?.summary.serverCertificate)
        XCTAssertEqual(noCN.subject, "O=TestCorp")
        XCTAssertEqual(noCN.commonNames, [])
        XCTAssertEqual(noCN.subjectAlternativeNames, [])
        XCTAssertNil(noCN.parseError)
        XCTAssertNil(sink.connections.first?.summary.sni, "the client sent no SNI: nothing to match the missing names against")
        XCTAssertFalse(sink.findings.contains { $0.id == .certSNIMismatch })
    }
}

/// tshark run on a capture, for oracles computed at test time.
enum Tshark {
    static let executable = URL(fileURLWithPath: "/usr/bin/tshark")

    /// One row per matching frame, the fields in order ("" when absent).
    static func fields(_ capture: URL, filter: String, _ names: [String], allOccurrences: Bool = false) throws -> [[String]] {
        var arguments = ["-n", "-r", capture.path, "-Y", filter, "-T", "fields", "-E", "separator=|"]
        // Times hold commas ("Sep 26, 2016"): occurrences are joined with ';'.
        if allOccurrences { arguments += ["-E", "occurrence=a", "-E", "aggregator=;"] }
        for name in names { arguments += ["-e", name] }
        let result = try runProcess(executable, arguments)
        guard result.status == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "tshark failed (install it: make test-deps): \(String(decoding: result.stderr, as: UTF8.self))"])
        }
        return String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// The bodies of the HTTP messages of a capture (tshark --export-objects http).
    static func httpObjects(_ capture: URL) throws -> [[UInt8]] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-http-objects-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runProcess(executable, ["-n", "-r", capture.path, "-q", "--export-objects", "http,\(folder.path)"])
        guard result.status == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "tshark --export-objects failed: \(String(decoding: result.stderr, as: UTF8.self))"])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { [UInt8](try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    /// "Jul  7, 2015 16:28:34.366000000 UTC" -> "2015-07-07T16:28:34Z" (or "...34.366Z").
    static func rfc3339(_ text: String, milliseconds: Bool = false) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = text.replacingOccurrences(of: ",", with: "").split(separator: " ")
        guard parts.count >= 4, let month = months.firstIndex(of: String(parts[0])),
              let day = Int(parts[1]) else { return "unparsed: \(text)" }
        let clock = parts[3].split(separator: ".")
        var out = String(format: "%@-%02d-%02dT%@", String(parts[2]), month + 1, day, String(clock[0]))
        if milliseconds { out += "." + String((clock.count > 1 ? clock[1] : "000").prefix(3)) }
        return out + "Z"
    }
}
