import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif
import TLSDumpFlow

/// Input: a limits selector, an initial sequence number, then a script of
/// operations. Each op byte: bits 0-2 pick the kind, bits 3-5 flags.
/// The reassembler's contract is checked after every step: every sequence
/// number from the synchronisation point is delivered or gapped exactly once,
/// and the queue stays within its limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReassembler(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let limits: ReassemblyLimits
    switch input.pick(3) {
    case 0: limits = .default
    case 1: limits = ReassemblyLimits(maxBufferedBytesPerDirection: 64, maxSegmentsPerDirection: 4)
    default: limits = ReassemblyLimits(maxBufferedBytesPerDirection: 1024, maxSegmentsPerDirection: 16)
    }
    let budget: ReassemblyBudget? = input.bool() ? ReassemblyBudget(maxBytes: Int(input.u8()) * 8) : nil
    var reassembler = HalfStreamReassembler(limits: limits, budget: budget)
    // Sequence numbers are drawn near a base so segments meet; the base may sit at the wrap.
    let base = input.u32()
    var accounted = 0          // bytes delivered plus bytes gapped
    var syncPoint: SequenceNumber?
    var checksum: UInt8 = 0
    let deliver: (StreamChunk) -> Void = { chunk in
        switch chunk {
        case .data(let bytes):
            fuzzCheck(!bytes.isEmpty, "empty data chunk")
            for b in bytes { checksum ^= b }
            accounted += bytes.count
        case .gap(let n):
            fuzzCheck(n > 0, "gap of \(n)")
            accounted += n
        }
    }
    var payloadSource = [UInt8](repeating: 0, count: 4096)
    while !input.isAtEnd {
        let op = input.u8()
        let wasSynchronized = reassembler.isSynchronized
        let wasClosed = reassembler.isClosed
        let restartsBefore = reassembler.stats.synRestarts
        let accountedBefore = accounted
        switch op & 7 {
        case 0...4:
            let syn = op & 0x08 != 0, fin = op & 0x10 != 0, rst = op & 0x20 != 0 && op & 0xc0 == 0xc0
            // Offsets mostly small and positive, sometimes anywhere in the space.
            let offset: UInt32 = op & 0x40 != 0 ? input.u32() : UInt32(input.u16())
            let sequence = base &+ offset
            let length = Int(input.u8()) * (op & 0x80 != 0 ? 8 : 1)
            // Payload: fuzzer bytes, padded with a pattern tied to the sequence number
            // so that retransmissions agree unless the fuzzer makes them differ.
            let given = input.take(length)
            for i in 0..<length {
                payloadSource[i] = i < given.count ? given[i] : UInt8(truncatingIfNeeded: sequence &+ UInt32(i))
            }
            payloadSource.withUnsafeBytes { all in
                let payload = UnsafeRawBufferPointer(rebasing: all[0..<length])
                if !wasSynchronized && !wasClosed && !rst {
                    if syn { syncPoint = SequenceNumber(sequence).advanced(by: 1) }
                    else if length > 0 || fin { syncPoint = SequenceNumber(sequence) }
                }
                reassembler.accept(sequence: sequence, syn: syn, fin: fin, rst: rst, payload: payload, deliver: deliver)
            }
        case 5:
            let ack = base &+ (op & 0x40 != 0 ? input.u32() : UInt32(input.u16()))
            reassembler.acknowledged(ack, deliver: deliver)
        case 6:
            reassembler.flush(deliver: deliver)
        default:
            if op & 0x08 != 0 { reassembler.discard() }
        }
        if reassembler.stats.synRestarts != restartsBefore {
            // A second SYN (or the ack of one, or data after one) moved the start: only allowed
            // before anything was emitted. The new start is where this op's bytes began.
            fuzzCheck(accountedBefore == 0, "the start moved after \(accountedBefore) bytes were delivered or gapped")
            syncPoint = reassembler.nextSequence.map { $0.advanced(by: -(accounted + (reassembler.isFinished ? 1 : 0))) }
        }
        fuzzCheck(reassembler.bufferedBytes <= limits.maxBufferedBytesPerDirection,
                  "buffered \(reassembler.bufferedBytes) bytes")
        fuzzCheck(reassembler.bufferedSegments <= limits.maxSegmentsPerDirection,
                  "buffered \(reassembler.bufferedSegments) segments")
        if let start = syncPoint, let next = reassembler.nextSequence {
            let span = UInt32(bitPattern: start.distance(to: next))
            let expected = accounted + (reassembler.isFinished ? 1 : 0)
            // Compared modulo 2^32: a stream may run past 2 GiB of sequence space.
            fuzzCheck(span == UInt32(truncatingIfNeeded: expected),
                      "sync \(start.rawValue) next \(next.rawValue): span \(span), accounted \(expected)")
        }
    }
    reassembler.flush(deliver: deliver)
    return checksum == 0x5a ? 0 : 0
}

exit(runLibFuzzer(fuzzReassembler))
