import ArgumentParser
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpOutput
import TLSDumpPipeline
import TLSDumpTLS
import TLSDumpTrust

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
          tlsdump -r rot/*.pcap tcp port 443           several files (a rotated set), merged by time
          tlsdump -r captures/ -V more.txt             a directory's captures, and a list of files
          tlsdump -i eth0 --format json                live, port 443, events at once
          tlsdump -i eth0 --port 443 --port 8443 -w out.pcap
          tlsdump -D                                   list the capture interfaces

        A live capture (-i) without a filter or --port watches port 443 (TCP, and
        UDP for QUIC); a file is analysed whole and TLS and QUIC are found by content. SIGINT or SIGTERM ends a live
        capture: open connections are reported with close "end_of_input", then the
        final stats event (with libpcap's dropped count).

        Several files (-r repeated, a directory, a quoted glob, -V LIST) are read as
        one capture, merged by packet time. After -r, the leading arguments that name
        existing files or directories are more input files (as a shell glob expands
        them); the arguments from the first one that does not are the BPF filter.

        Exit status: 0 success; 1 a finding at or above --fail-on was seen; 2 usage
        or input error (missing file, not a capture, unsupported link type,
        truncated capture, interface that cannot be opened), which wins over 1.
        """)

    @Option(name: [.customShort("r"), .customLong("read")], help: ArgumentHelp("Read packets from a pcap/pcapng file ('-' for stdin; also gzip, zstd, xz or lz4 compressed), a directory's capture files or a quoted glob; repeatable, several are merged by time.", valueName: "file"), completion: .file())
    var read: [String] = []

    @Option(name: [.customShort("V"), .customLong("read-list")], help: ArgumentHelp("Read the capture files named in FILE, one per line (blank lines and # comments ignored), as with -r.", valueName: "file"), completion: .file())
    var readList: String?

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

    @Option(name: .customLong("fanout-group"), help: ArgumentHelp("Live: join this PACKET_FANOUT group (0-65535): the kernel deals the interface's connections out among every socket in the group, so several tlsdump processes share an interface, each seeing whole connections. With --threads N each process joins it with N sockets (without this option, a group of its own).", valueName: "id"))
    var fanoutGroup: Int?

    @Option(name: [.customShort("w"), .customLong("write")], help: "Also write the packets read to FILE (pcap), while analysing them.")
    var write: String?

    @Option(name: .customLong("stats-interval"), help: "Write a stats event every SECONDS (with libpcap's drop count when live).")
    var statsInterval: Double?

    @Option(name: [.customShort("Z"), .customLong("relinquish-privileges")], help: "Change to USER once the capture is open.")
    var user: String?

    @Option(name: [.customShort("k"), .customLong("keylog")], help: "Decrypt with this NSS key log (SSLKEYLOGFILE format, openssl's RSA Session-ID/Master-Key lines, or openssl s_client's printout with its SSL-Session blocks, pasted as is); repeatable. SSLKEYLOGFILE in the environment is read too.")
    var keylogs: [String] = []

    @Option(name: .customLong("rsa-key"), help: "Decrypt static-RSA key exchanges with this server private key (PEM, PKCS#1 or PKCS#8); repeatable.")
    var rsaKeys: [String] = []

    @Option(name: .customLong("psk"), help: ArgumentHelp("Decrypt TLS 1.0-1.2 PSK and RSA-PSK suites (RFC 4279) with this pre-shared key, HEX or IDENTITY:HEX (then only for that psk_identity); repeatable. DHE-PSK and ECDHE-PSK need a key log (their (EC)DHE secret is never on the wire).", valueName: "key"))
    var psks: [String] = []

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Validate certificate chains against the roots in this PEM file instead of the system store (/etc/ssl/certs/ca-certificates.crt); repeatable.", valueName: "file"), completion: .file())
    var caFiles: [String] = []

    @Flag(name: .customLong("no-validate"), help: "Do not validate certificate chains (no `validation`, no chain findings; expiry and self-signed are then told from the leaf alone).")
    var noValidate = false

    @Flag(name: .customLong("no-embedded-keys"), help: "Do not decrypt with the TLS key logs a pcapng file carries (Decryption Secrets Blocks); by default they are used as if given with -k.")
    var noEmbeddedKeys = false

    @Flag(name: [.customShort("x"), .customLong("hex")], help: "Trace: add a hex and ASCII dump of decrypted application data (at most --dump-limit bytes a record, 2000 lines a connection; each cut is printed).")
    var hexDump = false

    @Option(name: .customLong("dump-limit"), help: ArgumentHelp("Trace -x: dump at most BYTES of each record's plaintext (default 4096); 0 dumps every byte and lifts the 2000-line cap per connection (the whole dump of a connection is then held until it ends).", valueName: "bytes"))
    var dumpLimit: Int?

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

    @Option(name: .customLong("report"), help: ArgumentHelp("Also write a self-contained HTML report to FILE: summary charts, and for each connection with findings (at most 500) its story, findings with remedies and a ladder diagram.", valueName: "file"))
    var report: String?

    @Flag(name: .customLong("report-all"), help: "With --report: draw every connection, not only those with findings (still at most 500).")
    var reportAll = false

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
            if readsFiles || interface != nil { throw ValidationError("-D lists the interfaces; it takes no -r or -i") }
            return
        }
        switch (readsFiles, interface) {
        case (false, nil): throw ValidationError("give -r FILE to read a capture or -i INTERFACE to capture live (-D lists interfaces)")
        case (true, _?): throw ValidationError("-r and -i cannot be used together")
        default: break
        }
        if read.contains("-") && (read.count > 1 || readList != nil || !positionalInputs.isEmpty) {
            throw ValidationError("-r - (stdin) cannot be read with other capture files")
        }
        if readsFiles {
            if snapshotLength != nil { throw ValidationError("-s only applies to live capture (-i)") }
            if noPromiscuous { throw ValidationError("-p only applies to live capture (-i)") }
            if immediateMode { throw ValidationError("--immediate-mode only applies to live capture (-i)") }
            if bufferMiB != nil { throw ValidationError("-B only applies to live capture (-i)") }
            if fanoutGroup != nil { throw ValidationError("--fanout-group only applies to live capture (-i)") }
        }
        if let fanoutGroup, !(0...0xffff).contains(fanoutGroup) { throw ValidationError("--fanout-group must be between 0 and 65535") }
        if interface != nil && noEmbeddedKeys {
            throw ValidationError("--no-embedded-keys only applies to reading a file (-r)")
        }
        if noValidate && !caFiles.isEmpty {
            throw ValidationError("--ca-file gives roots to validate against; --no-validate turns validation off")
        }
        if let dumpLimit {
            if dumpLimit < 0 { throw ValidationError("--dump-limit takes a byte count, 0 for no limit") }
            if format != .trace || !hexDump { throw ValidationError("--dump-limit applies to the hex dump of --format trace -x") }
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
        if writeFlagged != nil && (!readsFiles || read == ["-"]) {
            throw ValidationError("--write-flagged reads the capture file a second time: it needs -r FILE (not stdin or -i)")
        }
        if format == .trace && !types.isEmpty {
            throw ValidationError("--type picks events; the trace shows whole connections (pick them with --sni or --only-findings)")
        }
        if let unknown = types.first(where: { name in !EventKinds.named.contains { $0.name == name } }) {
            let names = EventKinds.named.map(\.name).filter { $0 != "trace" }.joined(separator: ", ")
            throw ValidationError("--type \(unknown) is not an event type (one of \(names))")
        }
        if reportAll && report == nil { throw ValidationError("--report-all needs --report FILE") }
        if let report, report.isEmpty || report == "-" { throw ValidationError("--report needs a file name") }
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
        let expression = filter.dropFirst(positionalInputs.count).joined(separator: " ")
        let port = noQUIC ? "tcp port" : "port"
        let portFilter = ports.map { "\(port) \($0)" }.joined(separator: " or ")
        switch (expression.isEmpty, portFilter.isEmpty) {
        case (true, true): return interface != nil ? "\(port) 443" : ""
        case (true, false): return portFilter
        case (false, true): return expression
        case (false, false): return "(\(portFilter)) and (\(expression))"
        }
    }

    /// One analysis thread per core, but one for a small input (starting
    /// workers costs more than it saves there, and a single thread keeps
    /// events in capture order across connections) and one for an input whose
    /// start (of the first file in time) is not handshake-dense (bulk
    /// transfers: see `ThreadChoice`). Several files count by their total size.
    /// A compressed file's size stands for this many times as many capture bytes:
    /// captures compress about 3 to 10 times; the estimate only picks the thread count.
    static let compressionRatioEstimate: Int64 = 4

    func defaultThreads(inputs: [String]) -> Int {
        let cores = Pipeline.processorCount
        guard interface == nil, inputs != ["-"] else { return cores }
        var total: Int64 = 0
        for path in inputs {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let size = Int64(info.st_size)
            total += Self.isCompressed(path) ? size.multipliedReportingOverflow(by: Self.compressionRatioEstimate).partialValue : size
        }
        guard total >= Self.smallFileBytes, cores > 1 else { return 1 }
        return ThreadChoice.sample(paths: inputs, filter: captureFilter)?.threads(cores: cores) ?? cores
    }

    static let smallFileBytes = 32 << 20

    /// Whether the file starts with a gzip, zstd, xz or lz4 magic.
    static func isCompressed(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var prefix = [UInt8](repeating: 0, count: 8)
        let n = prefix.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        return CompressionFormat.detect(Array(prefix.prefix(n))) != nil
    }

    /// The input as a report names it: the file, or "the first file and N more".
    static func inputName(_ inputs: [String]) -> String {
        guard let first = inputs.first else { return "-" }
        return inputs.count == 1 ? first : "\(first) and \(inputs.count - 1) more file\(inputs.count == 2 ? "" : "s")"
    }


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
        let inputs = interface == nil ? captureInputs() : []
        let analysisThreads = threads ?? defaultThreads(inputs: inputs)
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
            if let dumpLimit { trace.setDumpLimit(dumpLimit) }
            trace.filter = eventFilter
            trace.palette = palette
            writer = trace
        }
        // --report: the HTML report takes the events beside the writer (opened now: fail before the analysis).
        var htmlReport: (writer: HTMLReportWriter, file: OutputStream)?
        if let report {
            guard let file = OutputStream.file(path: report) else {
                fail("cannot write \(report): \(String(cString: strerror(errno)))")
            }
            htmlReport = (HTMLReportWriter(scope: reportAll ? .allConnections : .connectionsWithFindings,
                                           source: interface ?? Self.inputName(inputs)), file)
        }
        let shown: EventSink = htmlReport.map { TeeEventSink(primary: writer, secondary: $0.writer) } ?? writer
        // Findings are counted on their way to the writer, before any output filter.
        let tracker = FindingTracker(forwardingTo: shown)
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
            if let fanoutGroup { live.fanoutGroup = UInt16(fanoutGroup) }
            options = PipelineOptions(live: live)
            // Each event reaches a reader (jq, a log shipper) as it happens.
            stream.lineBuffered = true
        } else {
            options = PipelineOptions(inputs: inputs)
        }
        options.filter = captureFilter
        options.packetLimit = count
        options.writePath = write
        options.statsIntervalSeconds = statsInterval
        options.threads = analysisThreads
        if var keys = loadKeys(inputs: inputs) {
            // Live: key logs grow while the capture runs; read them again on a miss.
            if interface != nil { keys.reloadableKeyLogPaths = keylogPaths }
            options.config.keys = keys
        }
        options.config.tracePayloads = hexDump
        options.config.quic = !noQUIC
        options.config.flowLimits.maxFlows = maxFlows
        options.config.flowLimits.idleTimeoutNanoseconds = Int64(idleTimeout) * 1_000_000_000
        options.config.reassemblyLimits.maxBufferedBytesPerDirection = maxBuffer
        options.config.validator = chainValidator()

        var hooks = PipelineHooks()
        let user = user
        hooks.opened = { _ in
            if let user { try Privileges.drop(to: user) }
        }
        // Not when the events scroll past on the same terminal: they would tear the line.
        let eventsOnTerminal = output == nil && !summaryOnly && isatty(1) == 1
        let progress = interface == nil && !eventsOnTerminal ? ProgressLine(connections: { tracker.connections }) : nil
        hooks.ready = { info in
            for line in info.warnings { warn("warning: \(line)") }
            if info.isLive { warn(info.listeningLine) }
        }
        if let progress { hooks.progress = { progress.update(read: $0, total: $1) } }
        StopSignal.install()
        hooks.stopRequested = { StopSignal.requested }
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
        if let htmlReport {
            htmlReport.writer.write(to: htmlReport.file)
            if case .writeError(let code)? = htmlReport.file.failure {
                fail("writing the report failed: \(String(cString: strerror(code)))")
            }
        }
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
        if let writeFlagged, let flagged = tracker.flagged, !inputs.isEmpty {
            do {
                _ = try flagged.write(from: inputs, narrowedBy: captureFilter, to: writeFlagged)
            } catch {
                fail("--write-flagged: \(error)")
            }
            if flagged.overflow > 0 {
                warn("warning: --write-flagged kept the first \(FlaggedConnections.maxConnections) flagged connections; \(flagged.overflow) more were left out")
            }
        }
        // A file of several that could not be read (or not to its end): the others were analysed.
        for failure in result.inputFailures {
            warn("warning: \(failure); the other files were analysed")
        }
        let source = interface ?? inputs.first ?? "-"
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
        if !result.inputFailures.isEmpty { Glibc.exit(2) }
        if findingsFail { Glibc.exit(1) }
    }

    var readsFiles: Bool { !read.isEmpty || readList != nil }

    /// After -r, the leading arguments that name existing files or
    /// directories are more inputs (`-r rot/*.pcap` as the shell expands it);
    /// the first that does not starts the BPF filter.
    var positionalInputs: [String] {
        guard readsFiles else { return [] }
        var info = stat()
        return Array(filter.prefix { stat($0, &info) == 0 })
    }

    /// The capture files to read, in the order given: -r (files, directories,
    /// quoted globs), the file arguments after it, then -V's list.
    func captureInputs() -> [String] {
        if read == ["-"] { return ["-"] }
        var list = CaptureInputList()
        for argument in read + positionalInputs { list.add(argument) }
        if let readList {
            do { try list.addList(file: readList) } catch { fail(error.description) }
        }
        for note in list.notes { warn(note) }
        if list.paths.isEmpty { fail("no capture files to read in \((read + positionalInputs + (readList.map { [$0] } ?? [])).joined(separator: ", "))") }
        return list.paths
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

    /// The validator for --ca-file / --no-validate; the files are read now, so a bad one is an error before the run.
    func chainValidator() -> ChainValidator? {
        if noValidate { return nil }
        if caFiles.isEmpty { return ChainValidator.system }
        let anchors = TrustAnchors(caFiles: caFiles)
        let loaded = anchors.load()
        if let failure = loaded.failure { fail("--ca-file: \(failure)") }
        if loaded.skipped > 0 { warn("warning: --ca-file: \(loaded.skipped) certificates could not be parsed and were skipped") }
        return ChainValidator(anchors: anchors)
    }

    func loadKeys(inputs: [String]) -> KeyMaterial? {
        let paths = keylogPaths
        let embedded = embeddedKeyLog(inputs: inputs)
        guard !paths.isEmpty || !rsaKeys.isEmpty || !psks.isEmpty || embedded != nil else { return nil }
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
            let tls13 = material.keyLog.tls13SessionBlocks
            let hint = tls13 > 0
                ? "; \(tls13) SSL-Session block\(tls13 == 1 ? " is" : "s are") TLS 1.3, whose keys s_client writes only with -keylogfile FILE" : ""
            warn("warning: no keys found in \(paths.joined(separator: ", ")) (\(material.keyLog.skippedLines) lines skipped\(hint))")
        }
        // After the -k check above, which is about the files given.
        if let embedded { material.keyLog.parse(bytes: embedded) }
        for path in rsaKeys {
            guard let data = readSmallFile(path) else {
                fail("cannot read RSA key \(path)")
            }
            material.rsaPrivateKeysPEM.append(String(decoding: data, as: UTF8.self))
        }
        for argument in psks {
            guard let psk = PreSharedKey(argument: argument) else {
                fail("--psk \(argument): give HEX or IDENTITY:HEX (an even number of hex digits, at most \(PreSharedKey.maxKeyLength) bytes)")
            }
            material.preSharedKeys.append(psk)
        }
        return material
    }

    /// The key logs in the input files' Decryption Secrets Blocks (pcapng),
    /// which libpcap skips; nil when there are none, for stdin (it cannot be
    /// read twice), live capture and --no-embedded-keys. Quiet when keys are
    /// found, like -k; a warning only for secrets left out.
    func embeddedKeyLog(inputs: [String]) -> [UInt8]? {
        guard !noEmbeddedKeys, interface == nil, inputs != ["-"] else { return nil }
        var keyLog: [UInt8] = []
        for path in inputs {
            // Open and read errors are the capture reader's to report, once.
            guard let found = try? PcapngSecrets.keyLogs(atPath: path) else { continue }
            for problem in found.warnings where !problem.stoppedWalk {
                // A cut or broken file is reported by the capture reader; these only here.
                warn("warning: \(path): \(problem)")
            }
            if !found.keyLog.isEmpty {
                keyLog.append(contentsOf: found.keyLog)
                keyLog.append(UInt8(ascii: "\n"))
            }
        }
        return keyLog.isEmpty ? nil : keyLog
    }
}

