import Foundation
import TLSDumpBase
import TLSDumpCapture
import XCTest

/// The in-place reader (`MappedCaptureFile`) against libpcap (`PcapReader`):
/// the same packets, headers and bytes, and the same kind of ending, on
/// every capture of the corpus, cut copies of them, byte-swapped and
/// nanosecond variants, with and without a filter; and a file cut while it
/// is mapped ends the read as truncated instead of killing the process.
final class MappedCaptureTests: XCTestCase {
    /// One packet as both readers see it.
    struct Seen: Equatable {
        var timestamp: Int64
        var captured: Int
        var wire: Int
        var linkType: Int32
        var digest: UInt64
    }

    enum Ending: Equatable {
        case endOfInput, stopped, truncated, readError
        init(_ end: ReadEnd) {
            switch end {
            case .endOfInput: self = .endOfInput
            case .stopped: self = .stopped
            case .truncated: self = .truncated
            case .readError: self = .readError
            }
        }
    }

    static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func read(_ source: PacketSource, limit: Int = .max) -> ([Seen], ReadEnd) {
        var seen: [Seen] = []
        let end = source.forEachPacket { header, bytes in
            seen.append(Seen(timestamp: header.timestamp.nanoseconds, captured: header.capturedLength, wire: header.wireLength,
                             linkType: header.linkType, digest: digest(bytes)))
            return seen.count < limit
        }
        return (seen, end)
    }

