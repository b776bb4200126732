/// A set of event types. A sink says which it writes (`EventSink.wantedEvents`),
/// and the analysis hands it no other: with `--type connection` on a big
/// capture, the hello, certificate and alert events nobody asked for are not
/// made into events, counted by the tracker or filtered one by one.
public struct EventKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let clientHello = EventKinds(rawValue: 1 << 0)
    public static let serverHello = EventKinds(rawValue: 1 << 1)
    public static let certificate = EventKinds(rawValue: 1 << 2)
    public static let certificateRequest = EventKinds(rawValue: 1 << 3)
    public static let helloRequest = EventKinds(rawValue: 1 << 4)
    public static let handshakeDone = EventKinds(rawValue: 1 << 5)
    public static let renegotiation = EventKinds(rawValue: 1 << 6)
    public static let alert = EventKinds(rawValue: 1 << 7)
    public static let finding = EventKinds(rawValue: 1 << 8)
    public static let connection = EventKinds(rawValue: 1 << 9)
    public static let stats = EventKinds(rawValue: 1 << 10)
    public static let trace = EventKinds(rawValue: 1 << 11)
    public static let keyUpdate = EventKinds(rawValue: 1 << 12)

    public static let all = EventKinds(rawValue: (1 << 13) - 1)

    /// The contract name (`type` in docs/events.md) of the kind in bit `i`.
    static let names = [
        "client_hello", "server_hello", "certificate", "certificate_request", "hello_request",
        "handshake_done", "renegotiation", "alert", "finding", "connection", "stats", "trace", "key_update",
    ]

    /// Every kind with its contract name.
    public static let named: [(name: String, kind: EventKinds)] =
        names.enumerated().map { ($0.element, EventKinds(rawValue: 1 << UInt16($0.offset))) }

    /// The contract name of a single kind (its lowest kind for a set).
    public var name: String { Self.names[min(rawValue.trailingZeroBitCount, Self.names.count - 1)] }

    /// The kinds named by `--type` values; names that are no event type add nothing.
    public init<Names: Sequence>(typeNames: Names) where Names.Element == String {
        var kinds: EventKinds = []
        for name in typeNames {
            if let entry = Self.named.first(where: { $0.name == name }) { kinds.insert(entry.kind) }
        }
        self = kinds
    }
}

extension EventBody {
    /// Inlinable: a writer in another module reads it on every event, and a
    /// call would copy the whole event body to pass it (callgrind: 2%).
    @inlinable @inline(__always)
    public var kind: EventKinds {
        switch self {
        case .clientHello: .clientHello
        case .serverHello: .serverHello
        case .certificate: .certificate
        case .certificateRequest: .certificateRequest
        case .helloRequest: .helloRequest
        case .handshakeDone: .handshakeDone
        case .renegotiation: .renegotiation
        case .alert: .alert
        case .finding: .finding
        case .connection: .connection
        case .stats: .stats
        case .trace: .trace
        case .keyUpdate: .keyUpdate
        }
    }
}
