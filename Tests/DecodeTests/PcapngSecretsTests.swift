import Foundation
import TLSDumpCapture
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Builds pcapng blocks in either byte order.
struct PcapngBuilder {
    var bigEndian: Bool

    func u16(_ v: UInt16) -> [UInt8] {
        let le = [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)]
        return bigEndian ? le.reversed() : le
    }

    func u32(_ v: UInt32) -> [UInt8] {
        let le = (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) }
        return bigEndian ? le.reversed() : le
    }

    static func padded(_ data: [UInt8]) -> [UInt8] { data + [UInt8](repeating: 0, count: (4 - data.count % 4) % 4) }

    /// type, total length, body, total length; `length`/`trailer` override the true length.
    func block(_ type: UInt32, _ body: [UInt8], length: UInt32? = nil, trailer: UInt32? = nil) -> [UInt8] {
        let total = UInt32(12 + body.count)
        return u32(type) + u32(length ?? total) + body + u32(trailer ?? length ?? total)
    }

    func sectionHeader() -> [UInt8] {
        // Byte-order magic, version 1.0, section length unknown (-1).
        block(0x0A0D_0D0A, u32(0x1A2B_3C4D) + u16(1) + u16(0) + [UInt8](repeating: 0xFF, count: 8))
    }

    func interface() -> [UInt8] { block(1, u16(1) + u16(0) + u32(65535)) }

    func packet(_ data: [UInt8]) -> [UInt8] {
        block(6, u32(0) + u32(0) + u32(0) + u32(UInt32(data.count)) + u32(UInt32(data.count)) + Self.padded(data))
    }

    func secrets(_ type: UInt32, _ text: String, declaredLength: UInt32? = nil) -> [UInt8] {
        let data = Array(text.utf8)
        return block(0x0A, u32(type) + u32(declaredLength ?? UInt32(data.count)) + Self.padded(data))
    }
}

final class PcapngSecretsTests: XCTestCase {
    let le = PcapngBuilder(bigEndian: false)
    let be = PcapngBuilder(bigEndian: true)
    let tlsk = PcapngSecrets.tlsKeyLogType
    let line1 = "CLIENT_RANDOM " + String(repeating: "ab", count: 32) + " " + String(repeating: "cd", count: 48) + "\n"
    let line2 = "SERVER_HANDSHAKE_TRAFFIC_SECRET " + String(repeating: "01", count: 32) + " " + String(repeating: "ef", count: 32)

    /// SHB, IDB, DSB(TLSK), EPB in little-endian order.
    func testLittleEndianKeyLogIsRead() {
        let file = le.sectionHeader() + le.interface() + le.secrets(tlsk, line1) + le.packet([1, 2, 3, 4, 5])
        let r = PcapngSecrets.keyLogs(in: file)
        XCTAssertTrue(r.isPcapng)
        XCTAssertEqual(String(decoding: r.keyLog, as: UTF8.self), line1)
        XCTAssertEqual(r.secretsBlocks, [tlsk: 1])
        XCTAssertEqual(r.tlsKeyLogBlocksUsed, 1)
        XCTAssertEqual(r.sections, 1)
        XCTAssertEqual(r.blocks, 4)
        XCTAssertEqual(r.warnings, [])
    }

    /// A big-endian section with a TLS and a WireGuard DSB, then a little-endian
    /// one: byte order is per section, padding is not secrets, a block's text
    /// without a final newline gets one so lines of two blocks stay apart.
    func testBothByteOrdersTwoSectionsAndOtherSecretsTypes() {
        let wireGuard = be.secrets(PcapngSecrets.wireGuardType, "LOCAL_STATIC_PRIVATE_KEY = abc=\n")
        let file = be.sectionHeader() + be.interface() + be.secrets(tlsk, line2) + wireGuard + be.packet([9])
            + le.sectionHeader() + le.interface() + le.secrets(tlsk, line1) + le.packet([7, 7])
        XCTAssertNotEqual(line2.utf8.count % 4, 0, "the test needs padding after the text")
        let r = PcapngSecrets.keyLogs(in: file)
        XCTAssertTrue(r.isPcapng)
        XCTAssertEqual(String(decoding: r.keyLog, as: UTF8.self), line2 + "\n" + line1)
        XCTAssertEqual(r.secretsBlocks, [tlsk: 2, PcapngSecrets.wireGuardType: 1])
        XCTAssertEqual(r.otherSecretsBlocks, 1)
        XCTAssertEqual(r.sections, 2)
        XCTAssertEqual(r.blocks, 9)
        XCTAssertEqual(r.warnings, [])
        // A big-endian file read as little-endian would see type 0x0A000000, not a DSB.
        XCTAssertFalse(r.keyLog.contains(0), "no padding bytes in the key log")
    }

