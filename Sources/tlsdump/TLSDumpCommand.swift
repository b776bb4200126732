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
    case text, json, trace, ecs
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
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
          tlsdump -r big.pcap --summary                only the summary table
          tlsdump -r capture.pcap --sni '*.example.com'
          tlsdump -r capture.pcap --fail-on medium     exit 1 on a medium/high finding
          tlsdump -r capture.pcap --format ecs         ECS NDJSON (docs/ecs.md)
          tlsdump -r capture.pcap tcp port 443         BPF filter, as with tcpdump
          tlsdump -i eth0 --format json                live, port 443, events at once
          tlsdump -i eth0 --port 443 --port 8443 -w out.pcap
          tlsdump -D                                   list the capture interfaces

        A live capture (-i) without a filter or --port watches port 443 (TCP, and
        UDP for QUIC); a file is analysed whole and TLS and QUIC are found by content. SIGINT or SIGTERM ends a live
        capture: open connections are reported with close "end_of_input", then the
        final stats event (with libpcap's dropped count).

        Exit status: 0 success; 1 a finding at or above --fail-on was seen; 2 usage
        or input error (missing file, not a capture, unsupported link type,
        truncated capture, interface that cannot be opened), which wins over 1.
        """)

    @Option(name: [.customShort("r"), .customLong("read")], help: "Read packets from a pcap/pcapng file ('-' for stdin), also gzip, zstd, xz or lz4 compressed.")
    var read: String?

    @Option(name: [.customShort("i"), .customLong("interface")], help: "Capture live on this interface (see -D).")
    var interface: String?

    @Flag(name: [.customShort("D"), .customLong("list-interfaces")], help: "List the interfaces live capture can use, then exit.")
    var listInterfaces = false

    @Option(name: .customLong("port"), help: "Only port N, TCP or UDP (QUIC) (repeatable); shorthand for 'port N or ...' ('tcp port N' with --no-quic).")
    var ports: [Int] = []

    @Flag(name: .customLong("no-quic"), help: "Do not analyse QUIC (UDP is then not decoded at all).")
    var noQUIC = false

    @Option(name: [.customShort("s"), .customLong("snapshot-length")], help: "Live: bytes kept of each packet (default 262144).")
    var snapshotLength: Int?

    @Flag(name: [.customShort("p"), .customLong("no-promiscuous-mode")], help: "Live: do not put the interface in promiscuous mode.")
    var noPromiscuous = false

    @Flag(name: .customLong("immediate-mode"), help: "Live: hand each packet over at once (lowest latency; on interfaces with a large MTU it drops more under load).")
    var immediateMode = false

    @Option(name: [.customShort("B"), .customLong("buffer-size")], help: "Live: kernel capture buffer in MiB (default 32).")
    var bufferMiB: Int?

    @Option(name: [.customShort("w"), .customLong("write")], help: "Also write the packets read to FILE (pcap), while analysing them.")
    var write: String?

    @Option(name: .customLong("stats-interval"), help: "Write a stats event every SECONDS (with libpcap's drop count when live).")
    var statsInterval: Double?

    @Option(name: [.customShort("Z"), .customLong("relinquish-privileges")], help: "Change to USER once the capture is open.")
    var user: String?

    @Option(name: [.customShort("k"), .customLong("keylog")], help: "Decrypt with this NSS key log (SSLKEYLOGFILE format, or openssl's RSA Session-ID/Master-Key lines); repeatable. SSLKEYLOGFILE in the environment is read too.")
    var keylogs: [String] = []

    @Option(name: .customLong("rsa-key"), help: "Decrypt static-RSA key exchanges with this server private key (PEM, PKCS#1 or PKCS#8); repeatable.")
    var rsaKeys: [String] = []

    @Flag(name: .customLong("no-embedded-keys"), help: "Do not decrypt with the TLS key logs a pcapng file carries (Decryption Secrets Blocks); by default they are used as if given with -k.")
    var noEmbeddedKeys = false

    @Flag(name: [.customShort("x"), .customLong("hex")], help: "Trace: add a hex and ASCII dump of decrypted application data.")
    var hexDump = false

    @Option(name: .customLong("format"), help: "Output format: text, json, trace or ecs (Elastic Common Schema NDJSON).")
    var format: OutputFormat = .text

    @Flag(name: .customLong("summary"), help: "Text: only the summary table at the end (a quick look at a big capture).")
    var summaryOnly = false

    @Option(name: .customLong("color"), help: ArgumentHelp("Colour the text and trace views: auto (a terminal, NO_COLOR unset), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit with status 1 when a finding at or above this severity is seen: info, low, medium, high.", valueName: "severity"))
    var failOn: String?

    @Option(name: .customLong("write-flagged"), help: ArgumentHelp("After the run, write the packets of the connections with findings (at or above --min-severity) to FILE (pcap); -r FILE only: the file is read a second time.", valueName: "file"))
    var writeFlagged: String?

    @Option(name: .customLong("sni"), help: ArgumentHelp("Only connections whose SNI matches this pattern ('*' and '?' as in the shell, case-insensitive); connections without SNI are left out.", valueName: "pattern"))
    var sni: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write events to FILE instead of stdout.")
    var output: String?

    @Option(name: [.customShort("c"), .customLong("count")], help: "Stop after COUNT packets.")
    var count: Int?

    @Option(name: .customLong("threads"), help: ArgumentHelp("Analysis threads; connections are shared out by a hash of their addresses and ports, each connection's events stay in order. Default: one per core; 1 for files under 32 MB or whose start is bulk data.", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("max-flows"), help: "Most TCP connections tracked at once; the least recently active are evicted.")
    var maxFlows: Int = 131_072

    @Option(name: .customLong("idle-timeout"), help: "Seconds of silence after which a connection ends with close \"timeout\".")
    var idleTimeout: Int = 300

    @Option(name: .customLong("max-buffer"), help: "Out-of-order bytes buffered per direction of a connection.")
    var maxBuffer: Int = 256 * 1024

    @Option(name: .customLong("type"), help: "Only write events of this type (repeatable; not with --format trace).")
    var types: [String] = []

    @Flag(name: .customLong("only-findings"), help: "Only write finding events (trace: only connections with findings).")
    var onlyFindings = false

    @Option(name: .customLong("min-severity"), help: "Only write findings at or above: info, low, medium, high (trace: finding lines below it are left out).")
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
        if listInterfaces {
            if read != nil || interface != nil { throw ValidationError("-D lists the interfaces; it takes no -r or -i") }
            return
        }
        switch (read, interface) {
        case (nil, nil): throw ValidationError("give -r FILE to read a capture or -i INTERFACE to capture live (-D lists interfaces)")
        case (_?, _?): throw ValidationError("-r and -i cannot be used together")
        default: break
        }
        if read != nil {
            if snapshotLength != nil { throw ValidationError("-s only applies to live capture (-i)") }
            if noPromiscuous { throw ValidationError("-p only applies to live capture (-i)") }
            if immediateMode { throw ValidationError("--immediate-mode only applies to live capture (-i)") }
            if bufferMiB != nil { throw ValidationError("-B only applies to live capture (-i)") }
        }
        if interface != nil && noEmbeddedKeys {
            throw ValidationError("--no-embedded-keys only applies to reading a file (-r)")
        }
        if let minSeverity, Severity(name: minSeverity) == nil {
            throw ValidationError("--min-severity must be one of info, low, medium, high")
        }
        if let failOn, Severity(name: failOn) == nil {
            throw ValidationError("--fail-on must be one of info, low, medium, high")
        }
        if summaryOnly && format != .text {
            throw ValidationError("--summary is a view of the text format; --format \(format.rawValue) writes every event")
        }
        if writeFlagged != nil && (read == nil || read == "-") {
            throw ValidationError("--write-flagged reads the capture file a second time: it needs -r FILE (not stdin or -i)")
        }
        if format == .trace && !types.isEmpty {
            throw ValidationError("--type picks events; the trace shows whole connections (pick them with --sni or --only-findings)")
        }
        if let unknown = types.first(where: { name in !EventKinds.named.contains { $0.name == name } }) {
            let names = EventKinds.named.map(\.name).filter { $0 != "trace" }.joined(separator: ", ")
            throw ValidationError("--type \(unknown) is not an event type (one of \(names))")
        }
        if let sni, sni.isEmpty { throw ValidationError("--sni needs a pattern, such as '*.example.com'") }
        if maxFlows < 1 { throw ValidationError("--max-flows must be at least 1") }
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be between 1 and 64") }
        if idleTimeout < 1 { throw ValidationError("--idle-timeout must be at least 1 second") }
        if maxBuffer < 0 { throw ValidationError("--max-buffer must not be negative") }
        if let count, count < 1 { throw ValidationError("-c must be at least 1") }
        if let port = ports.first(where: { !(1...65535).contains($0) }) {
            throw ValidationError("--port \(port) is not a TCP port (1-65535)")
        }
        if let snapshotLength, !(1...262_144).contains(snapshotLength) {
            throw ValidationError("-s must be between 1 and 262144")
        }
        if let bufferMiB, !(1...2047).contains(bufferMiB) { throw ValidationError("-B must be between 1 and 2047 (MiB)") }
        if let statsInterval, !(statsInterval > 0) { throw ValidationError("--stats-interval must be a positive number of seconds") }
        if write == "-" && output == nil {
            throw ValidationError("-w - would mix packets with the events on stdout; give -o FILE for the events")
        }
    }

    /// The BPF program: the expression, narrowed to --port; live capture
    /// without either watches port 443.
    var captureFilter: String {
        let expression = filter.joined(separator: " ")
        let port = noQUIC ? "tcp port" : "port"
        let portFilter = ports.map { "\(port) \($0)" }.joined(separator: " or ")
        switch (expression.isEmpty, portFilter.isEmpty) {
        case (true, true): return interface != nil ? "\(port) 443" : ""
        case (true, false): return portFilter
        case (false, true): return expression
        case (false, false): return "(\(portFilter)) and (\(expression))"
        }
    }

    /// One analysis thread per core, but one for a small file (starting
    /// workers costs more than it saves there, and a single thread keeps
    /// events in capture order across connections) and one for a file whose
    /// start is not handshake-dense (bulk transfers: see `ThreadChoice`).
    var defaultThreads: Int {
        let cores = Pipeline.processorCount
        guard interface == nil, let read, read != "-" else { return cores }
        var info = stat()
        guard stat(read, &info) == 0, info.st_size >= Self.smallFileBytes, cores > 1 else { return 1 }
        return ThreadChoice.sample(path: read, filter: captureFilter)?.threads(cores: cores) ?? cores
    }

    static let smallFileBytes = 32 << 20

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        if listInterfaces { return printInterfaces() }
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
        eventFilter.serverName = sni.map(SNIPattern.init)
        let palette: TextPalette
        switch color {
        case .always: palette = TextPalette(enabled: true)
        case .never: palette = .plain
        // -o FILE: a file is not a terminal, whatever stdout is.
        case .auto: palette = output == nil ? .automatic(fd: 1) : .plain
        }
        let analysisThreads = threads ?? defaultThreads
        let writer: EventSink
        switch format {
        case .json:
            // Sharded runs encode JSON on the analysis workers.
            writer = JSONEventWriter(output: stream, filter: eventFilter)
        case .ecs: writer = ECSEventWriter(output: stream, filter: eventFilter)
        case .text:
            let text = TextEventWriter(output: stream, filter: eventFilter)
            text.summaryOnly = summaryOnly
            text.palette = palette
            writer = text
        case .trace:
            let trace = TraceEventWriter(output: stream)
            trace.filter = eventFilter
            trace.palette = palette
            writer = trace
        }
        // Findings are counted on their way to the writer, before any output filter.
        let tracker = FindingTracker(forwardingTo: writer)
        if writeFlagged != nil {
            tracker.flagged = FlaggedConnections(threshold: minSeverity.flatMap(Severity.init(name:)) ?? .info)
        }
        let sink: EventSink = tracker
        var options: PipelineOptions
        if let interface {
            var live = LiveCaptureOptions(interface: interface)
            if let snapshotLength { live.snapshotLength = snapshotLength }
            live.promiscuous = !noPromiscuous
            live.immediate = immediateMode
            if let bufferMiB { live.bufferBytes = bufferMiB << 20 }
            options = PipelineOptions(live: live)
            // Each event reaches a reader (jq, a log shipper) as it happens.
            stream.lineBuffered = true
        } else {
            options = PipelineOptions(input: read ?? "-")
        }
        options.filter = captureFilter
        options.packetLimit = count
        options.writePath = write
        options.statsIntervalSeconds = statsInterval
        options.threads = analysisThreads
        if var keys = loadKeys() {
            // Live: key logs grow while the capture runs; read them again on a miss.
            if interface != nil { keys.reloadableKeyLogPaths = keylogPaths }
            options.config.keys = keys
        }
        options.config.tracePayloads = hexDump
        options.config.quic = !noQUIC
        options.config.flowLimits.maxFlows = maxFlows
        options.config.flowLimits.idleTimeoutNanoseconds = Int64(idleTimeout) * 1_000_000_000
        options.config.reassemblyLimits.maxBufferedBytesPerDirection = maxBuffer

        var hooks = PipelineHooks()
        let user = user
        hooks.opened = { _ in
            if let user { try Privileges.drop(to: user) }
        }
        // Not when the events scroll past on the same terminal: they would tear the line.
        let eventsOnTerminal = output == nil && !summaryOnly && isatty(1) == 1
        let progress = interface == nil && !eventsOnTerminal
            ? read.flatMap { ProgressLine(path: $0, connections: { tracker.connections }) } : nil
        hooks.ready = { info in
            for line in info.warnings { warn("warning: \(line)") }
            if info.isLive { warn(info.listeningLine) }
            progress?.captureOpened()
        }
        StopSignal.install()
        hooks.stopRequested = {
            progress?.tick()
            return StopSignal.requested
        }
        if format == .text || format == .trace {
            // The text and trace writers treat `stats` as the end of the run;
            // interim counts go to stderr instead.
            hooks.intervalStats = { event in
                guard case .stats(let s) = event.body else { return }
                warn("\(s.packets) packets, \(s.tlsConnections) TLS connections" + (s.dropped.map { ", \($0) dropped" } ?? ""))
            }
        }
        hooks.dropsGrew = { total, new in
            warn("warning: the kernel dropped \(new) more packets (\(total) in all): the analysis is not keeping up; \(Self.dropAdvice)")
        }

        let result: PipelineResult
        do {
            result = try Pipeline.run(options, sink: sink, outputOK: { stream.isWritable }, hooks: hooks)
        } catch {
            progress?.finish()
            fail(error.description)
        }
        progress?.finish()
        stream.flush()
        let threshold = failOn.flatMap(Severity.init(name:))
        let findingsFail = threshold.map(tracker.sawFinding(atOrAbove:)) ?? false
        if stream.failure == .closedByReader { Glibc.exit(findingsFail ? 1 : 0) }
        if case .writeError(let code)? = stream.failure {
            fail("writing output failed: \(String(cString: strerror(code)))")
        }
        if let stats = result.captureStatistics, stats.dropped > 0 {
            // Not "of received": on Linux libpcap's received count includes the drops (and on lo both copies of a packet).
            warn("warning: the kernel dropped \(stats.dropped) packets in all: the analysis did not keep up; \(Self.dropAdvice)")
        }
        if let failure = result.writeFailure {
            fail(failure)
        }
        // Before the truncation check: a truncated file's flagged packets are still worth having.
        if let writeFlagged, let flagged = tracker.flagged, let read {
            do {
                _ = try flagged.write(from: read, narrowedBy: captureFilter, to: writeFlagged)
            } catch {
                fail("--write-flagged: \(error)")
            }
            if flagged.overflow > 0 {
                warn("warning: --write-flagged kept the first \(FlaggedConnections.maxConnections) flagged connections; \(flagged.overflow) more were left out")
            }
        }
        let source = read ?? interface ?? "-"
        switch result.end {
        case .truncated(let message):
            warn("warning: \(source) is truncated (\(message)); everything before the cut was analysed")
            Glibc.exit(2)
        case .readError(let message):
            warn("warning: reading \(source) failed (\(message)); everything before the error was analysed")
            Glibc.exit(2)
        default:
            break
        }
        if findingsFail { Glibc.exit(1) }
    }

    static let dropAdvice = "a larger -B, a narrower filter or a faster reader of the output helps"

    /// `-D`: tcpdump's listing.
    func printInterfaces() {
        let interfaces: [CaptureInterface]
        do {
            interfaces = try LiveCapture.interfaces()
        } catch {
            fail("\(error)")
        }
        if interfaces.isEmpty { fail("no capture interfaces found (listing them may need root or CAP_NET_RAW)") }
        let stream = OutputStream.standardOutput()
        for (index, interface) in interfaces.enumerated() {
            stream.write(interface.listing(number: index + 1) + "\n")
        }
        stream.flush()
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

extension TLSDumpCommand {
    /// Key logs (-k, SSLKEYLOGFILE) and RSA keys (--rsa-key); nil when none were given.
    var keylogPaths: [String] {
        var paths = keylogs
        if let raw = getenv("SSLKEYLOGFILE"), case let env = String(cString: raw), !env.isEmpty, !paths.contains(env) { paths.append(env) }
        return paths
    }

    func loadKeys() -> KeyMaterial? {
        let paths = keylogPaths
        let embedded = embeddedKeyLog()
        guard !paths.isEmpty || !rsaKeys.isEmpty || embedded != nil else { return nil }
        var material = KeyMaterial()
        for path in paths {
            guard let data = readSmallFile(path) else {
                // Live, the key log may appear once a client starts writing it.
                if interface != nil { warn("warning: key log \(path) not readable yet; it is read again when a key is missing"); continue }
                fail("cannot read key log \(path)")
            }
            material.keyLog.parse(bytes: data)
        }
        if !paths.isEmpty && material.keyLog.count == 0 && interface == nil {
            warn("warning: no keys found in \(paths.joined(separator: ", ")) (\(material.keyLog.skippedLines) lines skipped)")
        }
        // After the -k check above, which is about the files given.
        if let embedded { material.keyLog.parse(bytes: embedded) }
        for path in rsaKeys {
            guard let data = readSmallFile(path) else {
                fail("cannot read RSA key \(path)")
            }
            material.rsaPrivateKeysPEM.append(String(decoding: data, as: UTF8.self))
        }
        return material
    }

    /// The key logs in the -r file's Decryption Secrets Blocks (pcapng), which
    /// libpcap skips; nil when there are none, for stdin (it cannot be read
    /// twice), live capture and --no-embedded-keys. Quiet when keys are found,
    /// like -k; a warning only for secrets left out.
    func embeddedKeyLog() -> [UInt8]? {
        guard !noEmbeddedKeys, interface == nil, let read, read != "-" else { return nil }
        // Open and read errors are the capture reader's to report, once.
        guard let found = try? PcapngSecrets.keyLogs(atPath: read) else { return nil }
        for problem in found.warnings where !problem.stoppedWalk {
            // A cut or broken file is reported by the capture reader; these only here.
            warn("warning: \(read): \(problem)")
        }
        return found.keyLog.isEmpty ? nil : found.keyLog
    }
}

