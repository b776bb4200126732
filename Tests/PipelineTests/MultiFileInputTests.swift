import Foundation
import TLSDumpBase
import TLSDumpCapture
import TLSDumpPipeline
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Several capture files as one input (`-r a b`, a directory, `-V`): a rotated
/// set written by real tcpdump (-C) while real OpenSSL peers talk, a real
/// capture split into two overlapping files, mixed link types, a cut member,
/// `--threads`, `-w` and `--write-flagged` across files.
final class MultiFileInputTests: XCTestCase {
    private var scratch: URL!
    private var processes: [Process] = []

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tlsdump-multi-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if (testRun?.totalFailureCount ?? 0) == 0 { try? FileManager.default.removeItem(at: scratch) }
    }

    // MARK: - A rotated set from tcpdump -C

    /// `tcpdump -i lo -C 1` rotates while a TLS connection moves 3 MB: read as
    /// a set (given in any order), it is one connection with the events of
    /// the same packets in one file; the first file alone does not see its end.
    func testATcpdumpRotatedSetIsOneConnectionAcrossTheRotation() throws {
        guard geteuid() == 0 else { throw XCTSkip("live capture on lo needs root (CI runs the tests as root)") }
        let port = try freeLoopbackPort(SOCK_STREAM)
        let rotated = scratch.appendingPathComponent("rot.pcap")
        let log = scratch.appendingPathComponent("tcpdump.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let tcpdump = Process()
        tcpdump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // -Z root: tcpdump would drop to its own user before creating the next files.
        tcpdump.arguments = ["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-B", "65536", "-s", "262144", "-Z", "root",
                             "-C", "1", "-w", rotated.path, "tcp port \(port)"]
        tcpdump.standardOutput = FileHandle.nullDevice
        tcpdump.standardError = try FileHandle(forWritingTo: log)
        try tcpdump.run()
        processes.append(tcpdump)
        try waitFor("tcpdump to listen", seconds: 10) {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("listening on") == true || !tcpdump.isRunning
        }
        XCTAssertTrue(tcpdump.isRunning, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        try runPeers("bulk-tls12", port: port)
        usleep(300_000)
        kill(tcpdump.processIdentifier, SIGINT)
        try waitFor("tcpdump to stop", seconds: 10) { !tcpdump.isRunning }

        // tcpdump's names: rot.pcap, rot.pcap1, rot.pcap2, ...
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix("rot.pcap") }
        let files = names.sorted { Int($0.dropFirst("rot.pcap".count)) ?? 0 < Int($1.dropFirst("rot.pcap".count)) ?? 0 }
            .map { scratch.appendingPathComponent($0).path }
        XCTAssertGreaterThanOrEqual(files.count, 3, "3 MB at -C 1 rotates at least twice: \(files)")
        let reference = scratch.appendingPathComponent("whole.pcap").path
        let packets = try concatenate(files, into: reference)

        let set = try runTLSDump(["-r"] + files.shuffled() + ["--format", "json"])
        let whole = try runTLSDump(["-r", reference, "--format", "json"])
        XCTAssertEqual(set.status, 0, String(decoding: set.stderr, as: UTF8.self))
        XCTAssertEqual(ThreadedPipelineTests.dropStats(set.stdout), ThreadedPipelineTests.dropStats(whole.stdout))
        let connections = try events(set.stdout, type: "connection")
        XCTAssertEqual(connections.count, 1, "one connection across \(files.count) files")
        let connection = try XCTUnwrap(connections.first)
        XCTAssertEqual(connection["close"] as? String, "fin")
        XCTAssertEqual(connection["established"] as? Bool, true)
        XCTAssertGreaterThan((connection["bytes"] as? [String: Any])?["client"] as? Int ?? 0, 3_000_000)
        let stats = try XCTUnwrap(try events(set.stdout, type: "stats").last)
        XCTAssertEqual(stats["packets"] as? Int, packets)
        let sizes = try files.map { try XCTUnwrap(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }
        XCTAssertEqual(stats["files"] as? NSDictionary,
                       ["read": files.count, "bytes": sizes.reduce(0, +), "failed": [Any]()] as NSDictionary)

        // The first file alone holds the start of the connection, not its end.
        let first = try runTLSDump(["-r", files[0], "--format", "json"])
        let cut = try XCTUnwrap(try events(first.stdout, type: "connection").first)
        XCTAssertEqual(cut["close"] as? String, "end_of_input")

        // The directory and a -V list name the same set.
        let directory = scratch.appendingPathComponent("set")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in files { try FileManager.default.moveItem(atPath: file, toPath: directory.appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path) }
        try FileManager.default.copyItem(atPath: log.path, toPath: directory.appendingPathComponent("tcpdump.log").path)
        let fromDirectory = try runTLSDump(["-r", directory.path, "--format", "json"])
        XCTAssertEqual(ThreadedPipelineTests.dropStats(fromDirectory.stdout), ThreadedPipelineTests.dropStats(whole.stdout))
        XCTAssertEqual(String(decoding: fromDirectory.stderr, as: UTF8.self),
                       "tlsdump: \(directory.path): skipped 1 file that is not a capture\n")
    }

    // MARK: - Overlapping files

    /// A real capture's packets dealt alternately into two files: merged by
    /// time, the output is the original's, whether the files come as -r
    /// twice, as a shell glob expands them, a directory or a -V list.
    func testAlternatelySplitCaptureMergesBackToTheOriginal() throws {
        let original = Paths.sharedCaptures.appendingPathComponent("zeek/ssl.v3.pcap").path
        let (a, b) = try split(original)
        let expected = try runTLSDump(["-r", original, "--format", "json"])
        XCTAssertEqual(try events(expected.stdout, type: "connection").count, 3, "the capture's 3 connections")
        let list = scratch.appendingPathComponent("list.txt")
        try "# both halves\n\n\(b)\n   \n\(a)\n".write(to: list, atomically: true, encoding: .utf8)
        let directory = URL(fileURLWithPath: a).deletingLastPathComponent().path
        // A rotated set compressed member by member (tcpdump -z gzip, or zstd afterwards), in a folder of its own.
        let packed = scratch.appendingPathComponent("packed")
        try FileManager.default.createDirectory(at: packed, withIntermediateDirectories: true)
        let aGzip = try compressCopy(a, with: "gzip", into: packed), bZstd = try compressCopy(b, with: "zstd", into: packed)
        for arguments in [["-r", a, "-r", b], ["-r", b, a], ["-r", directory], ["-V", list.path],
                          ["-r", directory + "/half-*.pcap"], ["-r", aGzip, bZstd], ["-r", packed.path]] {
            let merged = try runTLSDump(arguments + ["--format", "json"])
            XCTAssertEqual(merged.status, 0, "\(arguments): " + String(decoding: merged.stderr, as: UTF8.self))
            XCTAssertEqual(ThreadedPipelineTests.dropStats(merged.stdout), ThreadedPipelineTests.dropStats(expected.stdout), "\(arguments)")
            let stats = try XCTUnwrap(try events(merged.stdout, type: "stats").last)
            XCTAssertEqual((stats["files"] as? [String: Any])?["read"] as? Int, 2, "\(arguments)")
        }
        // The default --threads samples the start of the merged input: as of the original.
        let sampled = try XCTUnwrap(ThreadChoice.sample(paths: [b, a]))
        XCTAssertGreaterThan(sampled.tcpPackets, 100)
        XCTAssertEqual(sampled, ThreadChoice.sample(path: original))
        // After the files, the rest of the arguments is the BPF filter.
        let filtered = try runTLSDump(["-r", a, b, "tcp", "port", "1"])
        XCTAssertEqual(filtered.status, 0, String(decoding: filtered.stderr, as: UTF8.self))
        XCTAssertTrue(String(decoding: filtered.stdout, as: UTF8.self).contains("0 TLS connections"),
                      String(decoding: filtered.stdout, as: UTF8.self))
        // The text summary tells how many files.
        let text = try runTLSDump(["-r", a, b, "--summary"])
        XCTAssertTrue(String(decoding: text.stdout, as: UTF8.self).contains("  input: 2 files, 0.2 MB"),
                      String(decoding: text.stdout, as: UTF8.self))
    }

    /// Connections dealt over workers see the merged stream as one: the same
    /// lines with --threads 4 as with 1 (hundreds of interleaved connections
    /// split alternately into two files).
    func testThreadsGiveTheSameLinesOverASet() throws {
        let (a, b) = try split(try ThreadedPipelineTests.interleavedCapture().path)
        let one = try runTLSDump(["-r", a, b, "--format", "json", "--threads", "1"])
        let four = try runTLSDump(["-r", a, b, "--format", "json", "--threads", "4"])
        XCTAssertEqual(four.status, 0, String(decoding: four.stderr, as: UTF8.self))
        let single = try ThreadedPipelineTests.perFlowLines(one.stdout), sharded = try ThreadedPipelineTests.perFlowLines(four.stdout)
        XCTAssertGreaterThan(single.flows.count, 300)
        XCTAssertEqual(single.flows, sharded.flows)
        XCTAssertEqual(single.stats, sharded.stats)
    }

    // MARK: - Mixed link types

    /// An Ethernet and a Linux cooked (SLL) capture: each packet decoded by
    /// its own file's link type; -w writes one pcapng with an interface per
    /// link type (tshark reads it back; libpcap 1.10 reads one link type per file).
    func testMixedLinkTypesAreEachDecodedByTheirOwn() throws {
        let ethernet = Paths.sharedCaptures.appendingPathComponent("zeek/tls1.2.pcap").path
        let cooked = Paths.sharedCaptures.appendingPathComponent("zeek/irc-starttls.pcap").path
        let alone = try [ethernet, cooked].flatMap { try events(try runTLSDump(["-r", $0, "--format", "json"]).stdout, type: "connection") }
        XCTAssertEqual(alone.count, 2)
        let out = scratch.appendingPathComponent("mixed.pcapng").path
        let both = try runTLSDump(["-r", cooked, "-r", ethernet, "--format", "json", "-w", out])
        XCTAssertEqual(both.status, 0, String(decoding: both.stderr, as: UTF8.self))
        let merged = try events(both.stdout, type: "connection")
        XCTAssertEqual(Set(merged.compactMap { $0["community_id"] as? String }), Set(alone.compactMap { $0["community_id"] as? String }))
        XCTAssertEqual(Set(merged.compactMap { $0["sni"] as? String }), Set(alone.compactMap { $0["sni"] as? String }))
        XCTAssertEqual(try events(both.stdout, type: "stats").last?["packets"] as? Int, 42)

        let tshark = Process()
        tshark.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tshark.arguments = ["tshark", "-r", out, "-T", "fields", "-e", "frame.interface_id", "-e", "frame.encap_type"]
        let pipe = Pipe()
        tshark.standardOutput = pipe
        tshark.standardError = FileHandle.nullDevice
        try tshark.run()
        let listing = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        tshark.waitUntilExit()
        XCTAssertEqual(tshark.terminationStatus, 0, "tshark (Debian package tshark) reads the pcapng")
        let rows = listing.split(separator: "\n").map { $0.split(separator: "\t").joined(separator: " ") }
        // Wireshark's encapsulations: 1 Ethernet, 25 Linux cooked.
        XCTAssertEqual(rows.filter { $0 == "0 1" }.count, 22, "tls1.2.pcap's packets on the Ethernet interface")
        XCTAssertEqual(rows.filter { $0 == "1 25" }.count, 20, "irc-starttls.pcap's on the SLL one")
    }

    // MARK: - A cut member

    /// A member cut inside a record: a warning naming it, exit 2, and the
    /// other file (and the cut one's complete packets) analysed.
    func testATruncatedMemberIsAWarningAndTheRestIsAnalysed() throws {
        let good = Paths.sharedCaptures.appendingPathComponent("zeek/tls1.2.pcap").path
        let source = try Data(contentsOf: Paths.sharedCaptures.appendingPathComponent("zeek/ssl.v3.pcap"))
        let cut = scratch.appendingPathComponent("cut.pcap")
        try source.prefix(source.count / 2).write(to: cut)
        let run = try runTLSDump(["-r", good, cut.path, "--format", "json"])
        XCTAssertEqual(run.status, 2)
        let stderr = String(decoding: run.stderr, as: UTF8.self)
        XCTAssertTrue(stderr.contains("warning: \(cut.path) is truncated"), stderr)
        XCTAssertTrue(stderr.contains("the other files were analysed"), stderr)
        let connections = try events(run.stdout, type: "connection")
        let goodAlone = try events(try runTLSDump(["-r", good, "--format", "json"]).stdout, type: "connection")
        XCTAssertTrue(Set(goodAlone.compactMap { $0["community_id"] as? String })
            .isSubset(of: Set(connections.compactMap { $0["community_id"] as? String })), "the whole file's connection is there")
        XCTAssertGreaterThan(connections.count, goodAlone.count, "the cut file's first half is analysed too")
        let files = try XCTUnwrap(try events(run.stdout, type: "stats").last?["files"] as? [String: Any])
        XCTAssertEqual(files["read"] as? Int, 2)
        let failed = try XCTUnwrap(files["failed"] as? [[String: Any]])
        XCTAssertEqual(failed.map { $0["file"] as? String }, [cut.path])
        XCTAssertTrue((failed.first?["reason"] as? String ?? "").contains("truncated"), "\(failed)")
        // A missing member too: named, the rest analysed.
        let missing = scratch.appendingPathComponent("gone.pcap").path
        let withMissing = try runTLSDump(["-r", good, "-r", missing, "--summary"])
        XCTAssertEqual(withMissing.status, 2)
        XCTAssertTrue(String(decoding: withMissing.stderr, as: UTF8.self).contains("warning: no such file: \(missing)"),
                      String(decoding: withMissing.stderr, as: UTF8.self))
        XCTAssertTrue(String(decoding: withMissing.stdout, as: UTF8.self).contains("input: 1 files, 0.0 MB, 1 could not be read"),
                      String(decoding: withMissing.stdout, as: UTF8.self))
    }

    // MARK: - Writing packets across files

    /// -w and --write-flagged over a set of one link type: one pcap each,
    /// which libpcap (tlsdump) reads back to the same connections.
    func testWriteAndWriteFlaggedAcrossFilesReadBack() throws {
        let original = Paths.sharedCaptures.appendingPathComponent("zeek/ssl.v3.pcap").path
        let (a, b) = try split(original)
        let written = scratch.appendingPathComponent("all.pcap").path
        let flagged = scratch.appendingPathComponent("flagged.pcap").path
        let run = try runTLSDump(["-r", a, b, "--format", "json", "-w", written, "--write-flagged", flagged, "--min-severity", "medium"])
        XCTAssertEqual(run.status, 0, String(decoding: run.stderr, as: UTF8.self))
        let expected = try runTLSDump(["-r", original, "--format", "json"])
        let back = try runTLSDump(["-r", written, "--format", "json"])
        XCTAssertEqual(ThreadedPipelineTests.dropStats(back.stdout), ThreadedPipelineTests.dropStats(expected.stdout))
        XCTAssertEqual(try events(back.stdout, type: "stats").last?["packets"] as? Int,
                       try events(expected.stdout, type: "stats").last?["packets"] as? Int)

        let flaggedIDs = Set(try events(run.stdout, type: "finding").filter {
            ["medium", "high"].contains($0["severity"] as? String ?? "")
        }.compactMap { $0["community_id"] as? String })
        XCTAssertFalse(flaggedIDs.isEmpty, "ssl.v3.pcap (SSLv3) must have medium findings for this test to mean anything")
        let flaggedBack = try events(try runTLSDump(["-r", flagged, "--format", "json"]).stdout, type: "connection")
        XCTAssertEqual(Set(flaggedBack.compactMap { $0["community_id"] as? String }), flaggedIDs)
    }

    // MARK: - Helpers

    /// The packets of `files`, in the order given, into one pcap (the
    /// project's own writer); returns how many.
    private func concatenate(_ files: [String], into path: String) throws -> Int {
        var dumper: PacketDumper?
        var count = 0
        for file in files {
            let reader = try PcapReader.open(path: file)
            defer { reader.close() }
            if dumper == nil { dumper = try reader.openDumper(path: path) }
            XCTAssertEqual(reader.forEachPacket { header, bytes in dumper?.write(header, bytes); count += 1; return true }, .endOfInput)
        }
        dumper?.close()
        return count
    }

    /// Deals `capture`'s packets alternately into two files (half-a.pcap,
    /// half-b.pcap in a folder of their own); its timestamps must rise
    /// strictly, so that the merge has one right answer.
    private func split(_ capture: String) throws -> (String, String) {
        let folder = scratch.appendingPathComponent("halves")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let a = folder.appendingPathComponent("half-a.pcap").path, b = folder.appendingPathComponent("half-b.pcap").path
        let reader = try PcapReader.open(path: capture)
        defer { reader.close() }
        let dumpers = [try reader.openDumper(path: a), try reader.openDumper(path: b)]
        var index = 0
        var last: Timestamp?
        var rising = true
        _ = reader.forEachPacket { header, bytes in
            if let last, !(last < header.timestamp) { rising = false }
            last = header.timestamp
            dumpers[index % 2].write(header, bytes)
            index += 1
            return true
        }
        for dumper in dumpers { dumper.close() }
        XCTAssertGreaterThan(index, 100)
        guard rising else { throw TestFailure(description: "\(capture): timestamps do not rise strictly; pick another capture") }
        return (a, b)
    }

    /// `tool -c path > folder/name.ext`, with the real compressor.
    private func compressCopy(_ path: String, with tool: String, into folder: URL) throws -> String {
        let output = folder.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent + (tool == "gzip" ? ".gz" : ".zst"))
        XCTAssertTrue(FileManager.default.createFile(atPath: output.path, contents: nil))
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "-q", "-c", path]
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(tool) failed (make test-deps installs it)")
        return output.path
    }

    private func events(_ output: Data, type: String) throws -> [[String: Any]] {
        try output.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            return object["type"] as? String == type ? object : nil
        }
    }

    private func runPeers(_ name: String, port: Int) throws {
        let (process, err) = try launchPeers(name, port: port, workdir: scratch.appendingPathComponent("\(name)-\(port)"))
        processes.append(process)
        try waitFor("peers.sh \(name)", seconds: 40) { !process.isRunning }
        process.waitUntilExit()
        let detail = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, "peers.sh \(name) (3: a tool is missing): \(detail)")
    }

    private func waitFor(_ what: String, seconds: Double, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return }
            usleep(50_000)
        }
        throw TestFailure(description: "timed out waiting for \(what)")
    }
}
