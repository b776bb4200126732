import XCTest
import TLSDumpQUIC

/// One side of a QUIC flow in a capture, read the way a dissector without keys
/// would: Initial keys from the client's first Initial DCID, CRYPTO frames of
/// the Initials reassembled.
struct InitialSide {
    var datagrams: [[UInt8]]
    var packetsOpened = 0
    var openFailures = 0
    var cryptoFrames = 0
    var crypto = QUICCryptoStream()
    var bytes: [UInt8] = []
    var firstSCID: [UInt8]?
}

struct CaptureFlow {
    var client: [[UInt8]] = []
    var server: [[UInt8]] = []
    var clientDCID: [UInt8] = []
    var version: QUICVersionInfo?

    /// Splits the capture's datagrams by the oracle flow's ports.
    init(capture: String, flowIndex: Int = 0) throws {
        let flows = try oracle(capture)
        let flow = flows[flowIndex]
        let clientPort = String(flow.client.split(separator: ":").last ?? "")
        let serverPort = String(flow.server.split(separator: ":").last ?? "")
        for d in try CaptureReader.udp(capture) {
            let sport = String(d.source.split(separator: ":").last ?? "")
            let dport = String(d.destination.split(separator: ":").last ?? "")
            if sport == clientPort && dport == serverPort { client.append(d.payload) }
            if sport == serverPort && dport == clientPort { server.append(d.payload) }
        }
        // The first client Initial's DCID decides the Initial keys (RFC 9001 5.2).
        outer: for d in client {
            for p in QUICDatagramSplitter.split(d).packets where p.type == .initial {
                clientDCID = QUICPacketView.bytes(p.dcid, in: d)
                version = QUICVersion.known(p.version)
                break outer
            }
        }
    }

    /// Opens every Initial of one side and reassembles its CRYPTO stream.
    func readInitials(server isServer: Bool) throws -> InitialSide {
        let version = try XCTUnwrap(version, "no client Initial")
        let keys = QUICPacketKeys.initial(dcid: clientDCID, version: version)
        var side = InitialSide(datagrams: isServer ? server : client)
        var largest: Int64?
        for d in side.datagrams {
            try d.withUnsafeBytes { datagram in
                var splitter = QUICDatagramSplitter(datagram)
                while let next = splitter.next() {
                    guard case .success(let p) = next, p.type == .initial else { continue }
                    if side.firstSCID == nil { side.firstSCID = QUICPacketView.bytes(p.scid, in: datagram) }
                    let packet = UnsafeRawBufferPointer(rebasing: datagram[p.range])
                    let pnOffset = try XCTUnwrap(p.pnOffset)
                    switch QUICPacketProtection.open(packet: packet, pnOffset: pnOffset,
                                                     keys: isServer ? keys.server : keys.client, largestPacketNumber: largest) {
                    case .success(let opened):
                        side.packetsOpened += 1
                        largest = max(largest ?? -1, opened.packetNumber)
                        try opened.payload.withUnsafeBytes { payload in
                            var frames = QUICFrameReader(payload)
                            while let f = frames.next() {
                                let frame = try f.get()
                                if case .crypto(let offset, let range) = frame {
                                    side.cryptoFrames += 1
                                    _ = side.crypto.add(offset: offset, data: UnsafeRawBufferPointer(rebasing: payload[range]))
                                }
                            }
                        }
                        if let more = side.crypto.takeContiguous() { side.bytes += more }
                    case .failure:
                        side.openFailures += 1
                    }
                }
            }
        }
        return side
    }
}

/// The handshake message at the start of `bytes`: type and body, when whole.
func firstHandshakeMessage(_ bytes: [UInt8]) -> (type: UInt8, body: [UInt8])? {
    guard bytes.count >= 4 else { return nil }
    let length = Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
    guard bytes.count >= 4 + length else { return nil }
    return (bytes[0], Array(bytes[4..<(4 + length)]))
}

/// A ClientHello body's extensions (type, data), in order.
func clientHelloExtensions(_ body: [UInt8]) -> [(type: UInt16, data: [UInt8])]? {
    var o = 2 + 32
    guard body.count > o else { return nil }
    o += 1 + Int(body[o])                                         // session id
    guard body.count >= o + 2 else { return nil }
    o += 2 + (Int(body[o]) << 8 | Int(body[o + 1]))               // cipher suites
    guard body.count > o else { return nil }
    o += 1 + Int(body[o])                                         // compression
    guard body.count >= o + 2 else { return nil }
    let end = o + 2 + (Int(body[o]) << 8 | Int(body[o + 1]))
    o += 2
    guard end <= body.count else { return nil }
    var out: [(UInt16, [UInt8])] = []
    while o + 4 <= end {
        let type = UInt16(body[o]) << 8 | UInt16(body[o + 1])
        let length = Int(body[o + 2]) << 8 | Int(body[o + 3])
        guard o + 4 + length <= end else { return nil }
        out.append((type, Array(body[(o + 4)..<(o + 4 + length)])))
        o += 4 + length
    }
    return out
}

/// The host name of a server_name extension.
func serverName(_ data: [UInt8]) -> String? {
    guard data.count >= 5, data[2] == 0 else { return nil }
    let length = Int(data[3]) << 8 | Int(data[4])
    guard data.count >= 5 + length else { return nil }
    return String(decoding: data[5..<(5 + length)], as: UTF8.self)
}
