import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpPipeline
import TLSDumpTLS
import TLSDumpTrust
import XCTest

/// Certificate chain validation (issue 17): swift-certificates' Verifier at
/// the capture's time, on corpus captures (checked by hand against tshark's
/// view of the certificates) and on chains a real OpenSSL s_server sent
/// (Peers/chains.sh makes the PKI with openssl req/x509).
final class ChainValidationTests: XCTestCase {
    private func shared(_ name: String) -> URL { Paths.sharedCaptures.appendingPathComponent(name) }

    private func validations(_ sink: CollectingSink) -> [(sni: String?, validation: ChainValidation?, findings: [FindingID])] {
        sink.connections.map { ($0.summary.sni, $0.summary.validation, $0.summary.findingIDs) }
    }

    // MARK: corpus

    /// Two connections to www.cviis.org send the leaf alone (its issuer, Starfield
    /// Secure Certificate Authority - G2, is an intermediate); the one to
    /// valid.sfig2.catest.starfieldtech.com sends leaf, intermediate and root.
    func testMissingIntermediate() throws {
        let all = validations(try analyse(shared("zeek/missing-intermediate.pcap")))
        XCTAssertEqual(all.map { $0.validation?.status }, [.incompleteChain, .ok, .incompleteChain])
        let missing = try XCTUnwrap(all[0].validation)
        XCTAssertTrue(missing.missingIntermediates)
        XCTAssertEqual(missing.path.map(\.subject), ["CN=www.cviis.org,OU=Domain Control Validated"])
        XCTAssertTrue(missing.reason?.contains("CN=Starfield Secure Certificate Authority - G2") == true, missing.reason ?? "")
        XCTAssertTrue(all[0].findings.contains(.certChainIncomplete))
        XCTAssertFalse(all[0].findings.contains(.certUntrusted))
        let complete = try XCTUnwrap(all[1].validation)
        XCTAssertEqual(complete.path.count, 3)
        XCTAssertEqual(complete.path.last?.subject?.hasPrefix("CN=Starfield Root Certificate Authority - G2"), true)
        XCTAssertFalse(complete.outOfOrder)
        XCTAssertEqual(all[1].findings, [], "the complete chain of 2014 validates as of 2014")
    }

    /// www.spidh.org's leaf expired on 2014-03-04, ten days before the capture;
    /// its chain ends at AddTrust External CA Root, removed from the stores since.
    func testExpiredLeafJudgedAtCaptureTime() throws {
        let all = validations(try analyse(shared("zeek/tls-expired-cert.pcap")))
        let first = try XCTUnwrap(all.first?.validation)
        XCTAssertEqual(first.status, .unknownIssuer, first.reason ?? "")
        XCTAssertTrue(first.reason?.contains("AddTrust External CA Root") == true, first.reason ?? "")
        let expired = try XCTUnwrap(first.firstProblem("expired"))
        XCTAssertEqual(expired.position, 0)
        XCTAssertTrue(expired.detail.contains("2014-03-04T23:59:59Z"), expired.detail)
        XCTAssertEqual(first.validatedAt, 1_394_745_603)
        XCTAssertTrue(first.has(ChainProblem.weakSignatureKind), "SHA-1 signed leaf and intermediate")
        for id in [FindingID.certExpired, .certUntrusted, .certWeakSignature] {
            XCTAssertTrue(all[0].findings.contains(id), "\(id) in \(all[0].findings)")
        }
    }

    /// A self-signed leaf is `unknown_issuer` and raises cert.self_signed (not also cert.untrusted);
    /// an ML-DSA certificate swift-certificates cannot parse is not_checked, and the leaf's own
    /// dates and names still give the findings they gave before validation existed.
    func testSelfSignedAndUnparseable() throws {
        let selfSigned = validations(try analyse(shared("zeek/cert-no-cn.pcap")))
        let v = try XCTUnwrap(selfSigned.first?.validation)
        XCTAssertEqual(v.status, .unknownIssuer)
        XCTAssertTrue(v.selfSigned)
        XCTAssertTrue(selfSigned[0].findings.contains(.certSelfSigned))
        XCTAssertFalse(selfSigned[0].findings.contains(.certUntrusted))

        let mldsa = validations(try analyse(shared("zeek/ml-dsa-44-cert.pcap")))
        let n = try XCTUnwrap(mldsa.first?.validation)
        XCTAssertEqual(n.status, .notChecked)
        XCTAssertTrue(n.reason?.contains("cannot parse the leaf") == true, n.reason ?? "")
        XCTAssertEqual(Set(mldsa[0].findings), [.certNotYetValid, .certSelfSigned])
    }