    func testClassicPcapAndOtherFilesAreEmptyWithoutWarning() {
        let pcap = PcapFile.header(nanosecond: false, linkType: 1) + PcapFile.record(seconds: 1, fraction: 0, data: [1, 2, 3])
        for bytes in [pcap, [], [0x0A, 0x0D, 0x0D], Array("CLIENT_RANDOM aa bb\nmore text here\n".utf8),
                      // A section header type with a bad byte-order magic is not pcapng.
                      [0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 1, 2, 3, 4] + [UInt8](repeating: 0, count: 16)] {
            let r = PcapngSecrets.keyLogs(in: bytes)
            XCTAssertFalse(r.isPcapng, "\(bytes.prefix(8))")
            XCTAssertEqual(r.keyLog, [])
            XCTAssertEqual(r.warnings, [])
            XCTAssertEqual(r.blocks, 0)
        }
    }

    func testTruncatedBlockKeepsTheSecretsBeforeIt() {
        let head = le.sectionHeader() + le.interface() + le.secrets(tlsk, line1)
        let packet = le.packet([UInt8](repeating: 0x55, count: 40))
        for cut in [1, 11, 12, 30, packet.count - 1] {
            let r = PcapngSecrets.keyLogs(in: head + packet.prefix(cut))
            XCTAssertTrue(r.isPcapng)
            XCTAssertEqual(String(decoding: r.keyLog, as: UTF8.self), line1, "cut \(cut)")
            XCTAssertEqual(r.warnings, [.truncated(offset: UInt64(head.count))], "cut \(cut)")
            XCTAssertEqual(r.blocks, 3)
        }
        // A second section header cut short is not counted as a section.
        let cutSection = PcapngSecrets.keyLogs(in: head + Array(le.sectionHeader().dropLast(4)))
        XCTAssertEqual(cutSection.sections, 1)
        XCTAssertEqual(cutSection.warnings, [.truncated(offset: UInt64(head.count))])
        // A DSB cut inside its secrets keeps none of them.
        let cutSecrets = PcapngSecrets.keyLogs(in: Array((le.sectionHeader() + le.secrets(tlsk, line1)).dropLast(10)))
        XCTAssertEqual(cutSecrets.keyLog, [])
        XCTAssertEqual(cutSecrets.warnings, [.truncated(offset: 28)])
    }

    /// Lengths that lie stop the walk there: what follows (here a DSB) is not trusted.
    func testBlockLengthsThatLieStopTheWalk() {
        let head = le.sectionHeader() + le.secrets(tlsk, line1)
        let after = le.secrets(tlsk, line2)
        let at = UInt64(head.count)
        let body = [UInt8](repeating: 0, count: 20)
        let cases: [([UInt8], PcapngSecretsWarning)] = [
            (le.block(6, body, length: 30), .badBlockLength(offset: at, length: 30)),     // not a multiple of 4
            (le.block(6, body, length: 8), .badBlockLength(offset: at, length: 8)),       // below 12
            (le.block(0x0A, [], length: 12), .badBlockLength(offset: at, length: 12)),    // a DSB without type and length
            // 4 more than the block: the trailer read is the next block's type.
            (le.block(6, body, length: 36, trailer: 32), .lengthMismatch(offset: at, leading: 36, trailing: 0x0A)),
            (le.block(6, body, trailer: 36), .lengthMismatch(offset: at, leading: 32, trailing: 36)),
            (le.block(6, body, length: 0xFFFF_FFFC), .truncated(offset: at)),
            // A later section header whose magic is garbage.
            (le.u32(0x0A0D_0D0A) + le.u32(28) + [1, 2, 3, 4] + [UInt8](repeating: 0, count: 12) + le.u32(28),
             .badByteOrderMagic(offset: at)),
        ]
        for (bad, warning) in cases {
            let r = PcapngSecrets.keyLogs(in: head + bad + after)
            XCTAssertEqual(String(decoding: r.keyLog, as: UTF8.self), line1, "\(warning)")
            XCTAssertEqual(r.warnings, [warning])
            XCTAssertTrue(warning.stoppedWalk)
            XCTAssertEqual(r.secretsBlocks, [tlsk: 1], "the DSB after \(warning) is not read")
            XCTAssertEqual(r.sections, 1)
        }
    }

