import Foundation
import XCTest

/// The README's first two commands are what a newcomer runs on a fresh machine:
/// they must be exactly what the Makefile provides, and CI must run the same test command.
final class ReadmeTests: XCTestCase {
    private func read(_ path: String) throws -> String {
        try String(contentsOf: Paths.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    func testFreshMachineCommandsAreTheMakefileTargetsCIRuns() throws {
        let readme = try read("README.md")
        let section = try XCTUnwrap(readme.range(of: "## First commands on a fresh machine"), "README lost its fresh-machine section")
        let fence = try XCTUnwrap(readme.range(of: "```sh\n", range: section.upperBound..<readme.endIndex))
        let end = try XCTUnwrap(readme.range(of: "```", range: fence.upperBound..<readme.endIndex))
        let commands = readme[fence.upperBound..<end.lowerBound].split(separator: "\n").map {
            $0.split(separator: "#").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }.filter { !$0.isEmpty }
        XCTAssertEqual(commands, ["make demo", "make test"])
        let makefile = try read("Makefile")
        for target in ["demo", "test", "deps", "test-deps"] {
            XCTAssertNotNil(makefile.range(of: "\n\(target):", options: []), "Makefile has no \(target) target")
        }
        // `make demo` runs the bundled capture it names, which must exist.
        let demo = try XCTUnwrap(makefile.range(of: #"DEMO_CAPTURE \?= (\S+)"#, options: .regularExpression))
        let capture = String(makefile[demo].split(separator: " ").last ?? "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: Paths.packageRoot.appendingPathComponent(capture).path), capture)
        // The dependency step installs libpcap when missing.
        XCTAssertTrue(makefile.contains("apt-get install"), "the Makefile installs its Debian packages")
        let ci = try read(".ci/run")
        XCTAssertTrue(ci.split(separator: "\n").contains("make test"), ".ci/run runs the README's test command")
    }
}
