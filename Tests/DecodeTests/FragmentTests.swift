import XCTest
import TLSDumpBase
@testable import TLSDumpDecode

final class FragmentTests: XCTestCase {
    /// A TCP segment of 20 + 100 bytes: the datagram payload that gets fragmented.
    let tcpPayload: [UInt8] = (0..<100).map { UInt8($0) }
    var datagram: [UInt8] { Build.tcp(payload: tcpPayload) }

    /// IPv4 fragments of `payload` cut at `pieces` (offset, length); the piece reaching the end is the last.
    func ipv4Fragments(_ payload: [UInt8], pieces: [(Int, Int)], identification: UInt16 = 77,
                       source: [UInt8] = [192, 0, 2, 1]) -> [[UInt8]] {
        pieces.map { offset, length in
            let end = min(payload.count, offset + length)
            return Build.ipv4(source: source, identification: identification,
                              moreFragments: end < payload.count, fragmentOffset: offset,
                              payload: Array(payload[offset..<end]))
        }
    }

    /// IPv6 fragments: `unfragmentable` headers (ending with next=44) precede each fragment header.
    func ipv6Fragments(_ fragmentable: [UInt8], firstNext: UInt8, pieces: [(Int, Int)], identification: UInt32 = 0xABCD,
                       unfragmentable: [UInt8] = [], outerNext: UInt8 = 44) -> [[UInt8]] {
        pieces.map { offset, length in
            let end = min(fragmentable.count, offset + length)
            let header = Build.ipv6FragmentHeader(next: firstNext, offset: offset, more: end < fragmentable.count, identification: identification)
            return Build.ipv6(nextHeader: outerNext, payload: unfragmentable + header + Array(fragmentable[offset..<end]))
        }
    }

    private func feed(_ packets: [[UInt8]], into decoder: inout PacketDecoder, startNanoseconds: Int64 = 0,
                      step: Int64 = 1_000) -> [DecodedSegment] {
        var out: [DecodedSegment] = []
        for (index, packet) in packets.enumerated() {
            if let s = decoder.decodeCopy(packet, at: startNanoseconds + Int64(index) * step) { out.append(s) }
        }
        return out
    }

