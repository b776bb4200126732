import Foundation
import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpCapture
import TLSDumpDecode
import TLSDumpFlow
import TLSDumpOutput
import TLSDumpPipeline
import TLSDumpTLS

// Inputs for the benchmarks, built once at start from the repository's own
// captures with the library itself (PcapReader, PacketDecoder,
// HalfStreamReassembler, Pipeline), so every byte is one a real TLS stack sent.

/// One direction of a TCP connection as the reassembler delivered it:
/// the chunks keep the capture's segment boundaries.
struct RecordedStream: Sendable {
    var chunks: [[UInt8]]
    var byteCount: Int { chunks.reduce(0) { $0 + $1.count } }

    /// The same bytes cut into `size`-byte chunks (an Internet path's MSS
    /// instead of loopback's 64 KiB segments), so records straddle chunks.
    func rechunked(_ size: Int) -> RecordedStream {
        let all = chunks.flatMap { $0 }
        return RecordedStream(chunks: stride(from: 0, to: all.count, by: size).map {
            Array(all[$0..<min($0 + size, all.count)])
        })
    }
}

/// A TCP segment of one direction, payload copied out of its packet.
struct RecordedSegment: Sendable {
    var sequence: UInt32
    var syn = false
    var fin = false
    var payload: [UInt8]
}

enum Fixtures {
    /// The repository root: this file is Benchmarks/Benchmarks/TLSDumpBenchmarks/Fixtures.swift.
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    static var bundledCaptures: [URL] {
        let folder = repositoryRoot.appendingPathComponent("captures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Browser and library ClientHellos from ../shared (beside the repository), when present.
    static var sharedCaptures: [URL] {
        let folder = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/ja4")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { folder.appendingPathComponent($0) }
    }

    // MARK: - Streams

    /// Every direction, with data, of every TCP connection in `capture`, reassembled.
    static func streams(in capture: URL) -> [RecordedStream] {
        segmentsByDirection(in: capture).map { segments in
            var reassembler = HalfStreamReassembler()
            var chunks: [[UInt8]] = []
            for segment in segments {
                segment.payload.withUnsafeBytes { payload in
                    reassembler.accept(sequence: segment.sequence, syn: segment.syn, fin: segment.fin, rst: false,
                                       payload: payload) { chunk in
                        if case .data(let bytes) = chunk { chunks.append(Array(bytes)) }
                    }
                }
            }
            reassembler.flush { chunk in
                if case .data(let bytes) = chunk { chunks.append(Array(bytes)) }
            }
            return RecordedStream(chunks: chunks)
        }.filter { !$0.chunks.isEmpty }
    }

    /// The TCP segments of each direction (source -> destination), in capture order.
    static func segmentsByDirection(in capture: URL) -> [[RecordedSegment]] {
        guard let reader = try? PcapReader.open(path: capture.path),
              var decoder = try? PacketDecoder(linkType: reader.linkType) else {
            fatalError("cannot read \(capture.path)")
        }
        defer { reader.close() }
        var order: [[Endpoint]] = []
        var byDirection: [[Endpoint]: [RecordedSegment]] = [:]
        _ = reader.forEachPacket { header, bytes in
            guard let segment = decoder.decode(bytes, timestamp: header.timestamp) else { return true }
            let key = [Endpoint(ip: segment.source, port: segment.sourcePort),
                       Endpoint(ip: segment.destination, port: segment.destinationPort)]
            if byDirection[key] == nil { order.append(key) }
            byDirection[key, default: []].append(RecordedSegment(
                sequence: segment.sequence, syn: segment.flags.contains(.syn), fin: segment.flags.contains(.fin),
                payload: Array(segment.payload)))
            return true
        }
        return order.compactMap { byDirection[$0] }
    }

    /// Both directions of every connection in the bundled captures (real
    /// handshakes: TLS 1.0-1.3, renegotiations, client certificates).
    static let handshakeStreams: [RecordedStream] = bundledCaptures.flatMap(streams(in:))

    /// A bulk transfer: `recordCount` full-size TLS 1.3 application data records
    /// (16384 bytes + 1 content type + 16 tag), cut into 1448-byte segments.
    /// Only the record headers matter to the parser; bodies are skipped by count.
    static func bulkApplicationData(recordCount: Int = 64) -> RecordedStream {
        let bodyLength = 16384 + 1 + 16
        var bytes: [UInt8] = []
        bytes.reserveCapacity(recordCount * (5 + bodyLength))
        var state: UInt32 = 0x9e37_79b9
        for _ in 0..<recordCount {
            bytes += [ContentType.applicationData, 0x03, 0x03, UInt8(bodyLength >> 8), UInt8(bodyLength & 0xff)]
            for _ in 0..<bodyLength {
                state = state &* 1_664_525 &+ 1_013_904_223     // ciphertext stand-in
                bytes.append(UInt8(truncatingIfNeeded: state >> 24))
            }
        }
        return RecordedStream(chunks: [bytes]).rechunked(1448)
    }

    // MARK: - Reassembler input

    /// A `totalBytes` stream in `segmentSize`-byte segments after a SYN at `isn`
    /// (close to the 2^32 wrap, so sequence arithmetic wraps mid-stream).
    static func inOrderSegments(totalBytes: Int = 1 << 20, segmentSize: Int = 1448,
                                isn: UInt32 = 0xffff_0000) -> [RecordedSegment] {
        var segments = [RecordedSegment(sequence: isn, syn: true, payload: [])]
        var offset = 0
        while offset < totalBytes {
            let length = min(segmentSize, totalBytes - offset)
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: offset &+ $0) }
            segments.append(RecordedSegment(sequence: isn &+ 1 &+ UInt32(truncatingIfNeeded: offset), payload: payload))
            offset += length
        }
        return segments
    }

