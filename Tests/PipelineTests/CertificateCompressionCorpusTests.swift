import Foundation
import TLSDumpTLS
import XCTest

/// A third-party capture with compressed certificates: Chrome and Cloudflare
/// (shared/captures/quic, its keys in the pcapng), one TLS 1.3 connection over
/// TCP and one over QUIC, each server sending its chain brotli-compressed. tlsdump's decompressed
/// chains must be what tshark decompresses from the same messages: the
/// algorithm, both lengths, and every certificate's SHA-256.
final class CertificateCompressionCorpusTests: XCTestCase {
    static var capture: URL {
        Paths.sharedCaptures.appendingPathComponent("quic/chrome-cloudflare-quic-with-secrets.pcapng")
    }

    func testBrotliChainsFromCloudflareMatchTshark() throws {
        let path = Self.capture.path
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "the shared corpus is missing \(path)")
        // tshark: one line per CompressedCertificate: algorithm, lengths, certificates (hex DER, comma-separated).
        let tshark = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "tshark", "-r", path, "-Y", "tls.handshake.type == 25", "-T", "fields", "-E", "separator=;",
            "-e", "tls.compress_certificate.algorithm", "-e", "tls.compress_certificate.uncompressed_length",
            "-e", "tls.compress_certificate.compressed_certificate_message.length", "-e", "tls.handshake.certificate",
        ])
        XCTAssertEqual(tshark.status, 0, String(decoding: tshark.stderr, as: UTF8.self))
        let oracle = String(decoding: tshark.stdout, as: UTF8.self).split(separator: "\n").map { line -> [String: AnyHashable] in
            let fields = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            let chain = fields.count > 3 ? fields[3].split(separator: ",").map { X509Summarizer.summarize(der: hexBytes(String($0))).sha256 } : []
            return ["algorithm": fields.first == "2" ? "brotli" : "algorithm \(fields.first ?? "?")",
                    "uncompressed_length": Int(fields.count > 1 ? fields[1] : "") ?? -1,
                    "compressed_length": Int(fields.count > 2 ? fields[2] : "") ?? -1, "chain": chain]
        }
        XCTAssertEqual(oracle.count, 2, "tshark's CompressedCertificate messages: \(oracle)")

        let run = try runTLSDump(["-r", path, "--format", "json"])
        XCTAssertEqual(run.status, 0, String(decoding: run.stderr, as: UTF8.self))
        let events = try jsonLines(run.stdout)
        let ours = events.filter { $0["type"] as? String == "certificate" }.map { e -> [String: AnyHashable] in
            let compression = e["compression"] as? [String: Any] ?? [:]
            return ["algorithm": compression["algorithm"] as? String ?? "none",
                    "uncompressed_length": compression["uncompressed_length"] as? Int ?? -1,
                    "compressed_length": compression["compressed_length"] as? Int ?? -1,
                    "chain": ((e["chain"] as? [[String: Any]]) ?? []).compactMap { $0["sha256"] as? String }]
        }
        XCTAssertEqual(ours, oracle)
        XCTAssertEqual(ours.compactMap { ($0["chain"] as? [String])?.count }, [2, 2], "leaf and intermediate each time")
        // The connections: decrypted, compression told, offered algorithms read, no compression finding.
        let connections = events.filter { $0["type"] as? String == "connection" }
        XCTAssertEqual(Set(connections.compactMap { $0["transport"] as? String }), ["tcp", "quic"])
        XCTAssertEqual(connections.count, 2)
        for c in connections {
            XCTAssertEqual((c["server_certificate_compression"] as? [String: Any])?["algorithm"] as? String, "brotli")
            XCTAssertEqual((c["server_certificate"] as? [String: Any])?["subject"] as? String,
                           "CN=sni.cloudflaressl.com,O=Cloudflare\\, Inc.,L=San Francisco,ST=California,C=US")
            XCTAssertFalse(((c["findings"] as? [String]) ?? []).contains { $0.hasPrefix("cert.compression") })
        }
        let offers = events.filter { $0["type"] as? String == "client_hello" }.compactMap { $0["compress_certificate"] as? [String] }
        XCTAssertEqual(offers, [["brotli"], ["brotli"]], "Chrome offers brotli")
    }
}

private func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), index < hex.endIndex {
        if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
        index = next
    }
    return bytes
}