    /// Every capture file under a directory, recursively.
    static func captures(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        for case let name as String in walker where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") || name.hasSuffix(".cap") {
            found.append((directory as NSString).appendingPathComponent(name))
        }
        return found.sorted()
    }

    static var projectCaptures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("captures").path
    }

    /// Compares the two readers on one file; returns whether the mapped reader took it.
    @discardableResult
    func compare(_ path: String, filter: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        guard let mapped = MappedCaptureFile.open(path: path) else { return false }
        defer { mapped.close() }
        let reference: PcapReader
        do {
            reference = try PcapReader.open(path: path)
        } catch {
            // libpcap refuses it (a pcapng whose interfaces differ in link type): nothing to compare.
            return true
        }
        defer { reference.close() }
        XCTAssertEqual(mapped.linkType, reference.linkType, "link type of \(path)", file: file, line: line)
        XCTAssertEqual(mapped.snapshotLength, reference.snapshotLength, "snapshot length of \(path)", file: file, line: line)
        if !filter.isEmpty {
            try mapped.setFilter(filter)
            try reference.setFilter(filter)
        }
        let (a, endA) = Self.read(mapped)
        let (b, endB) = Self.read(reference)
        XCTAssertEqual(a.count, b.count, "packets in \(path)", file: file, line: line)
        if let index = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) {
            XCTFail("packet \(index) of \(path) differs: \(a[index]) vs libpcap \(b[index])", file: file, line: line)
        }
        XCTAssertEqual(Ending(endA), Ending(endB), "ending of \(path): \(endA) vs libpcap \(endB)", file: file, line: line)
        return true
    }

    func testEveryCorpusCaptureReadsAsLibpcapReadsIt() throws {
        let shared = Corpus.directory.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: shared), "shared corpus missing: \(shared)")
        let files = Self.captures(under: shared) + Self.captures(under: Self.projectCaptures)
        XCTAssertGreaterThan(files.count, 100)
        var mappedCount = 0, pcapng = 0
        for path in files {
            if try compare(path) {
                mappedCount += 1
                if let magic = FileHandle(forReadingAtPath: path)?.readData(ofLength: 4), magic == Data([0x0a, 0x0d, 0x0d, 0x0a]) {
                    pcapng += 1
                }
            }
        }
        // Nearly all are plain pcap or pcapng; the rest are fuzz inputs or variants libpcap reads alone.
        XCTAssertGreaterThan(mappedCount, files.count * 9 / 10, "\(mappedCount) of \(files.count) read in place")
        XCTAssertGreaterThan(pcapng, 5)
    }

    func testFilteredReadsMatch() throws {
        for name in ["iis-renegotiation-tls10.pcap", "gnutls-tls12.pcap"] {
            let path = (Self.projectCaptures as NSString).appendingPathComponent(name)
            XCTAssertTrue(try compare(path, filter: "tcp and src port 443 or src port 4433"))
            XCTAssertTrue(try compare(path, filter: "tcp[tcpflags] & tcp-syn != 0"))
        }
        let quic = try Corpus.path("quic/quic-go-handshake.pcap")
        XCTAssertTrue(try compare(quic, filter: "udp"))
    }

    /// Cut copies of real captures at many offsets: the same packets before the cut, both end truncated.
    func testCutCopiesEndLikeLibpcap() throws {
        let directory = try TemporaryDirectory()
        var sources = [(Self.projectCaptures as NSString).appendingPathComponent("iis-renegotiation-tls10.pcap")]
        if let ng = Self.captures(under: Corpus.directory.path).first(where: { $0.hasSuffix(".pcapng") }) { sources.append(ng) }
        for source in sources {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
            var cuts = Set([bytes.count - 1, bytes.count - 4, bytes.count / 2, 30, 41, 100])
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<12 { cuts.insert(Int.random(in: 29..<bytes.count, using: &generator)) }
            for cut in cuts.sorted() where cut > 28 {
                let path = try directory.write("cut-\(cut).\(source.hasSuffix("ng") ? "pcapng" : "pcap")", Array(bytes.prefix(cut)))
                // Cut inside the pcapng's first blocks: no interface to read, libpcap reads it (and says why).
                let read = try compare(path)
                if cut >= 400 || !source.hasSuffix("ng") { XCTAssertTrue(read, "cut at \(cut) of \(source)") }
            }
        }
    }

    /// Big-endian files and nanosecond files, written here, read alike.
    func testByteOrdersAndPrecisions() throws {
        let directory = try TemporaryDirectory()
        let frame = [UInt8](repeating: 0xab, count: 60)
        for bigEndian in [false, true] {
            for nanosecond in [false, true] {
                func u32(_ v: UInt32) -> [UInt8] { bigEndian ? withUnsafeBytes(of: v.bigEndian, Array.init) : withUnsafeBytes(of: v.littleEndian, Array.init) }
                func u16(_ v: UInt16) -> [UInt8] { bigEndian ? withUnsafeBytes(of: v.bigEndian, Array.init) : withUnsafeBytes(of: v.littleEndian, Array.init) }
                var file = u32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4) + u16(2) + u16(4) + u32(0) + u32(0) + u32(65535) + u32(1)
                for i in 0..<20 {
                    let data = Array(frame.prefix(14 + i))
                    file += u32(1_700_000_000 + UInt32(i)) + u32(UInt32(i * 12_345)) + u32(UInt32(data.count)) + u32(UInt32(data.count + i)) + data
                }
                let path = try directory.write("order-\(bigEndian)-\(nanosecond).pcap", file)
                XCTAssertTrue(try compare(path))
                guard let mapped = MappedCaptureFile.open(path: path) else { return XCTFail("not mapped") }
                let (seen, end) = Self.read(mapped)
                XCTAssertEqual(seen.count, 20)
                XCTAssertEqual(end, .endOfInput)
                XCTAssertEqual(seen[3].timestamp, 1_700_000_003 * 1_000_000_000 + 3 * 12_345 * (nanosecond ? 1 : 1000))
            }
        }
    }

    /// A pcapng with two interfaces of different link types (Ethernet and
    /// raw IP) and different timestamp resolutions: libpcap refuses such a
    /// file; the mapped reader gives each packet its own link type and time.
    func testPcapngInterfacesOfDifferentLinkTypes() throws {
        func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
            let length = UInt32(12 + padded.count)
            return u32(type) + u32(length) + padded + u32(length)
        }
        let shb = block(0x0a0d_0d0a, u32(0x1a2b_3c4d) + u16(1) + u16(0) + [UInt8](repeating: 0xff, count: 8))
        // Interface 0: Ethernet, microseconds (default). Interface 1: raw IP (101), if_tsresol 9 (ns).
        let idb0 = block(1, u16(1) + u16(0) + u32(0))
        let idb1 = block(1, u16(101) + u16(0) + u32(65535) + u16(9) + u16(1) + [9, 0, 0, 0] + u16(0) + u16(0))
        func epb(_ interface: UInt32, _ ticks: UInt64, _ data: [UInt8]) -> [UInt8] {
            block(6, u32(interface) + u32(UInt32(ticks >> 32)) + u32(UInt32(truncatingIfNeeded: ticks)) + u32(UInt32(data.count)) + u32(UInt32(data.count)) + data)
        }
        let file = shb + idb0 + idb1 + epb(0, 1_700_000_000_123_456, [UInt8](repeating: 1, count: 54))
            + epb(1, 1_700_000_000_123_456_789, [0x45] + [UInt8](repeating: 2, count: 39))
            + block(0x0a, [1, 2, 3, 4])   // a block of another type: skipped
            + epb(0, 1_700_000_001_000_000, [UInt8](repeating: 3, count: 60))
        let directory = try TemporaryDirectory()
        let path = try directory.write("two-links.pcapng", file)
        guard let mapped = MappedCaptureFile.open(path: path) else { return XCTFail("not mapped") }
        XCTAssertEqual(mapped.linkTypes, [1, 12], "LINKTYPE_RAW (101) is DLT_RAW (12), as libpcap says")
        let (seen, end) = Self.read(mapped)
        XCTAssertEqual(end, .endOfInput)
        XCTAssertEqual(seen.map(\.linkType), [1, 12, 1])
        XCTAssertEqual(seen.map(\.timestamp), [1_700_000_000_123_456_000, 1_700_000_000_123_456_789, 1_700_000_001_000_000_000])
        XCTAssertEqual(seen.map(\.captured), [54, 40, 60])
    }

    /// The file shrinks while it is mapped (a writer truncating it): the
    /// lost pages read as zeros inside the guard, the read ends as
    /// truncated after the packets before the cut, and the process lives.
    func testFileCutWhileMappedEndsTruncated() throws {
        let directory = try TemporaryDirectory()
        var file = PcapFile.header(nanosecond: false, linkType: 1)
        let data = [UInt8](repeating: 0x5a, count: 1000)
        for i in 0..<20_000 { file += PcapFile.record(seconds: UInt32(i), fraction: 0, data: data) }
        let path = try directory.write("shrinking.pcap", file)
        guard let mapped = MappedCaptureFile.open(path: path) else { return XCTFail("not mapped") }
        let (first, firstEnd) = Self.read(mapped, limit: 100)
        XCTAssertEqual(first.count, 100)
        XCTAssertEqual(firstEnd, .stopped)
        XCTAssertEqual(truncate(path, off_t(file.count / 2)), 0)
        let (rest, end) = Self.read(mapped)
        guard case .truncated(let message) = end else { return XCTFail("ended \(end)") }
        XCTAssertTrue(message.contains("shrank"), message)
        // Every packet handed on lay before the cut and read as written.
        XCTAssertLessThan(100 + rest.count, 10_000)
        XCTAssertGreaterThan(100 + rest.count, 9_000)
        XCTAssertTrue(rest.allSatisfy { $0.digest == first[0].digest })
        mapped.close()
    }

    /// What is not a plain capture is left to libpcap.
    func testCompressedAndOddFilesAreNotMapped() throws {
        let directory = try TemporaryDirectory()
        XCTAssertNil(MappedCaptureFile.open(path: try directory.write("empty.pcap", [])))
        XCTAssertNil(MappedCaptureFile.open(path: try directory.write("garbage.pcap", [UInt8](repeating: 7, count: 100))))
        XCTAssertNil(MappedCaptureFile.open(path: try directory.write("gz.pcap.gz", [0x1f, 0x8b, 8, 0] + [UInt8](repeating: 0, count: 40))))
        XCTAssertNil(MappedCaptureFile.open(path: "-"))
        XCTAssertNil(MappedCaptureFile.open(path: directory.url.path))
    }
}
