import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// RFC 8879 compressed certificates between real peers: tlslite-ng (PyPI) on
/// both ends of a TLS 1.3 loopback conversation, its server compressing the
/// certificate with zlib, brotli or zstd (Peers/certcomp_peer.py; GnuTLS
/// 3.7.9 and OpenSSL 3.0 here cannot: Debian builds GnuTLS without its
/// compression libraries). Captured live by `tlsdump -i lo -w`; the live
/// events have no keys (the certificate is not visible), the capture read
/// again with the client's key log shows the decompressed chain, which must
/// be the certificate of a plain exchange: same fingerprint, same subject.
///
/// Needs root (or CAP_NET_RAW) for the live capture, as CI has, and python3
/// with tlslite-ng, brotli and zstandard (`make test-deps` installs them; the
/// tests install them when missing). Nothing is skipped but for privileges.
final class CertificateCompressionPeerTests: XCTestCase {
    static let subject = "CN=server.test,O=tlsdump"

    func testZlibCompressedCertificateEqualsThePlainOne() throws { try assertCompressed("zlib") }
    func testBrotliCompressedCertificateEqualsThePlainOne() throws { try assertCompressed("brotli") }
    func testZstdCompressedCertificateEqualsThePlainOne() throws { try assertCompressed("zstd") }

    /// Without compress_certificate the server sends a plain Certificate: no compression reported.
    func testPlainExchangeHasNoCompression() throws {
        let run = try Self.run("none")
        let keyed = try run.reread(keys: true)
        let hello = try XCTUnwrap(keyed.first { $0["type"] as? String == "client_hello" })
        XCTAssertNil(hello["compress_certificate"], "the client offered none: \(hello)")
        let certificate = try XCTUnwrap(keyed.first { $0["type"] as? String == "certificate" })
        XCTAssertNil(certificate["compression"])
        let c = try run.connection(in: keyed)
        XCTAssertNil(c["server_certificate_compression"])
        XCTAssertEqual(messages(c, from: "server"), ["ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"])
        let leaf = try XCTUnwrap(c["server_certificate"] as? [String: Any])
        XCTAssertEqual(leaf["sha256"] as? String, run.peer["certificate_sha256"] as? String)
    }

    /// The live run had no key: the (compressed) certificate is encrypted, and the output says it is unknown.
    func testKeylessRunSaysTheCertificateIsNotVisible() throws {
        let run = try Self.run("zlib")
        let c = try run.connection(in: run.live)
        XCTAssertEqual(c["decrypted"] as? Bool, false)
        XCTAssertTrue(c["server_certificate"] is NSNull, "\(c["server_certificate"] ?? "missing")")
        XCTAssertNil(c["server_certificate_compression"], "not seen, so not claimed")
        let reason = try XCTUnwrap((c["unknown"] as? [String: Any])?["server_certificate"] as? String, "\(c["unknown"] ?? "no unknown")")
        XCTAssertTrue(reason.contains("TLS 1.3"), reason)
        XCTAssertFalse(run.live.contains { $0["type"] as? String == "certificate" })
        XCTAssertFalse(messages(c, from: "server").contains("CompressedCertificate"), "an encrypted record's type is not claimed")
        // The offer is in the clear ClientHello.
        let hello = try XCTUnwrap(run.live.first { $0["type"] as? String == "client_hello" })
        XCTAssertEqual(hello["compress_certificate"] as? [String], ["zlib", "brotli", "zstd"])
        XCTAssertTrue((hello["extensions"] as? [String])?.contains("compress_certificate") == true)
    }