    /// The same stream as a lossy path shows it: every other pair of segments
    /// swapped, and every eighth segment followed by a retransmission that
    /// overlaps it and the next one by half a segment each.
    static func reorderedSegments(totalBytes: Int = 1 << 20, segmentSize: Int = 1448,
                                  isn: UInt32 = 0xffff_0000) -> [RecordedSegment] {
        let ordered = inOrderSegments(totalBytes: totalBytes, segmentSize: segmentSize, isn: isn)
        var result = [ordered[0]]
        var data = Array(ordered.dropFirst())
        var index = 0
        while index + 1 < data.count {
            if (index / 2) % 2 == 1 { data.swapAt(index, index + 1) }
            index += 2
        }
        for (position, segment) in data.enumerated() {
            result.append(segment)
            if position % 8 == 7, position + 1 < data.count {
                let next = data[position + 1]
                let half = segment.payload.count / 2
                let overlap = Array(segment.payload[half...]) + Array(next.payload.prefix(next.payload.count / 2))
                result.append(RecordedSegment(sequence: segment.sequence &+ UInt32(half), payload: overlap))
            }
        }
        return result
    }

    // MARK: - Events

    /// Representative events for the JSON writer: the largest client_hello,
    /// certificate and connection event (by encoded size) that the pipeline
    /// produces from the bundled captures and, when present, ../shared's
    /// browser captures.
    static let events: (clientHello: Event, certificate: Event, connection: Event) = {
        let sink = CollectingSink()
        for capture in bundledCaptures + sharedCaptures {
            _ = try? Pipeline.run(PipelineOptions(input: capture.path), sink: sink)
        }
        func largest(_ type: String) -> Event {
            var writer = JSONWriter()
            let candidates = sink.events.filter { $0.body.typeName == type }
            guard let best = candidates.max(by: { encodedSize($0, &writer) < encodedSize($1, &writer) }) else {
                fatalError("no \(type) event in the captures")
            }
            return best
        }
        return (largest("client_hello"), largest("certificate"), largest("connection"))
    }()

    static func encodedSize(_ event: Event, _ writer: inout JSONWriter) -> Int {
        writer.removeAll()
        JSONEventWriter.encode(event, into: &writer)
        return writer.count
    }
}

private final class CollectingSink: EventSink {
    var events: [Event] = []
    var wantsTrace: Bool { false }
    func emit(_ event: Event) { events.append(event) }
}
