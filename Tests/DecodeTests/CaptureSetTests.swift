import Foundation
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode
import XCTest

/// `CaptureSet`: several pcap files read as one input, merged by time, opened
/// lazily; and `CaptureInputList`, which turns -r/-V arguments into files.
final class CaptureSetTests: XCTestCase {
    /// A pcap file whose packets are one byte each: `tag`, at the given seconds.
    private func file(_ dir: TemporaryDirectory, _ name: String, linkType: UInt32 = 1, tag: UInt8,
                      seconds: [UInt32]) throws -> String {
        var bytes = PcapFile.header(nanosecond: true, linkType: linkType)
        for s in seconds { bytes += PcapFile.record(seconds: s, fraction: 0, data: [tag]) }
        return try dir.write(name, bytes)
    }

    /// (seconds, tag, link type) of every packet the set delivers.
    private func read(_ set: CaptureSet, during: () -> Void = {}) -> [(Int64, UInt8, Int32)] {
        var seen: [(Int64, UInt8, Int32)] = []
        let end = set.forEachPacket { header, bytes in
            during()
            seen.append((header.timestamp.seconds, bytes.first ?? 0, header.linkType))
            return true
        }
        XCTAssertEqual(end, .endOfInput)
        return seen
    }

    func testOverlappingFilesAreMergedByTimeWithTiesInTheOrderGiven() throws {
        let dir = try TemporaryDirectory()
        let a = try file(dir, "a.pcap", tag: 0xA, seconds: [1, 3, 5, 7])
        let b = try file(dir, "b.pcap", tag: 0xB, seconds: [2, 3, 4, 8, 9])
        let set = try CaptureSet.open(paths: [a, b])
        let seen = read(set)
        XCTAssertEqual(seen.map(\.0), [1, 2, 3, 3, 4, 5, 7, 8, 9])
        XCTAssertEqual(seen.map(\.1), [0xA, 0xB, 0xA, 0xB, 0xB, 0xA, 0xA, 0xB, 0xB], "the tie at 3 s keeps a before b")
        // Given the other way round, the tie follows the order given.
        let reversed = read(try CaptureSet.open(paths: [b, a]))
        XCTAssertEqual(reversed.map(\.1), [0xA, 0xB, 0xB, 0xA, 0xB, 0xA, 0xA, 0xB, 0xB])
        XCTAssertEqual(set.fileTotals, InputFileTotals(read: 2, bytes: Int64(2 * 24 + 9 * 17), failed: []))
    }

