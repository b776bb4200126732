import FuzzSupport
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpOutput
import TLSDumpPipeline

#if canImport(Glibc)
import Glibc
#endif

/// Sends every event through all three writers (JSON, text, trace), into /dev/null.
final class AllWritersSink: EventSink {
    private var json = JSONWriter(reservingCapacity: 1 << 14)
    private let text: TextEventWriter
    private let trace: TraceEventWriter
    private(set) var bytes = 0

    init(devNull: Int32) {
        text = TextEventWriter(output: OutputStream(fd: devNull))
        trace = TraceEventWriter(output: OutputStream(fd: devNull))
    }

    var wantsTrace: Bool { true }
    var wantsFindingsInSummary: Bool { true }

    func emit(_ event: Event) {
        json.removeAll()
        JSONEventWriter.encode(event, into: &json)
        bytes &+= json.count
        text.emit(event)
        trace.emit(event)
    }
}

/// Link types a bare record body is framed with, picked by the first byte.
let linkTypes: [UInt32] = [1, 113, 101, 0, 276, 228, 9]

/// The capture file each input becomes: read exactly as `tlsdump -r` reads it (in place, mapped).
let capturePath = "/dev/shm/tlsdump-fuzz-pipeline-\(getpid()).pcap"
let captureFD = open(capturePath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
let devNull = open("/dev/null", O_WRONLY)

/// Input: a selector byte, then pcap records (16-byte record headers and
/// packet bytes) that follow a generated global header; selector 0xff
/// means the rest is a whole capture file (pcap or pcapng) as it is.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let selector = input.u8()
    var file: [UInt8] = []
    if selector != 0xff {
        let linkType = linkTypes[Int(selector) % linkTypes.count]
        let nanosecond = selector & 0x80 != 0
        let magic: UInt32 = nanosecond ? 0xa1b2_3c4d : 0xa1b2_c3d4
        file.reserveCapacity(24 + input.remaining)
        for value in [magic, UInt32(2) | UInt32(4) << 16, 0, 0, 262_144, linkType] {
            withUnsafeBytes(of: value.littleEndian) { file.append(contentsOf: $0) }
        }
    }
    file.append(contentsOf: input.rest())
    precondition(captureFD >= 0, "cannot create \(capturePath)")
    _ = ftruncate(captureFD, 0)
    let written = file.withUnsafeBytes { pwrite(captureFD, $0.baseAddress, $0.count, 0) }
    guard written == file.count else { return 0 }

    let sink = AllWritersSink(devNull: devNull)
    var options = PipelineOptions(input: capturePath)
    // Small tables now and then, to reach eviction under pressure.
    if selector & 0x40 != 0 {
        options.config.flowLimits.maxFlows = 4
        options.config.reassemblyLimits = .init(maxBufferedBytesPerDirection: 2048, maxSegmentsPerDirection: 8)
        options.config.maxBufferedBytesTotal = 4096
    }
    // Now and then two workers, each walking the mapped file (ParallelRun).
    if selector & 0x20 != 0 { options.threads = 2 }
    _ = try? Pipeline.run(options, sink: sink)
    return sink.bytes == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzPipeline))
