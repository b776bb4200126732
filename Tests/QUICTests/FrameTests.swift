import XCTest
import TLSDumpBase
import TLSDumpQUIC

/// Frames from hand-built bytes: every type RFC 9000 19 defines, truncation
/// at every byte, varint edge cases, CONNECTION_CLOSE names and alerts.
final class FrameTests: XCTestCase {
    func v(_ value: UInt64) -> [UInt8] { QUICVarint.encode(value) ?? [] }

    func frames(_ bytes: [UInt8]) -> (frames: [QUICFrame], error: QUICFrameError?) {
        bytes.withUnsafeBytes { QUICFrameReader.frames($0) }
    }

    /// One sample of each frame type, with what it must parse to (nil: `.other(type)`).
    var samples: [(bytes: [UInt8], frame: QUICFrame)] {
        [
            ([0x00, 0x00, 0x00], .padding(count: 3)),
            ([0x01], .ping),
            ([0x02] + v(1000) + v(5) + v(2) + v(3) + v(1) + v(1) + v(0) + v(2), .ack(largest: 1000, ecn: false)),
            ([0x03] + v(7) + v(0) + v(0) + v(0) + v(1) + v(2) + v(3), .ack(largest: 7, ecn: true)),
            ([0x04] + v(4) + v(9) + v(100), .other(type: 0x04)),
            ([0x05] + v(4) + v(9), .other(type: 0x05)),
            ([0x06] + v(70000) + v(3) + [9, 8, 7], .crypto(offset: 70000, data: 0..<3)),
            ([0x07] + v(2) + [0xaa, 0xbb], .newToken(token: 0..<2)),
            ([0x08] + v(4) + [1, 2], .stream(id: 4, offset: 0, data: 0..<2, fin: false)),
            ([0x0f] + v(8) + v(300) + v(1) + [5], .stream(id: 8, offset: 300, data: 0..<1, fin: true)),
            ([0x0a] + v(1) + v(2) + [5, 6], .stream(id: 1, offset: 0, data: 0..<2, fin: false)),
            ([0x0c] + v(1) + v(9) + [5, 6], .stream(id: 1, offset: 9, data: 0..<2, fin: false)),
            ([0x10] + v(1 << 20), .other(type: 0x10)),
            ([0x11] + v(4) + v(1 << 16), .other(type: 0x11)),
            ([0x12] + v(100), .other(type: 0x12)),
            ([0x13] + v(100), .other(type: 0x13)),
            ([0x14] + v(5), .other(type: 0x14)),
            ([0x15] + v(4) + v(5), .other(type: 0x15)),
            ([0x16] + v(5), .other(type: 0x16)),
            ([0x17] + v(5), .other(type: 0x17)),
            ([0x18] + v(1) + v(0) + [4, 1, 2, 3, 4] + [UInt8](repeating: 0xee, count: 16), .other(type: 0x18)),
            ([0x19] + v(3), .other(type: 0x19)),
            ([0x1a] + [UInt8](repeating: 1, count: 8), .other(type: 0x1a)),
            ([0x1b] + [UInt8](repeating: 2, count: 8), .other(type: 0x1b)),
            ([0x1c] + v(0x128) + v(0x06) + v(3) + Array("bad".utf8),
             .connectionClose(QUICConnectionClose(isApplication: false, errorCode: 0x128, frameType: 6, reason: Array("bad".utf8), reasonLength: 3))),
            ([0x1d] + v(0x0101) + v(0),
             .connectionClose(QUICConnectionClose(isApplication: true, errorCode: 0x101, frameType: nil, reason: [], reasonLength: 0))),
            ([0x1e], .handshakeDone),
            ([0x31] + v(3) + [1, 2, 3], .datagram(data: 0..<3)),
            ([0x30, 1, 2, 3, 4], .datagram(data: 0..<4)),
        ]
    }

    /// Ranges in a sample are relative to its data; shift them to where the data is.
    func shifted(_ frame: QUICFrame, by base: Int) -> QUICFrame {
        func s(_ r: Range<Int>) -> Range<Int> { (r.lowerBound + base)..<(r.upperBound + base) }
        switch frame {
        case .crypto(let o, let r): return .crypto(offset: o, data: s(r))
        case .newToken(let r): return .newToken(token: s(r))
        case .stream(let id, let o, let r, let fin): return .stream(id: id, offset: o, data: s(r), fin: fin)
        case .datagram(let r): return .datagram(data: s(r))
        default: return frame
        }
    }