    func testSecretsLongerThanTheirBlockAreLeftOutAndTheWalkGoesOn() {
        let bad = le.secrets(tlsk, "CLIENT_RANDOM xx\n", declaredLength: 200)
        let file = le.sectionHeader() + bad + le.secrets(tlsk, line1)
        let r = PcapngSecrets.keyLogs(in: file)
        XCTAssertEqual(String(decoding: r.keyLog, as: UTF8.self), line1)
        XCTAssertEqual(r.warnings, [.badSecretsLength(offset: 28, length: 200)])
        XCTAssertEqual(r.secretsBlocks, [tlsk: 2])
        XCTAssertEqual(r.tlsKeyLogBlocksUsed, 1)
        // Declared length 0xFFFFFFFF: padding it must not overflow.
        let huge = PcapngSecrets.keyLogs(in: le.sectionHeader() + le.secrets(tlsk, "x", declaredLength: .max))
        XCTAssertEqual(huge.warnings, [.badSecretsLength(offset: 28, length: .max)])
    }

    func testSecretsLimitLeavesOutBlocksThatDoNotFit() {
        let big = String(repeating: "# comment line\n", count: 20)   // 300 bytes
        let file = le.sectionHeader() + le.secrets(tlsk, line1) + le.secrets(tlsk, big) + le.secrets(tlsk, line1)
        let limit = 2 * line1.utf8.count + 10
        let r = PcapngSecrets.keyLogs(in: file, limits: PcapngSecretsLimits(maxSecretsBytes: limit))
        XCTAssertEqual(String(decoding: r.keyLog, as: UTF8.self), line1 + line1)
        XCTAssertLessThanOrEqual(r.keyLog.count, limit)
        XCTAssertTrue(r.secretsLimitReached)
        let second = UInt64(28 + le.secrets(tlsk, line1).count)
        XCTAssertEqual(r.warnings, [.secretsLimitReached(offset: second, limit: UInt64(limit))])
        XCTAssertFalse(r.warnings[0].stoppedWalk)
        XCTAssertEqual(r.secretsBlocks, [tlsk: 3])
        XCTAssertEqual(PcapngSecrets.keyLogs(in: file, limits: PcapngSecretsLimits(maxSecretsBytes: 0)).keyLog, [])
    }

