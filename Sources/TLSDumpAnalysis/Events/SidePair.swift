import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// A value per side of a connection.
public struct SidePair<Value> {
    public var client: Value
    public var server: Value

    public init(client: Value, server: Value) {
        self.client = client
        self.server = server
    }

    public subscript(side: Side) -> Value {
        get { side == .client ? client : server }
        set { if side == .client { client = newValue } else { server = newValue } }
    }
}

extension SidePair: Sendable where Value: Sendable {}

extension SidePair {
    /// The same pair with the roles the other way round.
    public var swapped: SidePair { SidePair(client: server, server: client) }
}

extension SidePair: Equatable where Value: Equatable {}
