import Foundation
import XCTest

/// The real command-line compressors (Debian gzip, zstd, xz-utils, lz4), run
/// on bytes through temporary files; a missing tool fails the test.
enum CompressionTool: String, CaseIterable {
    case gzip, zstd, xz, lz4

    /// Arguments that write the compressed file to stdout, quietly, keeping the input.
    var arguments: [String] {
        switch self {
        case .gzip: ["-c"]
        case .zstd: ["-q", "-c"]
        case .xz: ["-c"]
        case .lz4: ["-q", "-c"]
        }
    }

    func compress(_ bytes: [UInt8], in directory: TemporaryDirectory) throws -> [UInt8] {
        let input = try directory.write("input-\(rawValue)", bytes)
        let output = directory.url.appendingPathComponent("output-\(rawValue)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [rawValue] + arguments + [input]
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        XCTAssertEqual(process.terminationStatus, 0, "\(rawValue) failed (is it installed? make test-deps)")
        return Array(try Data(contentsOf: output))
    }
}
