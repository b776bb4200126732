import ArgumentParser
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpOutput
import TLSDumpPipeline

#if canImport(Glibc)
import Glibc
#endif

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, trace
}

@main
struct TLSDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsdump",
        abstract: "Passive TLS dissector: reassembles TCP, dissects TLS handshakes, reports what happened.",
        discussion: """
        Examples:
          tlsdump -r capture.pcap                      text story per connection
          tlsdump -r capture.pcap --format json | jq   NDJSON events (docs/events.md)
          tlsdump -r capture.pcap --format trace       openssl s_client -msg style
          tlsdump -r capture.pcap tcp port 443         BPF filter, as with tcpdump

        Exit status: 0 success, 2 usage or input error (missing file, not a capture,
        unsupported link type, truncated capture).
        """)

    @Option(name: [.customShort("r"), .customLong("read")], help: "Read packets from a pcap/pcapng file ('-' for stdin).")
    var read: String

    @Option(name: .customLong("format"), help: "Output format: text, json or trace.")
    var format: OutputFormat = .text

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write events to FILE instead of stdout.")
    var output: String?

    @Option(name: [.customShort("c"), .customLong("count")], help: "Stop after COUNT packets.")
    var count: Int?

    @Option(name: .customLong("max-flows"), help: "Most TCP connections tracked at once; the least recently active are evicted.")
    var maxFlows: Int = 262_144

    @Option(name: .customLong("idle-timeout"), help: "Seconds of silence after which a connection ends with close \"timeout\".")
    var idleTimeout: Int = 300

    @Option(name: .customLong("max-buffer"), help: "Out-of-order bytes buffered per direction of a connection.")
    var maxBuffer: Int = 256 * 1024

    @Option(name: .customLong("type"), help: "Only write events of this type (repeatable).")
    var types: [String] = []

    @Flag(name: .customLong("only-findings"), help: "Only write finding events.")
    var onlyFindings = false

    @Option(name: .customLong("min-severity"), help: "Only write findings at or above: info, low, medium, high.")
    var minSeverity: String?

    @Argument(help: "BPF filter expression, as with tcpdump (quote it, or give it after the options).")
    var filter: [String] = []

    /// Usage errors exit with 2 (like tcpdump), not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Glibc.exit(0)
            }
            if !message.isEmpty { warn(message) }
            Glibc.exit(2)
        }
    }

    func validate() throws {
        if let minSeverity, Severity(name: minSeverity) == nil {
            throw ValidationError("--min-severity must be one of info, low, medium, high")
        }
        if maxFlows < 1 { throw ValidationError("--max-flows must be at least 1") }
        if idleTimeout < 1 { throw ValidationError("--idle-timeout must be at least 1 second") }
        if maxBuffer < 0 { throw ValidationError("--max-buffer must not be negative") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let stream: OutputStream
        if let output {
            guard let file = OutputStream.file(path: output) else {
                fail("cannot write \(output): \(String(cString: strerror(errno)))")
            }
            stream = file
        } else {
            stream = OutputStream.standardOutput()
        }
        var eventFilter = EventFilter()
        eventFilter.types = Set(types)
        eventFilter.onlyFindings = onlyFindings
        eventFilter.minimumSeverity = minSeverity.flatMap(Severity.init(name:))
        let sink: EventSink
        switch format {
        case .json: sink = JSONEventWriter(output: stream, filter: eventFilter)
        case .text: sink = TextEventWriter(output: stream, filter: eventFilter)
        case .trace: sink = TraceEventWriter(output: stream)
        }
        var options = PipelineOptions(input: read)
        options.filter = filter.joined(separator: " ")
        options.packetLimit = count
        options.config.flowLimits.maxFlows = maxFlows
        options.config.flowLimits.idleTimeoutNanoseconds = Int64(idleTimeout) * 1_000_000_000
        options.config.reassemblyLimits.maxBufferedBytesPerDirection = maxBuffer
        let result: PipelineResult
        do {
            result = try Pipeline.run(options, sink: sink, outputOK: { stream.isWritable })
        } catch {
            fail(error.description)
        }
        stream.flush()
        if stream.failure == .closedByReader { Glibc.exit(0) }
        if case .writeError(let code)? = stream.failure {
            fail("writing output failed: \(String(cString: strerror(code)))")
        }
        switch result.end {
        case .truncated(let message):
            warn("warning: \(read) is truncated (\(message)); everything before the cut was analysed")
            Glibc.exit(2)
        case .readError(let message):
            warn("warning: reading \(read) failed (\(message)); everything before the error was analysed")
            Glibc.exit(2)
        default:
            break
        }
    }
}

func warn(_ message: String) {
    var line = Array("tlsdump: \(message)\n".utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    warn(message)
    exit(2)
}
