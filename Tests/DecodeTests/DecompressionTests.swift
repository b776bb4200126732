import Foundation
@testable import TLSDumpCapture
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The decoders behind `-r x.pcap.gz` on the real tools' output: whole,
/// concatenated, cut and corrupted, read in buffers of every size.
final class DecompressionTests: XCTestCase {
    /// The project's own TLS 1.3 capture (captures/), a real pcap.
    private func capture() throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("captures/tls13.pcap")
        return Array(try Data(contentsOf: url))
    }

    /// Everything a `DecompressingInput` over `bytes` gives, `chunk` bytes a read, and how it ended.
    private func decode(_ bytes: [UInt8], _ format: CompressionFormat?, chunk: Int, in directory: TemporaryDirectory)
        throws -> (output: [UInt8], failure: DecompressionError?) {
        let path = try directory.write("compressed", bytes)
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let input = try DecompressingInput(descriptor: fd, ownsDescriptor: true, format: format)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let got: Int
            do {
                got = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            } catch let error as DecompressionError {
                XCTAssertEqual(error, input.failure)
                return (output, error)
            }
            if got == 0 { return (output, nil) }
            XCTAssertLessThanOrEqual(got, chunk)
            output += buffer.prefix(got)
            XCTAssertLessThanOrEqual(output.count, 1 << 24, "runaway output")
            if output.count > 1 << 24 { return (output, nil) }
        }
    }

    func testDetectionByMagicOnly() throws {
        let plain = try capture()
        XCTAssertNil(CompressionFormat.detect(plain))
        XCTAssertNil(CompressionFormat.detect([0x0A, 0x0D, 0x0D, 0x0A, 0, 0]), "pcapng")
        XCTAssertNil(CompressionFormat.detect([0x1F]), "too short for any magic")
        XCTAssertNil(CompressionFormat.detect([0xFD, 0x37, 0x7A, 0x58, 0x5A]), "xz needs all six bytes")
        let directory = try TemporaryDirectory()
        for tool in CompressionTool.allCases {
            let compressed = try tool.compress(plain, in: directory)
            XCTAssertEqual(CompressionFormat.detect(Array(compressed.prefix(CompressionFormat.magicBytes)))?.rawValue, tool.rawValue)
        }
    }

    func testEachFormatDecodesWholeInEveryBufferSize() throws {
        let plain = try capture()
        let directory = try TemporaryDirectory()
        for tool in CompressionTool.allCases {
            let format = try XCTUnwrap(CompressionFormat(rawValue: tool.rawValue))
            let compressed = try tool.compress(plain, in: directory)
            for chunk in [1, 7, 4096, 1 << 20] {
                let (output, failure) = try decode(compressed, format, chunk: chunk, in: directory)
                XCTAssertNil(failure, "\(tool) chunk \(chunk)")
                XCTAssertEqual(output, plain, "\(tool) chunk \(chunk)")
            }
        }
    }

    /// pigz/`cat a.gz b.gz`, zstd -T, several lz4 frames, xz streams (with
    /// stream padding), and skippable zstd/lz4 frames between them.
    func testConcatenatedStreamsAndSkippableFrames() throws {
        let plain = try capture()
        let directory = try TemporaryDirectory()
        let parts = [Array(plain[0..<1000]), Array(plain[1000..<1001]), Array(plain[1001...])]
        // A skippable frame: magic 0x184D2A5?, a 32-bit length, that many bytes (zstd and lz4 alike).
        let skippable: [UInt8] = [0x53, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]
        for tool in CompressionTool.allCases {
            let format = try XCTUnwrap(CompressionFormat(rawValue: tool.rawValue))
            var joined: [UInt8] = []
            for part in parts {
                joined += try tool.compress(part, in: directory)
                switch format {
                case .zstd, .lz4: joined += skippable
                case .xz: joined += [0, 0, 0, 0]   // stream padding
                case .gzip: break
                }
            }
            let (output, failure) = try decode(joined, format, chunk: 4096, in: directory)
            XCTAssertNil(failure, "\(tool)")
            XCTAssertEqual(output, plain, "\(tool): all streams, in order")
        }
    }

    /// Every cut of a compressed file gives a prefix of the capture and then
    /// "stream ends early"; nothing made up, nothing lost before the cut.
    func testEveryCutEndsEarlyAfterAPrefix() throws {
        let plain = try capture()
        let directory = try TemporaryDirectory()
        for tool in CompressionTool.allCases {
            let format = try XCTUnwrap(CompressionFormat(rawValue: tool.rawValue))
            let compressed = try tool.compress(plain, in: directory)
            var longest = 0
            for cut in stride(from: 1, to: compressed.count, by: 37) {
                let (output, failure) = try decode(Array(compressed.prefix(cut)), format, chunk: 4096, in: directory)
                XCTAssertEqual(failure, .endsEarly(format), "\(tool) cut at \(cut)")
                XCTAssertEqual(output, Array(plain.prefix(output.count)), "\(tool) cut at \(cut): a prefix")
                longest = max(longest, output.count)
            }
            XCTAssertEqual(DecompressionError.endsEarly(format).description, "\(tool.rawValue) stream ends early")
            // lz4 and zstd decode a block whole (this file is one block); gzip and xz as they go.
            if format == .gzip || format == .xz { XCTAssertGreaterThan(longest, 0, "\(tool): some cut gives bytes before it") }
        }
    }

    /// A flipped byte is refused by the codec (checksums, block structure), named after it.
    func testCorruptDataFailsNamingTheCodec() throws {
        let plain = try capture()
        let directory = try TemporaryDirectory()
        for tool in CompressionTool.allCases {
            let format = try XCTUnwrap(CompressionFormat(rawValue: tool.rawValue))
            var compressed = try tool.compress(plain, in: directory)
            compressed[compressed.count / 2] ^= 0x55
            let (output, failure) = try decode(compressed, format, chunk: 4096, in: directory)
            guard case .corrupt(let named, let message) = failure else {
                XCTFail("\(tool): \(String(describing: failure))")
                continue
            }
            XCTAssertEqual(named, format)
            XCTAssertFalse(message.isEmpty)
            XCTAssertTrue(failure?.description.hasPrefix(tool.rawValue + ": ") ?? false)
            XCTAssertLessThanOrEqual(output.count, plain.count + (1 << 20), "\(tool): bounded")
        }
    }

    func testGarbageAfterTheMagicIsCorruptNotACrash() throws {
        let directory = try TemporaryDirectory()
        for format in CompressionFormat.allCases {
            for length in [0, 1, 5, 40, 4000] {
                var rng = SystemRandomNumberGenerator()
                let bytes = format.magic + (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let (output, failure) = try decode(bytes, format, chunk: 4096, in: directory)
                XCTAssertNotNil(failure, "\(format) + \(length) random bytes")
                XCTAssertLessThanOrEqual(output.count, 1 << 24)
            }
        }
    }

    /// The read position of a compressed file is in the compressed file (the
    /// progress line's "of its size"), not libpcap's offset in the decompressed
    /// bytes: half way through the packets it is well short of the end.
    func testReadPositionOfACompressedFileCountsCompressedBytes() throws {
        let directory = try TemporaryDirectory()
        // A pcap of 12,000 packets of 1,000 bytes, 300 of them random: about 3 to 1 under gzip.
        var generator = SystemRandomNumberGenerator()
        var plain: [UInt8] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8)
        plain += [0xff, 0xff, 0, 0, 1, 0, 0, 0]                     // snaplen 65535, Ethernet
        let packets = 12_000
        for index in 0..<packets {
            let seconds = UInt32(index)
            plain += withUnsafeBytes(of: seconds.littleEndian, Array.init) + [0, 0, 0, 0]
            plain += [0xe8, 3, 0, 0, 0xe8, 3, 0, 0]                 // 1,000 bytes captured and on the wire
            plain += (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) } + [UInt8](repeating: 0, count: 700)
        }
        let path = try directory.write("big.pcap.gz", try CompressionTool.gzip.compress(plain, in: directory))
        let reader = try PcapReader.open(path: path)
        defer { reader.close() }
        let size = try XCTUnwrap(reader.fileSize)
        XCTAssertGreaterThan(size, 2 * Int64(DecompressingInput.inputBufferBytes), "several input buffers")
        XCTAssertLessThan(size, Int64(plain.count) / 2, "compressed well enough to tell the two offsets apart")
        var seen = 0
        var halfWay: (read: Int64, total: Int64)?
        _ = reader.forEachPacket { _, _ in
            seen += 1
            if seen == packets / 2 { halfWay = reader.readPosition }
            return true
        }
        XCTAssertEqual(seen, packets)
        let middle = try XCTUnwrap(halfWay)
        XCTAssertEqual(middle.total, size)
        XCTAssertGreaterThan(middle.read, size / 4, "\(middle)")
        XCTAssertLessThan(middle.read, size * 3 / 4, "\(middle)")
        XCTAssertEqual(reader.readPosition?.read, size, "all of it at the end")
    }

    /// PcapReader on the compressed file: the same packets, the codec named.
    func testPcapReaderReadsCompressedFilesAndNamesTheirFailures() throws {
        let plain = try capture()
        let directory = try TemporaryDirectory()
        func packets(_ path: String) throws -> (count: Int, bytes: Int, end: ReadEnd, compression: CompressionFormat?) {
            let reader = try PcapReader.open(path: path)
            var count = 0, bytes = 0
            let end = reader.forEachPacket { _, data in
                count += 1
                bytes += data.count
                return true
            }
            return (count, bytes, end, reader.compression)
        }
        let expected = try packets(directory.write("plain.pcap", plain))
        XCTAssertEqual(expected.end, .endOfInput)
        XCTAssertNil(expected.compression)
        for tool in CompressionTool.allCases {
            let format = try XCTUnwrap(CompressionFormat(rawValue: tool.rawValue))
            var compressed = try tool.compress(plain, in: directory)
            let path = try directory.write("x.pcap.\(tool)", compressed)
            let got = try packets(path)
            XCTAssertEqual(got.count, expected.count, "\(tool)")
            XCTAssertEqual(got.bytes, expected.bytes, "\(tool)")
            XCTAssertEqual(got.end, .endOfInput, "\(tool)")
            XCTAssertEqual(got.compression, format)
            // Not a capture inside.
            let text = try directory.write("text.\(tool)", try tool.compress(Array("hello, not a capture\n".utf8), in: directory))
            XCTAssertThrowsError(try PcapReader.open(path: text)) { error in
                XCTAssertEqual(error as? CaptureError, .compressedNotACapture(path: text, format: format))
            }
            // Corrupt part way: the packets before, then the codec's reason.
            // Corrupt part way: the packets before (if the codec let any out), then the codec's reason.
            compressed[compressed.count * 3 / 4] ^= 0x55
            let badPath = try directory.write("bad.pcap.\(tool)", compressed)
            do {
                let bad = try packets(badPath)
                XCTAssertLessThanOrEqual(bad.count, expected.count)
                switch bad.end {
                case .readError(let message), .truncated(let message): XCTAssertTrue(message.hasPrefix(tool.rawValue), message)
                default: XCTFail("\(tool): \(bad.end)")
                }
            } catch let error as CaptureError {
                guard case .decompressionFailed(badPath, let message) = error else { return XCTFail("\(tool): \(error)") }
                XCTAssertTrue(message.hasPrefix(tool.rawValue + ": "), message)
            }
        }
    }
}
