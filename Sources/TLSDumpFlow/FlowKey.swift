import TLSDumpBase

/// One side of a connection.
public struct Endpoint: Hashable, Sendable, Comparable {
    public var ip: IPAddress
    public var port: UInt16

    @inlinable
    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    @inlinable
    public static func < (a: Endpoint, b: Endpoint) -> Bool {
        a.ip == b.ip ? a.port < b.port : a.ip < b.ip
    }
}

extension Endpoint: CustomStringConvertible {
    /// `1.2.3.4:443` or `[2001:db8::1]:443`.
    public var description: String {
        ip.isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

/// Which way a packet travels relative to its `FlowKey`.
public enum FlowDirection: Sendable, Hashable {
    /// From the key's `first` endpoint to its `second`.
    case forward
    case reverse

    public var reversed: FlowDirection { self == .forward ? .reverse : .forward }
}

/// A TCP connection's identity, independent of packet direction: the lower
/// endpoint (by address, then port) is always `first`, so both directions of
/// a connection map to the same key.
public struct FlowKey: Hashable, Sendable {
    public let first: Endpoint
    public let second: Endpoint

    /// Canonicalising initialiser: argument order does not matter.
    @inlinable
    public init(_ a: Endpoint, _ b: Endpoint) {
        if b < a { first = b; second = a } else { first = a; second = b }
    }

    /// The key of a packet from `source` to `destination`, and whether the
    /// packet runs forward (from `first`) or in reverse.
    @inlinable
    public static func make(source: Endpoint, destination: Endpoint) -> (key: FlowKey, direction: FlowDirection) {
        let key = FlowKey(source, destination)
        return (key, key.first == source ? .forward : .reverse)
    }

    /// Hashes the five words directly (for sets of keys; the flow table uses `FlowHash`).
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(first.ip.high)
        hasher.combine(first.ip.low)
        hasher.combine(second.ip.high)
        hasher.combine(second.ip.low)
        let family: UInt64 = (first.ip.isIPv6 ? 2 : 0) | (second.ip.isIPv6 ? 1 : 0)
        hasher.combine(UInt64(first.port) << 32 | UInt64(second.port) << 16 | family)
    }

    @inlinable
    public static func == (a: FlowKey, b: FlowKey) -> Bool {
        a.first == b.first && a.second == b.second
    }
}

extension FlowKey: CustomStringConvertible {
    public var description: String { "\(first) <-> \(second)" }
}
