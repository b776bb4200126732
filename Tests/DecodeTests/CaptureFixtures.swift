import Foundation
import XCTest

/// The shared capture corpus beside the project root (../shared/captures).
enum Corpus {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DecodeTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // project root
        .appendingPathComponent("../shared/captures").standardizedFileURL

    static func path(_ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "shared corpus missing: \(path)")
        return path
    }
}

/// Writes little-endian classic pcap files for reader tests.
enum PcapFile {
    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    static func header(nanosecond: Bool, linkType: UInt32, snaplen: UInt32 = 65535) -> [UInt8] {
        le32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(snaplen) + le32(linkType)
    }

    static func record(seconds: UInt32, fraction: UInt32, data: [UInt8], wireLength: Int? = nil) -> [UInt8] {
        le32(seconds) + le32(fraction) + le32(UInt32(data.count)) + le32(UInt32(wireLength ?? data.count)) + data
    }
}

/// A temporary directory removed at the end of the test.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("decodetests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}
