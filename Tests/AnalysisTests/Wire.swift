@testable import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpDecode
import TLSDumpTLS

/// Builds one TCP connection's segments by hand (client 192.0.2.1:49152 to
/// server 198.51.100.7:443) and feeds them to an analyser: a session
/// driven record by record, as the pipeline would.
final class Wire {
    let sink = Collector()
    let analyzer: TLSAnalyzer
    private var sequence = SidePair<UInt32>(client: 1000, server: 5000)
    private var clock: Int64 = 1_700_000_000_000_000_000

    /// `open`: starts with a SYN and a SYN-ACK (else the test sends its own).
    init(config: AnalyzerConfig = AnalyzerConfig(), open: Bool = true) {
        analyzer = TLSAnalyzer(config: config, sink: sink)
        guard open else { return }
        send(.client, flags: [.syn], payload: [])
        send(.server, flags: [.syn, .ack], payload: [])
    }

    /// Moves a side's next sequence number (a new ISN, as a second SYN-ACK has).
    func setSequence(_ side: Side, _ value: UInt32) { sequence[side] = value }
    /// A side's next sequence number.
    func nextSequence(_ side: Side) -> UInt32 { sequence[side] }

    /// `ack`: the acknowledgment to send instead of the peer's next sequence number.
    func send(_ side: Side, flags: TCPFlags = [.ack, .psh], payload: [UInt8], ack explicitAck: UInt32? = nil) {
        clock += 1_000_000
        let client = IPAddress(ipv4: 0xc000_0201), server = IPAddress(ipv4: 0xc633_6407)
        var seq = sequence[side]
        let ack = explicitAck ?? sequence[side.other]
        payload.withUnsafeBytes { bytes in
            let segment = TCPSegment(timestamp: Timestamp(nanoseconds: clock),
                                     source: side == .client ? client : server, destination: side == .client ? server : client,
                                     sourcePort: side == .client ? 49152 : 443, destinationPort: side == .client ? 443 : 49152,
                                     sequence: seq, acknowledgment: ack, flags: flags, window: 65535,
                                     payload: bytes, payloadTruncated: false)
            analyzer.process(segment)
        }
        seq &+= UInt32(payload.count) &+ (flags.contains(.syn) || flags.contains(.fin) ? 1 : 0)
        sequence[side] = seq
    }

    func record(_ side: Side, _ contentType: UInt8, _ body: [UInt8]) {
        send(side, payload: [contentType, 0x03, 0x03, UInt8(body.count >> 8), UInt8(truncatingIfNeeded: body.count)] + body)
    }

    func handshake(_ side: Side, _ type: UInt8, _ body: [UInt8]) {
        record(side, ContentType.handshake, [type, 0, UInt8(body.count >> 8), UInt8(truncatingIfNeeded: body.count)] + body)
    }

    func finish() -> ConnectionSummary? {
        analyzer.finish()
        return sink.connections.first
    }

    // MARK: messages

    static let random = [UInt8](repeating: 0x5a, count: 32)
    /// renegotiation_info, empty: RFC 5746 offered / echoed.
    static let renegotiationInfo: [UInt8] = [0xff, 0x01, 0x00, 0x01, 0x00]

    static func clientHello(suite: UInt16 = 0xc02f) -> [UInt8] {
        [0x03, 0x03] + random + [0x00, 0x00, 0x02, UInt8(suite >> 8), UInt8(truncatingIfNeeded: suite), 0x01, 0x00]
            + [0x00, UInt8(renegotiationInfo.count)] + renegotiationInfo
    }

    static func serverHello(suite: UInt16 = 0xc02f) -> [UInt8] {
        [0x03, 0x03] + random + [0x00, UInt8(suite >> 8), UInt8(truncatingIfNeeded: suite), 0x00]
            + [0x00, UInt8(renegotiationInfo.count)] + renegotiationInfo
    }

    /// A clear TLS 1.2 handshake, completed (ECDHE-RSA-AES128-GCM: exact sizes).
    func completeHandshake() {
        handshake(.client, HandshakeType.clientHello, Wire.clientHello())
        handshake(.server, HandshakeType.serverHello, Wire.serverHello())
        handshake(.server, HandshakeType.serverHelloDone, [])
        handshake(.client, HandshakeType.clientKeyExchange, [0x20] + [UInt8](repeating: 7, count: 32))
        record(.client, ContentType.changeCipherSpec, [1])
        record(.client, ContentType.handshake, [UInt8](repeating: 0xaa, count: 40))
        record(.server, ContentType.changeCipherSpec, [1])
        record(.server, ContentType.handshake, [UInt8](repeating: 0xbb, count: 40))
    }
}

/// Collects events in memory.
final class Collector: EventSink {
    var events: [Event] = []
    var wantsTrace: Bool { false }
    func emit(_ event: Event) { events.append(event) }

    var connections: [ConnectionSummary] {
        events.compactMap { if case .connection(let c) = $0.body { return c }; return nil }
    }
    var findings: [Finding] {
        events.compactMap { if case .finding(let f) = $0.body { return f }; return nil }
    }
    var renegotiations: [RenegotiationEvent] {
        events.compactMap { if case .renegotiation(let r) = $0.body { return r }; return nil }
    }
}