    /// A rotated set given out of order is read in time order, and the merge
    /// holds one file open at a time (lazy opening): memory does not grow with the set.
    func testARotatedSetIsReadInTimeOrderWithOneFileOpenAtATime() throws {
        let dir = try TemporaryDirectory()
        var paths: [String] = []
        for index in 0..<40 {
            let base = UInt32(100 + index * 10)
            paths.append(try file(dir, "rot\(index).pcap", tag: UInt8(index), seconds: [base, base + 1, base + 2]))
        }
        let set = try CaptureSet.open(paths: paths.shuffled())
        XCTAssertEqual(set.fileCount, 40)
        XCTAssertEqual(set.firstPath, paths[0])
        var mostOpen = 0
        let seen = read(set) { mostOpen = max(mostOpen, openDescriptors(under: dir.url.path)) }
        XCTAssertEqual(seen.count, 120)
        XCTAssertEqual(seen.map(\.0), seen.map(\.0).sorted())
        XCTAssertEqual(seen.map(\.1), (0..<40).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        XCTAssertEqual(mostOpen, 1, "one file of the set open at a time")
        XCTAssertEqual(openDescriptors(under: dir.url.path), 0, "every file closed at its end")
        XCTAssertEqual(set.readPosition?.read, set.readPosition?.total)
    }

    func testEachPacketCarriesItsOwnFilesLinkType() throws {
        let dir = try TemporaryDirectory()
        let ethernet = try file(dir, "eth.pcap", linkType: 1, tag: 1, seconds: [1, 3])
        let cooked = try file(dir, "sll.pcap", linkType: 113, tag: 2, seconds: [2])
        let set = try CaptureSet.open(paths: [cooked, ethernet])
        XCTAssertEqual(set.linkTypes, [1, 113], "in time order")
        XCTAssertEqual(read(set).map(\.2), [1, 113, 1])
        // One decoder per link type: each frame is parsed by its own.
        var decoders = try LinkTypeDecoders(linkTypes: set.linkTypes)
        XCTAssertNil(decoders.decode(UnsafeRawBufferPointer(start: nil, count: 0), linkType: 1, timestamp: .zero))
        XCTAssertNil(decoders.decode(UnsafeRawBufferPointer(start: nil, count: 0), linkType: 113, timestamp: .zero))
        XCTAssertNil(decoders.decode(UnsafeRawBufferPointer(start: nil, count: 0), linkType: 12, timestamp: .zero))
        XCTAssertNil(decoders.decode(UnsafeRawBufferPointer(start: nil, count: 0), linkType: 9999, timestamp: .zero))
        XCTAssertEqual(decoders.stats.packets, 4)
        // A supported link type met later (a pcapng interface described mid-file) gets its own decoder.
        XCTAssertEqual(decoders.stats.unsupportedLink, 1, "only the link type no decoder reads")
    }

    func testUnreadableTruncatedAndUnsupportedFilesAreLeftOutWithWhy() throws {
        let dir = try TemporaryDirectory()
        let good = try file(dir, "good.pcap", tag: 1, seconds: [1, 2, 3])
        var cutBytes = PcapFile.header(nanosecond: true, linkType: 1)
        cutBytes += PcapFile.record(seconds: 5, fraction: 0, data: [2]) + PcapFile.record(seconds: 6, fraction: 0, data: [2, 2, 2])
        let cut = try dir.write("cut.pcap", Array(cutBytes.dropLast(2)))
        let junk = try dir.write("notes.txt", Array("not a capture\n".utf8))
        let user = try file(dir, "user.pcap", linkType: 147, tag: 3, seconds: [4])
        let missing = dir.url.appendingPathComponent("missing.pcap").path
        let set = try CaptureSet.open(paths: [good, cut, junk, user, missing], supported: PacketDecoder.isSupported)
        XCTAssertEqual(read(set).map(\.1), [1, 1, 1, 2], "the cut file's complete packet is read")
        let totals = try XCTUnwrap(set.fileTotals)
        XCTAssertEqual(totals.read, 2)
        XCTAssertEqual(totals.failed.map(\.file), [junk, user, missing, cut])
        XCTAssertTrue(totals.failed[0].reason.contains("not a pcap or pcapng capture"), totals.failed[0].reason)
        XCTAssertTrue(totals.failed[1].reason.contains("unsupported link type"), totals.failed[1].reason)
        XCTAssertTrue(totals.failed[2].reason.contains("no such file"), totals.failed[2].reason)
        XCTAssertTrue(totals.failed[3].reason.contains("truncated"), totals.failed[3].reason)
    }

    func testASetOfNothingReadableThrowsTheFirstError() throws {
        let dir = try TemporaryDirectory()
        let junk = try dir.write("a.txt", Array("text".utf8))
        XCTAssertThrowsError(try CaptureSet.open(paths: [junk, "/nonexistent/b.pcap"])) { error in
            XCTAssertEqual(error as? CaptureError, .notACaptureFile(path: junk))
        }
    }

    func testTheFilterIsCheckedAtOnceAndAppliedToEveryFile() throws {
        let dir = try TemporaryDirectory()
        let a = try file(dir, "a.pcap", tag: 1, seconds: [1, 2])
        let b = try file(dir, "b.pcap", tag: 2, seconds: [3])
        let set = try CaptureSet.open(paths: [a, b])
        XCTAssertThrowsError(try set.setFilter("tcp port banana"))
        try set.setFilter("tcp")
        XCTAssertTrue(read(set).isEmpty, "one-byte frames are not TCP")
    }

    /// One output file for the set: pcap when the link types agree (libpcap reads it back).
    func testTheDumperOfASetWritesOneFileThatReadsBack() throws {
        let dir = try TemporaryDirectory()
        let a = try file(dir, "a.pcap", tag: 1, seconds: [1, 4])
        let b = try file(dir, "b.pcap", tag: 2, seconds: [2, 3])
        let set = try CaptureSet.open(paths: [a, b])
        let out = dir.url.appendingPathComponent("out.pcap").path
        let dumper = try set.openDumper(path: out)
        _ = set.forEachPacket { header, bytes in dumper.write(header, bytes); return true }
        dumper.close()
        let back = try PcapReader.open(path: out)
        var tags: [UInt8] = []
        _ = back.forEachPacket { _, bytes in tags.append(bytes.first ?? 0); return true }
        XCTAssertEqual(tags, [1, 2, 2, 1])
        XCTAssertEqual(back.linkType, 1)
    }

    // MARK: - CaptureInputList

    func testDirectoriesGlobsAndListsExpandToCaptureFiles() throws {
        let dir = try TemporaryDirectory()
        let sub = dir.url.appendingPathComponent("rot")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let b = try file(dir, "rot/b.pcap", tag: 1, seconds: [1])
        let a = try file(dir, "rot/a.pcap1", tag: 1, seconds: [1])
        let gz = try dir.write("rot/c.pcap.gz", [0x1F, 0x8B, 8, 0, 0, 0])
        _ = try dir.write("rot/README", Array("readme".utf8))
        _ = try dir.write("rot/empty", [])
        var fromDirectory = CaptureInputList()
        fromDirectory.add(sub.path)
        XCTAssertEqual(fromDirectory.paths, [a, b, gz], "capture files by name; gzip is a capture magic too")
        XCTAssertEqual(fromDirectory.notes, ["\(sub.path): skipped 2 files that are not a capture"])

        var fromGlob = CaptureInputList()
        fromGlob.add(sub.path + "/*.pcap*")
        XCTAssertEqual(fromGlob.paths, [a, b, gz])
        fromGlob.add(sub.path)
        fromGlob.add(b)
        XCTAssertEqual(fromGlob.paths, [a, b, gz], "a file named twice is read once")
        var unmatched = CaptureInputList()
        unmatched.add(sub.path + "/*.nothing")
        XCTAssertEqual(unmatched.paths, [sub.path + "/*.nothing"], "kept as given, for the 'no such file' error")

        let list = try dir.write("list.txt", Array("# rotated set\n\n\(b)\n  # indented comment\n\(a)\r\n".utf8))
        var fromList = CaptureInputList()
        try fromList.addList(file: list)
        XCTAssertEqual(fromList.paths, [b, a])
        var missing = CaptureInputList()
        XCTAssertThrowsError(try missing.addList(file: dir.url.appendingPathComponent("none.txt").path)) { error in
            XCTAssertTrue("\(error)".contains("cannot read the file list"), "\(error)")
        }
    }
}

/// Descriptors of this process open on files under `directory`.
func openDescriptors(under directory: String) -> Int {
    let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: directory)) ?? directory
    let prefix = URL(fileURLWithPath: resolved).resolvingSymlinksInPath().path + "/"
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return entries.filter { name in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name) else { return false }
        return target.hasPrefix(prefix)
    }.count
}