    private func assertCompressed(_ algorithm: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try Self.run(algorithm)
        let plain = try Self.run("none")
        XCTAssertEqual(run.peer["echoed"] as? String, "hello\n", file: file, line: line)
        let keyed = try run.reread(keys: true)
        let c = try run.connection(in: keyed)
        XCTAssertEqual(c["decrypted"] as? Bool, true, file: file, line: line)
        XCTAssertEqual(c["established"] as? Bool, true, file: file, line: line)
        XCTAssertEqual(c["version"] as? String, "TLSv1.3", file: file, line: line)

        let hello = try XCTUnwrap(keyed.first { $0["type"] as? String == "client_hello" }, file: file, line: line)
        XCTAssertEqual(hello["compress_certificate"] as? [String], ["zlib", "brotli", "zstd"], file: file, line: line)

        // The certificate event: the chain, and how it travelled.
        let certificates = keyed.filter { $0["type"] as? String == "certificate" }
        XCTAssertEqual(certificates.count, 1, file: file, line: line)
        let event = try XCTUnwrap(certificates.first, file: file, line: line)
        XCTAssertEqual(event["decrypted"] as? Bool, true, file: file, line: line)
        let compression = try XCTUnwrap(event["compression"] as? [String: Any], "\(event)", file: file, line: line)
        XCTAssertEqual(compression["algorithm"] as? String, algorithm, file: file, line: line)
        let compressedLength = try XCTUnwrap(compression["compressed_length"] as? Int, file: file, line: line)
        let uncompressedLength = try XCTUnwrap(compression["uncompressed_length"] as? Int, file: file, line: line)
        // One random-looking DER certificate barely compresses (brotli makes it 4 bytes longer): no order asserted.
        XCTAssertGreaterThan(compressedLength, 100, file: file, line: line)
        XCTAssertGreaterThan(uncompressedLength, 500, "one certificate and the TLS 1.3 framing", file: file, line: line)
        XCTAssertEqual(c["server_certificate_compression"] as? [String: AnyHashable],
                       compression.mapValues { $0 as? AnyHashable ?? AnyHashable("?") }, file: file, line: line)

        // The same certificate as the plain exchange's, and as the client verified.
        let leaf = try XCTUnwrap(c["server_certificate"] as? [String: Any], file: file, line: line)
        let plainLeaf = try XCTUnwrap(try plain.connection(in: plain.reread(keys: true))["server_certificate"] as? [String: Any],
                                      file: file, line: line)
        XCTAssertEqual(leaf["sha256"] as? String, run.peer["certificate_sha256"] as? String, file: file, line: line)
        XCTAssertEqual(leaf["sha256"] as? String, plainLeaf["sha256"] as? String, file: file, line: line)
        XCTAssertEqual(leaf["subject"] as? String, Self.subject, file: file, line: line)
        XCTAssertEqual(leaf["subject"] as? String, plainLeaf["subject"] as? String, file: file, line: line)
        XCTAssertEqual(leaf["serial"] as? String, plainLeaf["serial"] as? String, file: file, line: line)

        // The messages: CompressedCertificate in place of Certificate, decrypted; no compression finding.
        XCTAssertEqual(messages(c, from: "server"), ["ServerHello", "EncryptedExtensions", "CompressedCertificate", "CertificateVerify", "Finished"],
                       file: file, line: line)
        let findings = (c["findings"] as? [String]) ?? []
        XCTAssertFalse(findings.contains { $0.hasPrefix("cert.compression") }, "\(findings)", file: file, line: line)
        let plainFindings = try (plain.connection(in: plain.reread(keys: true))["findings"] as? [String]) ?? []
        XCTAssertEqual(Set(findings), Set(plainFindings), "the same certificate findings either way", file: file, line: line)
    }

    // MARK: running the peers

    struct PeerRun {
        let algorithm: String
        let pcap: URL
        let keylog: URL
        /// certcomp_peer.py's account: the certificate the client got, the echo.
        let peer: [String: Any]
        /// The live tlsdump's events (no keys).
        let live: [[String: Any]]

        func connection(in events: [[String: Any]]) throws -> [String: Any] {
            let connections = events.filter { $0["type"] as? String == "connection" }
            guard connections.count == 1, let only = connections.first else {
                throw PeerFailure(description: "\(algorithm): expected one connection event, found \(connections.count)")
            }
            return only
        }

        func reread(keys: Bool) throws -> [[String: Any]] {
            var arguments = ["-r", pcap.path, "--format", "json"]
            if keys { arguments += ["-k", keylog.path] }
            let result = try runProcess(Paths.tlsdump, arguments)
            guard result.status == 0 else {
                throw PeerFailure(description: "tlsdump \(arguments) failed (\(result.status)): \(String(decoding: result.stderr, as: UTF8.self))")
            }
            return try jsonLines(result.stdout)
        }
    }

    nonisolated(unsafe) private static var scratch: URL?
    nonisolated(unsafe) private static var runs: [String: PeerRun] = [:]
    nonisolated(unsafe) private static var modulesChecked = false