    /// The file reader (a window of pread) must see exactly what the memory
    /// walk sees, for every window size and every cut of the file.
    func testFileWalkMatchesMemoryWalkForEveryCutAndWindow() throws {
        let directory = try TemporaryDirectory()
        let file = be.sectionHeader() + be.interface() + be.packet([UInt8](repeating: 1, count: 70)) + be.secrets(tlsk, line2)
            + le.sectionHeader() + le.secrets(PcapngSecrets.wireGuardType, "k") + le.packet([2, 3]) + le.secrets(tlsk, line1)
        var checked = 0
        for cut in stride(from: 0, through: file.count, by: 3) {
            let bytes = Array(file.prefix(cut))
            let path = try directory.write("cut.pcapng", bytes)
            let memory = PcapngSecrets.keyLogs(in: bytes)
            for window in [1, 16, 17, 50, 64 << 10] {
                let fromFile = try PcapngSecrets.keyLogs(atPath: path, limits: PcapngSecretsLimits(readWindowBytes: window))
                XCTAssertEqual(fromFile, memory, "cut \(cut), window \(window)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100)
        let whole = PcapngSecrets.keyLogs(in: file)
        XCTAssertEqual(String(decoding: whole.keyLog, as: UTF8.self), line2 + "\n" + line1)
        XCTAssertEqual(whole.warnings, [])
    }

    /// A compressed pcapng is walked forward through the decoder (bytes
    /// between blocks decompressed and dropped): the same result as the memory
    /// walk of its content, for every format, cut and window.
    func testCompressedWalkMatchesMemoryWalkForEveryCutAndWindow() throws {
        let directory = try TemporaryDirectory()
        let file = be.sectionHeader() + be.interface() + be.packet([UInt8](repeating: 1, count: 70)) + be.secrets(tlsk, line2)
            + le.sectionHeader() + le.secrets(PcapngSecrets.wireGuardType, "k") + le.packet([UInt8](repeating: 9, count: 300))
            + le.secrets(tlsk, line1)
        var checked = 0
        for tool in CompressionTool.allCases {
            for cut in stride(from: 1, through: file.count, by: 29) + [file.count] {
                let bytes = Array(file.prefix(cut))
                let path = try directory.write("cut.pcapng.\(tool)", try tool.compress(bytes, in: directory))
                let memory = PcapngSecrets.keyLogs(in: bytes)
                for window in [1, 16, 17, 50, 64 << 10] {
                    let fromFile = try PcapngSecrets.keyLogs(atPath: path, limits: PcapngSecretsLimits(readWindowBytes: window))
                    XCTAssertEqual(fromFile, memory, "\(tool) cut \(cut), window \(window)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
        // A cut compressed file (gzip decodes as it goes): the blocks before the cut, then a truncation.
        let compressed = try CompressionTool.gzip.compress(file, in: directory)
        let cutPath = try directory.write("cut.pcapng.gz", Array(compressed.prefix(compressed.count / 2)))
        let cut = try PcapngSecrets.keyLogs(atPath: cutPath)
        XCTAssertTrue(cut.isPcapng)
        XCTAssertEqual(cut.warnings.count, 1)
        XCTAssertEqual(cut.warnings.first?.stoppedWalk, true, "\(cut.warnings)")
        XCTAssertLessThan(cut.blocks, PcapngSecrets.keyLogs(in: file).blocks)
    }

    /// The Chrome capture's DSB, compressed with each real tool.
    func testCompressedRealCaptureCarriesTheSameSecrets() throws {
        let path = try Corpus.path("quic/chrome-cloudflare-quic-with-secrets.pcapng")
        let plain = try PcapngSecrets.keyLogs(atPath: path)
        let bytes = Array(try XCTUnwrap(FileManager.default.contents(atPath: path)))
        let directory = try TemporaryDirectory()
        for tool in CompressionTool.allCases {
            let compressed = try directory.write("chrome.pcapng.\(tool)", try tool.compress(bytes, in: directory))
            XCTAssertEqual(try PcapngSecrets.keyLogs(atPath: compressed), plain, "\(tool)")
        }
        XCTAssertEqual(plain.keyLog.count, 1556)
    }

    func testMissingFileThrowsAndAFIFOIsNotRead() throws {
        XCTAssertThrowsError(try PcapngSecrets.keyLogs(atPath: "/nonexistent/capture.pcapng"))
        let directory = try TemporaryDirectory()
        let fifo = directory.url.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        // Opening a FIFO without a writer would block; it must come back empty at once.
        let r = try PcapngSecrets.keyLogs(atPath: fifo)
        XCTAssertFalse(r.isPcapng)
        XCTAssertEqual(r.keyLog, [])
    }

    /// The JA4 project's Chrome capture: editcap injected Chrome's key log (TLS 1.3 over TCP and QUIC).
    func testRealCaptureCarriesTLS13Secrets() throws {
        let path = try Corpus.path("quic/chrome-cloudflare-quic-with-secrets.pcapng")
        let r = try PcapngSecrets.keyLogs(atPath: path)
        XCTAssertTrue(r.isPcapng)
        XCTAssertEqual(r.warnings, [])
        XCTAssertEqual(r.secretsBlocks, [tlsk: 1])
        XCTAssertEqual(r.sections, 1)
        XCTAssertEqual(r.blocks, 86, "SHB, IDB, DSB and 83 packets (python3 struct walk)")
        XCTAssertEqual(r.keyLog.count, 1556, "the DSB's Secrets Length; the text ends in a newline")
        var labels: [String: Int] = [:]
        for line in String(decoding: r.keyLog, as: UTF8.self).split(separator: "\n") {
            labels[String(line.split(separator: " ").first ?? ""), default: 0] += 1
        }
        XCTAssertEqual(labels, ["CLIENT_HANDSHAKE_TRAFFIC_SECRET": 2, "SERVER_HANDSHAKE_TRAFFIC_SECRET": 2,
                                "CLIENT_TRAFFIC_SECRET_0": 2, "SERVER_TRAFFIC_SECRET_0": 2, "EXPORTER_SECRET": 2])
        // The same through the memory walk.
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        XCTAssertEqual(PcapngSecrets.keyLogs(in: Array(bytes)), r)
    }
}
