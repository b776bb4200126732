/// A connection's JA3, JA3S, JA4 and JA4S, kept as ASCII bytes in one buffer
/// until the `connection` event is built: one allocation of ~160 bytes
/// instead of four heap strings (~300) and their 64 bytes of fields.
struct PackedFingerprints {
    enum Slot: Int, CaseIterable {
        case ja3, ja3s, ja4, ja4s
    }

    /// The present fingerprints' bytes, in slot order.
    private var bytes: [UInt8] = []
    /// Each slot's length in `bytes`; `absent` when not set.
    private var lengths: (UInt16, UInt16, UInt16, UInt16) = (absent, absent, absent, absent)
    private static let absent = UInt16.max

    private func length(_ slot: Slot) -> UInt16 {
        switch slot {
        case .ja3: lengths.0
        case .ja3s: lengths.1
        case .ja4: lengths.2
        case .ja4s: lengths.3
        }
    }

    private mutating func setLength(_ slot: Slot, _ value: UInt16) {
        switch slot {
        case .ja3: lengths.0 = value
        case .ja3s: lengths.1 = value
        case .ja4: lengths.2 = value
        case .ja4s: lengths.3 = value
        }
    }

    /// Where `slot`'s bytes start: after the present slots before it.
    private func offset(_ slot: Slot) -> Int {
        var offset = 0
        for earlier in Slot.allCases where earlier.rawValue < slot.rawValue {
            let n = length(earlier)
            if n != Self.absent { offset += Int(n) }
        }
        return offset
    }

    func contains(_ slot: Slot) -> Bool { length(slot) != Self.absent }

    private func storedBytes(_ slot: Slot) -> ArraySlice<UInt8>? {
        let n = length(slot)
        guard n != Self.absent else { return nil }
        let start = offset(slot)
        return bytes[start..<(start + Int(n))]
    }

    subscript(slot: Slot) -> String? {
        get { storedBytes(slot).map { String(decoding: $0, as: UTF8.self) } }
        set {
            // Set about twice per connection (ClientHello, ServerHello): rebuilt at exact size.
            var values = Slot.allCases.map { storedBytes($0) }
            values[slot.rawValue] = newValue.map { ArraySlice($0.utf8) }
            var rebuilt: [UInt8] = []
            rebuilt.reserveCapacity(values.reduce(0) { $0 + ($1?.count ?? 0) })
            for s in Slot.allCases {
                // Fingerprints are short fixed formats; anything over 65534 bytes is not kept.
                guard let value = values[s.rawValue], value.count < Int(Self.absent) else {
                    setLength(s, Self.absent)
                    continue
                }
                rebuilt.append(contentsOf: value)
                setLength(s, UInt16(value.count))
            }
            bytes = rebuilt
        }
    }
}