    override class func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        scratch = nil
        runs.removeAll()
        super.tearDown()
    }

    /// One conversation per algorithm and test process, shared by the tests.
    static func run(_ algorithm: String) throws -> PeerRun {
        if let cached = runs[algorithm] { return cached }
        if geteuid() != 0 {
            throw XCTSkip("live capture on lo needs root or CAP_NET_RAW (CI runs the tests as root)")
        }
        try ensurePythonModules()
        if scratch == nil {
            scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-certcomp-\(getpid())")
        }
        let port = try freeLoopbackPort(SOCK_STREAM)
        let workdir = try XCTUnwrap(scratch).appendingPathComponent("\(algorithm)-\(port)")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        let pcap = workdir.appendingPathComponent("live.pcap"), keylog = workdir.appendingPathComponent("keys.log")
        let out = workdir.appendingPathComponent("live.ndjson"), err = workdir.appendingPathComponent("live.err")

        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let tlsdump = Process()
        tlsdump.executableURL = Paths.tlsdump
        tlsdump.arguments = ["-i", "lo", "--format", "json", "-o", out.path, "-w", pcap.path, "tcp port \(port)"]
        tlsdump.standardInput = FileHandle.nullDevice
        tlsdump.standardOutput = FileHandle.nullDevice
        tlsdump.standardError = try FileHandle(forWritingTo: err)
        try tlsdump.run()
        defer { if tlsdump.isRunning { kill(tlsdump.processIdentifier, SIGKILL); tlsdump.waitUntilExit() } }
        let stderrText = { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }
        try waitFor("tlsdump to listen on lo", seconds: 10, detail: stderrText) { stderrText().contains("listening on") || !tlsdump.isRunning }
        guard tlsdump.isRunning else { throw PeerFailure(description: "tlsdump ended at start: \(stderrText())") }

        let pki = Paths.packageRoot.appendingPathComponent("captures/pki")
        let peer = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Peers/certcomp_peer.py").path,
            algorithm, "\(port)", workdir.path,
            pki.appendingPathComponent("server.pem").path, pki.appendingPathComponent("server.key").path,
        ])
        guard peer.status == 0 else {
            throw PeerFailure(description: "certcomp_peer.py \(algorithm) failed (\(peer.status); 3: a module is missing): "
                              + String(decoding: peer.stderr, as: UTF8.self))
        }
        guard let account = try JSONSerialization.jsonObject(with: peer.stdout) as? [String: Any] else {
            throw PeerFailure(description: "certcomp_peer.py printed no JSON: \(String(decoding: peer.stdout, as: UTF8.self))")
        }
        // The connection closes (FIN both ways): its event shows while tlsdump still runs.
        let events = { () -> [[String: Any]] in
            var data = (try? Data(contentsOf: out)) ?? Data()
            if let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) { data = data.prefix(through: lastNewline) } else { data = Data() }
            return (try? jsonLines(data)) ?? []
        }
        try waitFor("tlsdump's connection event", seconds: 15, detail: stderrText) {
            events().contains { $0["type"] as? String == "connection" } || !tlsdump.isRunning
        }
        kill(tlsdump.processIdentifier, SIGINT)
        try waitFor("tlsdump to stop on SIGINT", seconds: 10, detail: stderrText) { !tlsdump.isRunning }
        tlsdump.waitUntilExit()
        guard tlsdump.terminationStatus == 0 else {
            throw PeerFailure(description: "tlsdump ended with status \(tlsdump.terminationStatus): \(stderrText())")
        }
        let run = PeerRun(algorithm: algorithm, pcap: pcap, keylog: keylog, peer: account, live: try jsonLines(Data(contentsOf: out)))
        runs[algorithm] = run
        return run
    }

    /// tlslite-ng, brotli and zstandard from PyPI, installed when missing (make test-deps does it first on CI).
    private static func ensurePythonModules() throws {
        if modulesChecked { return }
        let check = "import tlslite, brotli, zstandard"
        if try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", check]).status != 0 {
            let packages = ["tlslite-ng", "brotli", "zstandard"]
            _ = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "pip", "install", "-q"] + packages)
            if try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", check]).status != 0 {
                // Debian's own python3 refuses pip installs without this (PEP 668).
                let second = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                            ["python3", "-m", "pip", "install", "-q", "--break-system-packages"] + packages)
                guard try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", check]).status == 0 else {
                    throw PeerFailure(description: "tlslite-ng/brotli/zstandard missing and pip could not install them: "
                                      + String(decoding: second.stderr, as: UTF8.self))
                }
            }
        }
        modulesChecked = true
    }
}

private struct PeerFailure: Error, CustomStringConvertible {
    let description: String
}

private func waitFor(_ what: String, seconds: Double, detail: () -> String = { "" }, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(50_000)
    }
    if try condition() { return }
    throw PeerFailure(description: "timed out after \(seconds) s waiting for \(what). \(detail())")
}

/// The handshake message types one side sent in the first handshake, in order.
private func messages(_ c: [String: Any], from side: String) -> [String] {
    guard let first = (c["handshakes"] as? [[String: Any]])?.first, let list = first["messages"] as? [[String: Any]] else { return [] }
    return list.filter { $0["sender"] as? String == side }.compactMap { $0["type"] as? String }
}
