/// The halves of the full 128-bit product of `x` and `y`, XORed: the mixing
/// step of foldhash and wyhash, used by the keyed hashes (`FlowHash`,
/// `KeyedByteHash`). Every input bit reaches the high bits.
@inlinable
public func foldedMultiply(_ x: UInt64, _ y: UInt64) -> UInt64 {
    let product = x.multipliedFullWidth(by: y)
    return product.high ^ product.low
}

/// A word from the system's random source for a hash secret; odd, so never zero.
public func randomOddWord() -> UInt64 {
    var rng = SystemRandomNumberGenerator()
    return rng.next() | 1
}
