/// One entry of a ClientHello's key_share extension: the group and the length
/// of the key it carries (the key itself is of no use to a passive reader).
public struct KeyShareOffer: Sendable, Equatable {
    public var group: UInt16
    public var length: Int

    public init(group: UInt16, length: Int) {
        self.group = group
        self.length = length
    }
}
