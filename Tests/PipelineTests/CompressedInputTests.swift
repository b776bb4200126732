import Foundation
import TLSDumpPipeline
import XCTest

/// `-r` on captures compressed by the real tools (gzip, zstd, xz, lz4) gives
/// what the uncompressed file gives: pcap and pcapng, concatenated streams,
/// stdin, embedded keys; cut and non-capture files end as the issue asks.
final class CompressedInputTests: XCTestCase {
    static let tools = ["gzip", "zstd", "xz", "lz4"]

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-compressed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// `tool -c input > output` (the tools' own file format, keeping the input).
    private func compress(_ input: URL, with tool: String, to name: String, options: [String] = []) throws -> URL {
        let output = directory.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "-q", "-c"] + options + [input.path]
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        XCTAssertEqual(process.terminationStatus, 0, "\(tool) failed (is it installed? make test-deps)")
        return output
    }

    private func write(_ data: Data, _ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    private func shared(_ name: String) throws -> URL {
        let url = Paths.sharedCaptures.appendingPathComponent(name)
        try XCTSkipUnless(FileManager.default.fileExists(atPath: url.path), "shared corpus missing: \(url.path)")
        return url
    }

    /// The JSON lines of a run, the stats line without its wall-clock `seconds`
    /// and its `files` (whose `bytes` are what was read from disk: the compressed size).
    private func events(_ stdout: Data) throws -> [NSDictionary] {
        try jsonLines(stdout).map { line in
            var line = line
            if line["type"] as? String == "stats" {
                line["seconds"] = nil
                line["files"] = nil
            }
            return line as NSDictionary
        }
    }

    private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    /// pcap (the project's own and a Zeek one) and pcapng (JA4's, and the
    /// Chrome capture whose Decryption Secrets Block decrypts it).
    func testEveryFormatGivesTheEventsOfThePlainFile() throws {
        let captures = [Paths.bundledCaptures.appendingPathComponent("tls13.pcap"), try shared("zeek/ssl.v3.pcap"),
                        try shared("ja4/tls-handshake.pcapng"), try shared("quic/chrome-cloudflare-quic-with-secrets.pcapng")]
        for capture in captures {
            let plain = try runTLSDump(["-r", capture.path, "--format", "json"])
            XCTAssertEqual(plain.status, 0, text(plain.stderr))
            let expected = try events(plain.stdout)
            XCTAssertGreaterThan(expected.count, 2, capture.lastPathComponent)
            for tool in Self.tools {
                // A name that says nothing: the magic decides.
                let compressed = try compress(capture, with: tool, to: capture.lastPathComponent + ".\(tool).bin")
                let r = try runTLSDump(["-r", compressed.path, "--format", "json"])
                XCTAssertEqual(r.status, 0, "\(tool) \(capture.lastPathComponent): \(text(r.stderr))")
                XCTAssertEqual(try events(r.stdout), expected, "\(tool) \(capture.lastPathComponent)")
            }
        }
    }

    /// The Chrome capture's own keys, read from the compressed pcapng, decrypt its handshakes.
    func testCompressedPcapngWithEmbeddedKeysDecrypts() throws {
        let capture = try shared("quic/chrome-cloudflare-quic-with-secrets.pcapng")
        for tool in Self.tools {
            let compressed = try compress(capture, with: tool, to: "chrome.pcapng.\(tool)")
            let r = try runTLSDump(["-r", compressed.path, "--format", "json", "--type", "connection"])
            XCTAssertEqual(r.status, 0, text(r.stderr))
            let connections = try jsonLines(r.stdout)
            XCTAssertEqual(connections.count, 2, tool)
            XCTAssertTrue(connections.allSatisfy { $0["decrypted"] as? Bool == true }, "\(tool): \(connections)")
            let without = try runTLSDump(["-r", compressed.path, "--format", "json", "--type", "connection", "--no-embedded-keys"])
            XCTAssertTrue(try jsonLines(without.stdout).allSatisfy { $0["decrypted"] as? Bool == false }, tool)
        }
    }

    /// Members, frames and streams one after another (pigz, zstd -T, `cat a.gz b.gz`):
    /// the capture split in three, each part compressed, the parts concatenated.
    func testConcatenatedStreamsReadAsOneCapture() throws {
        let capture = try shared("ja4/tls-handshake.pcapng")
        let bytes = try Data(contentsOf: capture)
        let expected = try events(try runTLSDump(["-r", capture.path, "--format", "json"]).stdout)
        let cuts = [0, bytes.count / 3, bytes.count / 3 + 1, bytes.count]
        for tool in Self.tools {
            var joined = Data()
            for i in 0..<3 {
                let part = try write(bytes.subdata(in: cuts[i]..<cuts[i + 1]), "part\(i)")
                joined += try Data(contentsOf: compress(part, with: tool, to: "part\(i).\(tool)"))
            }
            let url = try write(joined, "joined.\(tool)")
            let r = try runTLSDump(["-r", url.path, "--format", "json"])
            XCTAssertEqual(r.status, 0, "\(tool): \(text(r.stderr))")
            XCTAssertEqual(try events(r.stdout), expected, tool)
        }
    }

    /// A cut compressed file: what was decompressed before the cut is
    /// analysed, then the run ends like a truncated capture (exit 2, warning
    /// naming the codec). A 1 MB capture: zstd decodes 128 KiB blocks whole,
    /// and lz4 is asked for 64 KiB blocks (-B4; its default is 4 MiB).
    func testCutCompressedFileKeepsEarlierConnectionsAndWarns() throws {
        let capture = try shared("ja4/tls3.pcapng")
        let full = try jsonLines(try runTLSDump(["-r", capture.path, "--format", "json", "--type", "connection"]).stdout)
        let fullFlows = Set(full.compactMap { $0["community_id"] as? String })
        for tool in Self.tools {
            let compressed = try Data(contentsOf: compress(capture, with: tool, to: "whole.\(tool)", options: tool == "lz4" ? ["-B4"] : []))
            let cut = try write(compressed.prefix(compressed.count * 2 / 3), "cut.\(tool)")
            let r = try runTLSDump(["-r", cut.path, "--format", "json", "--type", "connection"])
            XCTAssertEqual(r.status, 2, tool)
            XCTAssertTrue(text(r.stderr).contains("is truncated (\(tool) stream ends early)"), "\(tool): \(text(r.stderr))")
            let flows = Set(try jsonLines(r.stdout).compactMap { $0["community_id"] as? String })
            XCTAssertGreaterThan(flows.count, 3, "\(tool): the connections before the cut")
            XCTAssertLessThan(flows.count, fullFlows.count, tool)
            XCTAssertTrue(flows.isSubset(of: fullFlows), tool)
        }
    }

    func testCompressedNonCaptureIsAClearError() throws {
        let notes = try write(Data(String(repeating: "not a capture at all\n", count: 50).utf8), "notes.txt")
        for tool in Self.tools {
            let compressed = try compress(notes, with: tool, to: "notes.\(tool)")
            let r = try runTLSDump(["-r", compressed.path])
            XCTAssertEqual(r.status, 2, tool)
            XCTAssertEqual(text(r.stderr), "tlsdump: \(compressed.path): \(tool)-compressed, but not a pcap or pcapng capture\n")
            XCTAssertEqual(r.stdout.count, 0)
        }
        // Garbage after a gzip magic is named as gzip's problem, in one line.
        let garbage = try write(Data([0x1F, 0x8B, 0x08] + [UInt8](repeating: 0xEE, count: 100)), "garbage.gz")
        let r = try runTLSDump(["-r", garbage.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(text(r.stderr).hasPrefix("tlsdump: cannot read \(garbage.path): gzip: "), text(r.stderr))
        XCTAssertEqual(text(r.stderr).filter { $0 == "\n" }.count, 1, text(r.stderr))
    }

    /// `-r -` sniffs stdin's first bytes and feeds them back: compressed and plain alike.
    /// (One thread: stdin, of unknown size, would otherwise get one per core, and other flow ids.)
    func testCompressedStandardInput() throws {
        let capture = Paths.bundledCaptures.appendingPathComponent("tls13-pha.pcap")
        let expected = try events(try runTLSDump(["-r", capture.path, "--format", "json", "--threads", "1"]).stdout)
        for tool in Self.tools {
            let compressed = try Data(contentsOf: compress(capture, with: tool, to: "stdin.\(tool)"))
            let r = try runTLSDump(["-r", "-", "--format", "json", "--threads", "1"], stdin: compressed)
            XCTAssertEqual(r.status, 0, "\(tool): \(text(r.stderr))")
            XCTAssertEqual(try events(r.stdout), expected, tool)
        }
        let plain = try runTLSDump(["-r", "-", "--format", "json", "--threads", "1"], stdin: try Data(contentsOf: capture))
        XCTAssertEqual(try events(plain.stdout), expected, "plain stdin through the same sniffing")
        // Stdin shorter than any magic is still a clear error.
        let tiny = try runTLSDump(["-r", "-"], stdin: Data([0x1F, 0x8B]))
        XCTAssertEqual(tiny.status, 2)
        XCTAssertTrue(text(tiny.stderr).contains("not a pcap or pcapng capture"), text(tiny.stderr))
    }

    /// --write-flagged re-reads the input: from a compressed file too, writing plain pcap.
    func testWriteFlaggedFromACompressedFile() throws {
        let capture = try shared("zeek/missing-intermediate.pcap")
        for tool in Self.tools {
            let compressed = try compress(capture, with: tool, to: "flagged-source.\(tool)")
            let flaggedPath = directory.appendingPathComponent("flagged-\(tool).pcap").path
            let r = try runTLSDump(["-r", compressed.path, "--summary", "--min-severity", "high", "--write-flagged", flaggedPath])
            XCTAssertEqual(r.status, 0, text(r.stderr))
            let flagged = try jsonLines(try runTLSDump(["-r", flaggedPath, "--format", "json", "--type", "connection"]).stdout)
            XCTAssertEqual(flagged.count, 2, tool)
        }
    }

    /// The thread choice samples a compressed file's packets like the plain file's.
    func testThreadChoiceSamplesCompressedFiles() throws {
        let capture = try shared("ja4/tls-handshake.pcapng")
        let plain = try XCTUnwrap(ThreadChoice.sample(path: capture.path))
        XCTAssertGreaterThan(plain.tcpPackets, 100)
        for tool in Self.tools {
            let compressed = try compress(capture, with: tool, to: "sample.\(tool)")
            XCTAssertEqual(ThreadChoice.sample(path: compressed.path), plain, tool)
        }
    }
}