    /// TLS 1.3 without keys: the Certificate message is encrypted, so nothing is validated, and the reason says so.
    func testTLS13WithoutKeysIsNotChecked() throws {
        let all = validations(try analyse(shared("zeek/tls13_wolfssl.pcap")))
        let v = try XCTUnwrap(all.first?.validation)
        XCTAssertEqual(v.status, .notChecked)
        XCTAssertTrue(v.reason?.contains("TLS 1.3") == true, v.reason ?? "")
    }

    // MARK: real peers

    private func servedChains() throws -> (pcap: URL, root: URL, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-chains-\(UUID().uuidString.prefix(8))")
        let script = Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Peers/chains.sh")
        let r = try runProcess(URL(fileURLWithPath: "/bin/bash"), [script.path, directory.path])
        let out = String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard r.status == 0, FileManager.default.fileExists(atPath: out) else {
            XCTFail("chains.sh failed (\(r.status)): \(String(decoding: r.stderr, as: UTF8.self))")
            throw CocoaError(.fileNoSuchFile)
        }
        return (URL(fileURLWithPath: out), directory.appendingPathComponent("root.pem"), directory)
    }

    /// OpenSSL s_server sent: a whole chain in order, one lacking its second
    /// intermediate, one out of order, a SHA-1 signed leaf, and a leaf for
    /// another name; validated against the test root (--ca-file).
    func testChainsFromOpenSSL() throws {
        let served = try servedChains()
        defer { try? FileManager.default.removeItem(at: served.directory) }
        let validator = ChainValidator(anchors: TrustAnchors(caFiles: [served.root.path]))
        let sink = try analyse(served.pcap) { $0.config.validator = validator }
        let bySNI = Dictionary(uniqueKeysWithValues: validations(sink).compactMap { c in c.sni.map { ($0, c) } })
        XCTAssertEqual(bySNI.count, 5, "\(bySNI.keys)")

        let good = try XCTUnwrap(bySNI["good.chain.test"]?.validation)
        XCTAssertEqual(good.status, .ok)
        XCTAssertEqual(good.path.map(\.source), [.sent(index: 0), .sent(index: 1), .sent(index: 2), .trustStore])
        XCTAssertEqual(good.checkedName, "good.chain.test")
        XCTAssertEqual(good.trustStore, "ca_file")
        XCTAssertEqual(bySNI["good.chain.test"]?.findings, [])

        let missing = try XCTUnwrap(bySNI["missing.chain.test"])
        XCTAssertEqual(missing.validation?.status, .incompleteChain)
        XCTAssertEqual(missing.validation?.missingIntermediates, true)
        XCTAssertEqual(missing.validation?.problems.map(\.kind), ["incomplete_chain"])
        XCTAssertEqual(missing.findings, [.certChainIncomplete])

        let order = try XCTUnwrap(bySNI["order.chain.test"])
        XCTAssertEqual(order.validation?.status, .ok)
        XCTAssertEqual(order.validation?.outOfOrder, true)
        XCTAssertEqual(order.validation?.path.map(\.source), [.sent(index: 0), .sent(index: 2), .sent(index: 1), .trustStore])
        XCTAssertEqual(order.findings, [.certChainOrder])

        let sha1 = try XCTUnwrap(bySNI["sha1.chain.test"])
        XCTAssertEqual(sha1.validation?.status, .ok)
        XCTAssertEqual(sha1.validation?.firstProblem("weak_signature")?.position, 0)
        XCTAssertEqual(sha1.findings, [.certWeakSignature])

        let other = try XCTUnwrap(bySNI["other.example"])
        XCTAssertEqual(other.validation?.status, .nameMismatch)
        XCTAssertTrue(other.findings.contains(.certSNIMismatch))

        XCTAssertEqual(ChainValidator.suspendedRuns, 0, "the verifier finished without a thread hop")

        // The CLI: --ca-file as above; the system store does not know the test root.
        let withRoot = try jsonLines(try runTLSDump(["-r", served.pcap.path, "--format", "json", "--type", "connection", "--ca-file", served.root.path]).stdout)
        XCTAssertEqual(withRoot.compactMap { ($0["validation"] as? [String: Any])?["status"] as? String }.sorted(),
                       ["incomplete_chain", "name_mismatch", "ok", "ok", "ok"])
        let system = try jsonLines(try runTLSDump(["-r", served.pcap.path, "--format", "json", "--type", "connection"]).stdout)
        let statuses = system.compactMap { ($0["validation"] as? [String: Any])?["status"] as? String }
        XCTAssertEqual(Set(statuses), ["unknown_issuer", "incomplete_chain"], "\(statuses)")
        let off = try jsonLines(try runTLSDump(["-r", served.pcap.path, "--format", "json", "--type", "connection", "--no-validate"]).stdout)
        for c in off {
            let v = try XCTUnwrap(c["validation"] as? [String: Any])
            XCTAssertEqual(v["status"] as? String, "not_checked")
            XCTAssertEqual(v["reason"] as? String, "validation is turned off (--no-validate)")
        }
        let bad = try runTLSDump(["-r", served.pcap.path, "--ca-file", "/nonexistent.pem"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(String(decoding: bad.stderr, as: UTF8.self).contains("--ca-file"))
    }

    // MARK: the validator alone

    /// Verdicts are cached per chain and name while no validity bound is crossed; garbage is not_checked.
    func testVerdictCacheAndGarbage() throws {
        let summary = X509Summarizer.summarize(der: [0x30, 0x03, 0x02, 0x01, 0x01])
        let garbage = PresentedCertificate(der: [0x30, 0x03, 0x02, 0x01, 0x01], summary: summary)
        let validator = ChainValidator.system
        var cache = ChainVerdictCache(capacity: 4)
        let t = Timestamp(seconds: 1_600_000_000, microseconds: 0)
        let v1 = cache.verdict([garbage], hostname: "a.example", client: false, at: t, validator: validator)
        XCTAssertEqual(v1.value.status, .notChecked)
        XCTAssertEqual(cache.verdict([garbage], hostname: "a.example", client: false, at: t, validator: validator).value, v1.value)
        XCTAssertEqual(cache.hits, 1)
        _ = cache.verdict([garbage], hostname: "b.example", client: false, at: t, validator: validator)
        XCTAssertEqual(cache.misses, 2, "another name is another verdict")
        XCTAssertEqual(validator.validate([], hostname: nil, at: t).status, .notChecked)
        let revoked = ChainValidation(status: .ok, reason: nil).applying(.revoked(reason: "keyCompromise", time: "2020-01-01T00:00:00Z"))
        XCTAssertEqual(revoked.status, .revoked)
        XCTAssertTrue(revoked.reason?.contains("keyCompromise") == true)
    }
}

extension ChainValidationTests {
    /// A hostile chain: 15 self-issued CA certificates of one subject and one key
    /// (so each one's signature verifies under every other's key) that differ in
    /// their SAN, which the verifier's loop detection counts as different: every
    /// ordering is a path. The lookup budget ends the search at once.
    func testHostileChainSearchIsBounded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-hostile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            set -e; cd '\(dir.path)'; : > openssl.cnf; export OPENSSL_CONF=$PWD/openssl.cnf
            openssl ecparam -name prime256v1 -genkey -noout -out k.pem 2>/dev/null
            for i in $(seq 15); do
              printf 'basicConstraints=critical,CA:TRUE\\nsubjectAltName=DNS:n%s.hostile.test\\n' $i > e$i.cnf
              openssl req -new -key k.pem -subj '/CN=hostile' -out c.csr 2>/dev/null
              openssl x509 -req -in c.csr -signkey k.pem -days 30 -extfile e$i.cnf -outform DER -out ca$i.der 2>/dev/null
            done
            printf 'basicConstraints=CA:FALSE\\nsubjectAltName=DNS:leaf.hostile.test\\n' > leaf.cnf
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout lk.pem -subj '/CN=leaf.hostile.test' -out l.csr 2>/dev/null
            openssl x509 -req -in l.csr -CA ca1.der -CAform DER -CAkey k.pem -CAcreateserial -days 30 -extfile leaf.cnf -outform DER -out leaf.der 2>/dev/null
            """
        let r = try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script])
        XCTAssertEqual(r.status, 0, String(decoding: r.stderr, as: UTF8.self))
        var ders = [try [UInt8](Data(contentsOf: dir.appendingPathComponent("leaf.der")))]
        for i in 1...15 { ders.append(try [UInt8](Data(contentsOf: dir.appendingPathComponent("ca\(i).der")))) }
        let chain = ders.map { PresentedCertificate(der: $0, summary: X509Summarizer.summarize(der: $0)) }
        let started = Date()
        let v = ChainValidator.system.validate(chain, hostname: "leaf.hostile.test", at: Timestamp(seconds: Int64(started.timeIntervalSince1970), microseconds: 0))
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(v.status, .unknownIssuer, v.reason ?? "")
        XCTAssertTrue(v.reason?.contains("stopped after 32 issuer lookups") == true, v.reason ?? "")
        XCTAssertLessThan(seconds, 3, "the budget bounds the search (debug build)")
    }
}
