/// RC4 (ARCFOUR), for the legacy `*_RC4_128_*` suites: nothing in the
/// dependency set still ships it. A value type, so a trial decryption can work
/// on a copy and commit it only when the record authenticates.
struct RC4: Sendable {
    private var state: [UInt8]
    private var i: UInt8 = 0
    private var j: UInt8 = 0

    /// Key scheduling. `key` must be 1...256 bytes (callers check the length).
    init(key: [UInt8]) {
        precondition(!key.isEmpty && key.count <= 256, "RC4 key length checked by the caller")
        var s = [UInt8](repeating: 0, count: 256)
        for k in 0..<256 { s[k] = UInt8(truncatingIfNeeded: k) }
        var j: UInt8 = 0
        for k in 0..<256 {
            j = j &+ s[k] &+ key[k % key.count]
            s.swapAt(k, Int(j))
        }
        state = s
    }

    /// XORs the next keystream bytes into `bytes` (encryption and decryption alike).
    mutating func apply(_ bytes: inout [UInt8]) {
        var i = self.i, j = self.j
        state.withUnsafeMutableBufferPointer { s in
            for n in 0..<bytes.count {
                i = i &+ 1
                j = j &+ s[Int(i)]
                let t = s[Int(i)]
                s[Int(i)] = s[Int(j)]
                s[Int(j)] = t
                bytes[n] ^= s[Int(s[Int(i)] &+ s[Int(j)])]
            }
        }
        self.i = i
        self.j = j
    }
}