    func testEveryFrameTypeParsesToItsEnd() {
        for (bytes, expected) in samples {
            let dataLength: Int
            switch expected {
            case .crypto(_, let r), .newToken(let r), .stream(_, _, let r, _), .datagram(let r): dataLength = r.count
            default: dataLength = 0
            }
            let (parsed, error) = frames(bytes)
            XCTAssertNil(error, "\(bytes)")
            XCTAssertEqual(parsed, [shifted(expected, by: bytes.count - dataLength)], "\(bytes)")
        }
    }

    func testFramesInSequence() {
        // Length-less frames (STREAM 0x08, DATAGRAM 0x30) end the packet, so they go last.
        let ordered = samples.filter { s in
            if case .stream(_, _, _, _) = s.frame, s.bytes[0] & 0x02 == 0 { return false }
            if s.bytes[0] == 0x30 { return false }
            return true
        }
        let payload: [UInt8] = ordered.flatMap { $0.bytes } + [0x01]
        let (parsed, error) = frames(payload)
        XCTAssertNil(error)
        XCTAssertEqual(parsed.count, ordered.count + 1)
        XCTAssertEqual(parsed.last, QUICFrame.ping)
    }

    func testTruncationAtEveryByteIsAnErrorNotACrash() {
        for (bytes, expected) in samples {
            // PADDING and length-less STREAM/DATAGRAM stay valid when cut.
            if case .padding = expected { continue }
            if bytes[0] == 0x30 || (0x08...0x0f).contains(bytes[0]) && bytes[0] & 0x02 == 0 { continue }
            for cut in 1..<bytes.count {
                let (parsed, error) = frames(Array(bytes.prefix(cut)))
                XCTAssertEqual(error, .malformed(at: 0), "\(bytes) cut at \(cut): \(parsed)")
                XCTAssertTrue(parsed.isEmpty)
            }
        }
    }

    func testUnknownAndInvalidFrames() {
        XCTAssertEqual(frames([0x01, 0x21]).error, .unknownFrameType(0x21, at: 1))
        XCTAssertEqual(frames([0x01] + v(0xaf)).error, .unknownFrameType(0xaf, at: 1))
        // NEW_CONNECTION_ID with a 0 or 21 byte ID.
        XCTAssertEqual(frames([0x18, 1, 0, 0] + [UInt8](repeating: 0, count: 16)).error, .malformed(at: 0))
        XCTAssertEqual(frames([0x18, 1, 0, 21] + [UInt8](repeating: 0, count: 37)).error, .malformed(at: 0))
        // NEW_TOKEN must not be empty.
        XCTAssertEqual(frames([0x07, 0x00]).error, .malformed(at: 0))
        // CRYPTO whose end passes 2^62 - 1.
        XCTAssertEqual(frames([0x06] + v(QUICVarint.max) + v(1) + [0]).error, .malformed(at: 0))
        // ACK with an absurd range count.
        XCTAssertEqual(frames([0x02, 0, 0] + v(QUICVarint.max) + [0, 0, 0]).error, .malformed(at: 0))
        // Iteration stops after the error.
        let bytes: [UInt8] = [0x01, 0x40]  // PING, then a 2-byte varint cut short
        bytes.withUnsafeBytes { raw in
            var r = QUICFrameReader(raw)
            XCTAssertEqual(r.next(), .success(.ping))
            XCTAssertEqual(r.next(), .failure(.malformed(at: 1)))
            XCTAssertNil(r.next())
            XCTAssertNil(r.next())
        }
    }

