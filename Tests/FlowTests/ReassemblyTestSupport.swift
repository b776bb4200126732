import XCTest
@testable import TLSDumpFlow

/// What a consumer saw, with adjacent data runs merged so that different
/// segmentations of the same stream compare equal.
enum Delivered: Equatable, CustomStringConvertible {
    case data([UInt8])
    case gap(Int)

    var description: String {
        switch self {
        case .data(let b): return "data(\(b.count): \(b.prefix(8).map { String($0) }.joined(separator: ","))...)"
        case .gap(let n): return "gap(\(n))"
        }
    }
}

/// Drives a reassembler and records the chunks it delivers.
struct Harness {
    var reassembler: HalfStreamReassembler
    var events: [Delivered] = []

    init(limits: ReassemblyLimits = .default, budget: ReassemblyBudget? = nil) {
        reassembler = HalfStreamReassembler(limits: limits, budget: budget)
    }

    mutating func record(_ chunk: StreamChunk) {
        switch chunk {
        case .data(let bytes):
            XCTAssertFalse(bytes.isEmpty, "empty data chunk")
            if case .data(let previous)? = events.last {
                events[events.count - 1] = .data(previous + Array(bytes))
            } else {
                events.append(.data(Array(bytes)))
            }
        case .gap(let n):
            XCTAssertGreaterThan(n, 0, "empty gap")
            events.append(.gap(n))
        }
    }

    mutating func send(_ sequence: UInt32, _ bytes: [UInt8] = [], syn: Bool = false, fin: Bool = false, rst: Bool = false) {
        var copies: [Delivered] = []
        bytes.withUnsafeBytes { payload in
            // Copy now: the bytes are only valid during the callback.
            reassembler.accept(sequence: sequence, syn: syn, fin: fin, rst: rst, payload: payload) {
                copies.append(Self.copy($0))
            }
        }
        replay(copies)
    }

    mutating func ack(_ ack: UInt32) {
        var copies: [Delivered] = []
        reassembler.acknowledged(ack) { copies.append(Self.copy($0)) }
        replay(copies)
    }

    mutating func flush() {
        var copies: [Delivered] = []
        reassembler.flush { copies.append(Self.copy($0)) }
        replay(copies)
    }

    private static func copy(_ chunk: StreamChunk) -> Delivered {
        switch chunk {
        case .data(let b): return .data(Array(b))
        case .gap(let n): return .gap(n)
        }
    }

    private mutating func replay(_ copies: [Delivered]) {
        for c in copies {
            switch c {
            case .data(let b): b.withUnsafeBytes { record(.data($0)) }
            case .gap(let n): record(.gap(n))
            }
        }
    }

    /// All delivered data bytes, gaps ignored.
    var bytes: [UInt8] {
        events.flatMap { if case .data(let b) = $0 { return b } else { return [] } }
    }

    /// Total stream positions accounted for (data plus gaps).
    var coveredLength: Int {
        events.reduce(0) { total, e in
            switch e {
            case .data(let b): return total + b.count
            case .gap(let n): return total + n
            }
        }
    }
}

/// Deterministic PRNG so failures reproduce.
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

func bytes(_ range: Range<Int>) -> [UInt8] { range.map { UInt8(truncatingIfNeeded: $0) } }

/// Every permutation of `items` (Heap's algorithm).
func permutations<T>(_ items: [T]) -> [[T]] {
    var result: [[T]] = []
    var a = items
    func generate(_ k: Int) {
        if k <= 1 { result.append(a); return }
        for i in 0..<k {
            generate(k - 1)
            a.swapAt(k % 2 == 0 ? i : 0, k - 1)
        }
    }
    generate(a.count)
    return result
}