    func testIPv4InOrder() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let segments = feed(ipv4Fragments(datagram, pieces: [(0, 48), (48, 48), (96, 24)]), into: &decoder)
        XCTAssertEqual(segments.count, 1)
        XCTAssertEqual(segments.first?.payload, tcpPayload)
        XCTAssertEqual(segments.first?.destinationPort, 443)
        XCTAssertEqual(segments.first?.timestamp, Timestamp(nanoseconds: 2_000), "timestamp of the completing fragment")
        XCTAssertEqual(decoder.stats.ipFragments, 3)
        XCTAssertEqual(decoder.stats.ipReassembled, 1)
        XCTAssertEqual(decoder.stats.heldFragments, 2)
        XCTAssertEqual(decoder.stats.tcp, 1)
        XCTAssertEqual(decoder.stats.outcomeSum, decoder.stats.packets)
        XCTAssertEqual(decoder.fragmentDatagramsInFlight, 0)
    }

    func testIPv4OutOfOrderEveryPermutation() throws {
        let fragments = ipv4Fragments(datagram, pieces: [(0, 48), (48, 48), (96, 24)])
        for order in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            var decoder = try PacketDecoder(linkType: LinkTypes.raw)
            let segments = feed(order.map { fragments[$0] }, into: &decoder)
            XCTAssertEqual(segments.count, 1, "order \(order)")
            XCTAssertEqual(segments.first?.payload, tcpPayload, "order \(order)")
        }
    }

    func testOverlapKeepsFirstArrivalAndDuplicatesAreHarmless() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        var poisoned = datagram
        for i in 40..<64 { poisoned[i] = 0xFF }
        let first = ipv4Fragments(datagram, pieces: [(0, 48)])[0]
        let overlapping = ipv4Fragments(poisoned, pieces: [(40, 24)])[0]  // rewrites 40..<48, adds 48..<64
        let duplicate = first
        let rest = ipv4Fragments(datagram, pieces: [(64, 56)])[0]
        let segments = feed([first, overlapping, duplicate, rest], into: &decoder)
        XCTAssertEqual(segments.count, 1)
        var expected = tcpPayload
        for i in 28..<44 { expected[i] = 0xFF }  // datagram bytes 48..<64 came only from the overlapping fragment
        XCTAssertEqual(segments.first?.payload, expected)
        XCTAssertEqual(decoder.stats.ipFragmentOverlaps, 2)
    }

    func testFragmentContainedInsideAnotherAndTouchingRanges() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let pieces = ipv4Fragments(datagram, pieces: [(16, 8), (0, 64), (64, 8), (72, 48)])
        XCTAssertEqual(feed(pieces, into: &decoder).first?.payload, tcpPayload)
    }

    func testReassembledPayloadLivesInDecoderStorage() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let fragments = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)])
        _ = decoder.decodeCopy(fragments[0])
        var last = fragments[1]
        let payloadCopy: [UInt8]? = last.withUnsafeMutableBytes { buffer in
            guard let s = decoder.decode(UnsafeRawBufferPointer(buffer), timestamp: .zero) else { return nil }
            buffer.initializeMemory(as: UInt8.self, repeating: 0)  // clobber the packet: payload must not point into it
            return Array(s.payload)
        }
        last[0] = 0
        XCTAssertEqual(payloadCopy, tcpPayload)
    }

    func testIPv6FragmentsWithExtensionHeadersOnBothSides() throws {
        // hop-by-hop before the fragment header, destination options after it.
        let fragmentable = Build.genericExtension(next: 6) + datagram
        let unfragmentable = Build.genericExtension(next: 44)
        let fragments = ipv6Fragments(fragmentable, firstNext: 60, pieces: [(0, 56), (56, 56), (112, 16)],
                                      unfragmentable: unfragmentable, outerNext: 0)
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            var decoder = try PacketDecoder(linkType: LinkTypes.ipv6)
            let segments = feed(order.map { fragments[$0] }, into: &decoder)
            XCTAssertEqual(segments.count, 1, "order \(order)")
            XCTAssertEqual(segments.first?.payload, tcpPayload)
            XCTAssertEqual(segments.first?.source, "2001:db8::1")
            XCTAssertEqual(decoder.stats.ipReassembled, 1)
        }
    }

    func testIPv6NestedFragmentHeaderIsMalformed() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.ipv6)
        let fragmentable = Build.ipv6FragmentHeader(next: 6, offset: 0, more: false, identification: 1) + datagram
        let segments = feed(ipv6Fragments(fragmentable, firstNext: 44, pieces: [(0, 64), (64, 64)]), into: &decoder)
        XCTAssertTrue(segments.isEmpty)
        XCTAssertEqual(decoder.stats.malformed, 1)
    }

    func testDistinctKeysDoNotMix() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let a = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)], identification: 1)
        let b = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)], identification: 2)
        let c = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)], identification: 1, source: [192, 0, 2, 99])
        let segments = feed([a[0], b[1], c[0], a[1], c[1], b[0]], into: &decoder)
        XCTAssertEqual(segments.map(\.source), ["192.0.2.1", "192.0.2.99", "192.0.2.1"])
        XCTAssertEqual(decoder.stats.ipReassembled, 3)
    }

    func testOverPerDatagramCapIsDropped() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw, limits: FragmentLimits(maxBytesPerDatagram: 100))
        let segments = feed(ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)]), into: &decoder)
        XCTAssertTrue(segments.isEmpty)
        XCTAssertEqual(decoder.stats.ipFragmentsDropped, 2)
        XCTAssertEqual(decoder.fragmentDatagramsInFlight, 0)
    }

    func testOldestDatagramEvictedBeyondMaxDatagrams() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw, limits: FragmentLimits(maxDatagrams: 2))
        let ids: [UInt16] = [1, 2, 3]
        let fragments = ids.map { ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)], identification: $0) }
        // Heads of 1, 2, 3 (3 evicts 1), then tails of 2 and 3 (complete), then 1's tail (waits alone).
        let segments = feed(fragments.map { $0[0] } + [fragments[1][1], fragments[2][1], fragments[0][1]], into: &decoder)
        XCTAssertEqual(segments.count, 2, "datagram 1 was evicted when 3 started")
        XCTAssertEqual(decoder.stats.ipFragmentsDropped, 1)
        XCTAssertEqual(decoder.fragmentDatagramsInFlight, 1, "the lone tail of datagram 1 now waits")
    }

    func testTotalByteCapEvicts() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw, limits: FragmentLimits(maxTotalBytes: 200))
        let first = ipv4Fragments(datagram, pieces: [(64, 56)], identification: 1)  // reserves 120 bytes
        let second = ipv4Fragments(datagram, pieces: [(64, 56)], identification: 2)  // another 120: evicts the first
        _ = feed(first + second, into: &decoder)
        XCTAssertEqual(decoder.stats.ipFragmentsDropped, 1)
        XCTAssertEqual(decoder.fragmentDatagramsInFlight, 1)
        let tooBig = try PacketDecoder(linkType: LinkTypes.raw, limits: FragmentLimits(maxTotalBytes: 50))
        var small = tooBig
        XCTAssertTrue(feed(ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)]), into: &small).isEmpty)
        XCTAssertEqual(small.stats.ipFragmentsDropped, 2)
    }

    func testTimeoutDropsStaleDatagram() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw, limits: FragmentLimits(timeout: .seconds(30)))
        let fragments = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)])
        XCTAssertTrue(feed(fragments, into: &decoder, step: 31_000_000_000).isEmpty)
        XCTAssertEqual(decoder.stats.ipFragmentsDropped, 1)
        XCTAssertEqual(decoder.fragmentDatagramsInFlight, 1)
        // Within the timeout it completes.
        var patient = try PacketDecoder(linkType: LinkTypes.raw, limits: FragmentLimits(timeout: .seconds(30)))
        XCTAssertEqual(feed(fragments, into: &patient, step: 29_000_000_000).count, 1)
    }

    func testInconsistentLastFragmentDropsDatagram() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let real = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)])
        let fakeEnd = Build.ipv4(identification: 77, moreFragments: false, fragmentOffset: 64, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertTrue(feed([real[1], fakeEnd, real[0]], into: &decoder).isEmpty)
        XCTAssertGreaterThanOrEqual(decoder.stats.ipFragmentsDropped, 2)
    }

    func testSnaplenCutFragmentIsTruncated() throws {
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let fragments = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)])
        XCTAssertNil(decoder.decodeCopy(Array(fragments[0].prefix(50))))
        XCTAssertEqual(decoder.stats.truncated, 1)
        XCTAssertEqual(decoder.stats.ipFragmentsDropped, 1)
        XCTAssertNil(decoder.decodeCopy(fragments[1]))
    }

    func testFragmentedOuterAndInnerTunnel() throws {
        // Outer GRE datagram fragmented; the inner IPv4 is itself fragmented too.
        var decoder = try PacketDecoder(linkType: LinkTypes.raw)
        let innerFragments = ipv4Fragments(datagram, pieces: [(0, 64), (64, 56)], source: [10, 1, 1, 1])
        var segments: [DecodedSegment] = []
        for (n, inner) in innerFragments.enumerated() {
            let gre = Build.gre(protocolType: 0x0800, payload: inner)
            let outer = (0..<2).map { part -> [UInt8] in
                let offset = part * 48
                let end = part == 0 ? 48 : gre.count
                return Build.ipv4(protocolNumber: 47, identification: UInt16(500 + n), moreFragments: part == 0,
                                  fragmentOffset: offset, payload: Array(gre[offset..<end]))
            }
            segments += feed(outer.reversed(), into: &decoder)
        }
        XCTAssertEqual(segments.count, 1)
        XCTAssertEqual(segments.first?.source, "10.1.1.1")
        XCTAssertEqual(segments.first?.payload, tcpPayload)
        XCTAssertEqual(decoder.stats.ipReassembled, 3)
    }

    /// Random fragment streams against tiny limits: never traps, caps always hold.
    func testRandomFragmentStormRespectsCaps() throws {
        var rng = SplitMix64(seed: 0xF00D)
        let limits = FragmentLimits(maxDatagrams: 8, maxBytesPerDatagram: 2_000, maxTotalBytes: 6_000,
                                    maxFragmentsPerDatagram: 16, timeout: .milliseconds(5))
        var reassembler = FragmentReassembler(limits: limits)
        let bytes = [UInt8](repeating: 0x42, count: 2_100)
        var violations = 0
        for i in 0..<6_000 {
            let key = FragmentKey(source: IPAddress(ipv4: UInt32(rng.next() % 4)), destination: IPAddress(ipv4: 1),
                                  identification: UInt32(rng.next() % 12), protocolNumber: 6)
            let offset = Int(rng.next() % 260) * 8
            let length = Int(rng.next() % 300)
            let result = bytes.withUnsafeBytes { all in
                reassembler.add(key, offset: offset, isLast: rng.next() % 4 == 0, protocolNumber: 6,
                                bytes: UnsafeRawBufferPointer(rebasing: all[0..<length]),
                                now: Timestamp(nanoseconds: Int64(i) * 10_000), depth: Int(rng.next() % 2))
            }
            if case .completed(let datagram, _) = result, datagram.count > limits.maxBytesPerDatagram { violations += 1 }
            if reassembler.bytesHeld > limits.maxTotalBytes || reassembler.bytesHeld < 0 { violations += 1 }
            if reassembler.datagramsInFlight > limits.maxDatagrams { violations += 1 }
        }
        XCTAssertEqual(violations, 0)
        XCTAssertGreaterThan(reassembler.droppedFragments, 0)
        XCTAssertGreaterThan(reassembler.completedDatagrams, 0)
    }
}

/// Small deterministic PRNG so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