    func testConnectionCloseNamesAlertsAndReasonCap() {
        let tls = QUICConnectionClose(isApplication: false, errorCode: 0x128, frameType: 6, reason: [], reasonLength: 0)
        XCTAssertEqual(tls.tlsAlert, 40, "handshake_failure")
        XCTAssertEqual(tls.errorName, "CRYPTO_ERROR")
        let app = QUICConnectionClose(isApplication: true, errorCode: 0x128, frameType: nil, reason: [], reasonLength: 0)
        XCTAssertNil(app.tlsAlert)
        XCTAssertNil(app.errorName)
        XCTAssertEqual(QUICTransportErrors.name(0x00), "NO_ERROR")
        XCTAssertEqual(QUICTransportErrors.name(0x0a), "PROTOCOL_VIOLATION")
        XCTAssertEqual(QUICTransportErrors.name(0x0d), "CRYPTO_BUFFER_EXCEEDED")
        XCTAssertEqual(QUICTransportErrors.name(0x0e), "KEY_UPDATE_ERROR")
        XCTAssertEqual(QUICTransportErrors.name(0x0f), "AEAD_LIMIT_REACHED")
        XCTAssertEqual(QUICTransportErrors.name(0x10), "NO_VIABLE_PATH")
        XCTAssertEqual(QUICTransportErrors.name(0x11), "VERSION_NEGOTIATION_ERROR")
        XCTAssertNil(QUICTransportErrors.name(0x12))
        XCTAssertNil(QUICTransportErrors.name(0x200))
        XCTAssertNil(QUICTransportErrors.name(UInt64.max))

        let long = [UInt8](repeating: 0x41, count: 3000)
        let (parsed, error) = frames([0x1c] + v(1) + v(0) + v(3000) + long)
        XCTAssertNil(error)
        guard case .connectionClose(let close)? = parsed.first else { return XCTFail("\(parsed)") }
        XCTAssertEqual(close.reason.count, QUICConnectionClose.maxReasonBytes)
        XCTAssertEqual(close.reasonLength, 3000)
        XCTAssertEqual(close.errorName, "INTERNAL_ERROR")
    }

    func testVarintEdgeCases() throws {
        let cases: [(String, UInt64, Int)] = [
            ("00", 0, 1), ("3f", 63, 1), ("4040", 64, 2), ("7fff", 16383, 2),
            ("80004000", 16384, 4), ("bfffffff", (1 << 30) - 1, 4),
            ("c000000040000000", 1 << 30, 8), ("ffffffffffffffff", QUICVarint.max, 8),
            // RFC 9000 A.1 examples, including a non-minimal encoding of 37.
            ("c2197c5eff14e88c", 151_288_809_941_952_652, 8), ("9d7f3e7d", 494_878_333, 4),
            ("7bbd", 15293, 2), ("25", 37, 1), ("4025", 37, 2),
        ]
        for (h, value, length) in cases {
            let bytes = hex(h)
            let read = bytes.withUnsafeBytes { QUICVarint.read($0, at: 0) }
            XCTAssertEqual(read?.value, value, h)
            XCTAssertEqual(read?.length, length, h)
            // Every shorter prefix is "need more bytes".
            for cut in 0..<bytes.count {
                XCTAssertNil(Array(bytes.prefix(cut)).withUnsafeBytes { QUICVarint.read($0, at: 0) }, "\(h) cut \(cut)")
                let error: ParseError? = Array(bytes.prefix(cut)).withUnsafeBytes { raw in
                    var r = ByteReader(raw)
                    do throws(ParseError) { _ = try r.quicVarint() } catch { return error }
                    return nil
                }
                XCTAssertEqual(error, .needMoreBytes(cut == 0 ? 1 : length - cut), "\(h) cut \(cut)")
            }
        }
        XCTAssertEqual(QUICVarint.encode(0), [0])
        XCTAssertEqual(QUICVarint.encode(64), [0x40, 0x40])
        XCTAssertEqual(QUICVarint.encode(QUICVarint.max), [UInt8](repeating: 0xff, count: 8))
        XCTAssertNil(QUICVarint.encode(QUICVarint.max + 1))
        XCTAssertNil([UInt8]([1]).withUnsafeBytes { QUICVarint.read($0, at: -1) })
        XCTAssertNil([UInt8]([1]).withUnsafeBytes { QUICVarint.read($0, at: 1) })
        for value: UInt64 in [0, 1, 63, 64, 16383, 16384, 1 << 29, 1 << 30, 1 << 40, QUICVarint.max] {
            let enc = try XCTUnwrap(QUICVarint.encode(value))
            XCTAssertEqual(enc.withUnsafeBytes { QUICVarint.read($0, at: 0)?.value }, value)
        }
    }
}
