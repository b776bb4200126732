import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpPipeline
import XCTest

/// Paths of the package and of the shared material beside it.
enum Paths {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static var shared: URL { packageRoot.deletingLastPathComponent().appendingPathComponent("shared") }
    static var sharedCaptures: URL { shared.appendingPathComponent("captures") }
    static var bundledCaptures: URL { packageRoot.appendingPathComponent("captures") }
    static var fixtures: URL { packageRoot.appendingPathComponent("Tests/PipelineTests/Fixtures") }
    static var tlsdump: URL { packageRoot.appendingPathComponent(".build/debug/tlsdump") }

    /// Captures with an oracle, as (capture path, oracle path), in a stable order.
    static func oracleCaptures() -> [(capture: URL, oracle: URL)] {
        var result: [(URL, URL)] = []
        for dir in ["zeek", "ja4"] {
            let folder = sharedCaptures.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".oracle.json") {
                let capture = folder.appendingPathComponent(String(name.dropLast(".oracle.json".count)))
                result.append((capture, folder.appendingPathComponent(name)))
            }
        }
        return result
    }
}

/// Collects events in memory.
final class CollectingSink: EventSink {
    var events: [Event] = []
    let wantsTrace: Bool

    init(trace: Bool = false) { wantsTrace = trace }

    func emit(_ event: Event) { events.append(event) }

    var connections: [(flow: FlowIdentity, summary: ConnectionSummary)] {
        events.compactMap { e in
            if case .connection(let c) = e.body, let flow = e.flow { return (flow, c) }
            return nil
        }
    }

    var findings: [Finding] {
        events.compactMap { e in
            if case .finding(let f) = e.body { return f }
            return nil
        }
    }
}

/// Runs the whole pipeline in-process over one capture.
func analyse(_ url: URL, trace: Bool = false, configure: (inout PipelineOptions) -> Void = { _ in }) throws -> CollectingSink {
    let sink = CollectingSink(trace: trace)
    var options = PipelineOptions(input: url.path)
    configure(&options)
    _ = try Pipeline.run(options, sink: sink)
    return sink
}

/// "ip:port" the way tshark's oracle writes endpoints (no brackets for IPv6).
func oracleEndpoint(_ e: Endpoint) -> String { "\(e.ip):\(e.port)" }

/// Runs the tlsdump binary; returns (status, stdout, stderr).
func runTLSDump(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: Data) {
    try runProcess(Paths.tlsdump, arguments, stdin: stdin)
}

/// Runs a program to its end; returns (status, stdout, stderr).
func runProcess(_ executable: URL, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: Data) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let stdin {
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    } else {
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, outData, errData)
}

/// A TCP or UDP port (`SOCK_STREAM`, `SOCK_DGRAM`) on 127.0.0.1 that no socket
/// uses now, below the ephemeral range (so no client picks it as its own
/// port and slips through a capture filter).
func freeLoopbackPort(_ kind: __socket_type) throws -> Int {
    for _ in 0..<100 {
        let port = Int.random(in: 20_000..<32_000)
        let fd = socket(AF_INET, Int32(kind.rawValue), 0)
        guard fd >= 0 else { continue }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return port }
    }
    throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "no free loopback port found"])
}

/// Starts one conversation of Tests/PipelineTests/Live/peers.sh (real OpenSSL
/// peers on loopback) in `workdir`; its stderr goes to workdir/peers.err.
/// `keylog`: where the client writes its key log (PEERS_KEYLOG).
func launchPeers(_ name: String, port: Int, workdir: URL, keylog: URL? = nil) throws -> (process: Process, stderr: URL) {
    try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
    let err = workdir.appendingPathComponent("peers.err")
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [Paths.packageRoot.appendingPathComponent("Tests/PipelineTests/Live/peers.sh").path,
                         name, "\(port)", workdir.path]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: err)
    if let keylog {
        var environment = ProcessInfo.processInfo.environment
        environment["PEERS_KEYLOG"] = keylog.path
        process.environment = environment
    }
    try process.run()
    return (process, err)
}
