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

    /// Every kind with its contract name (`type` in docs/events.md).
    public static let named: [(name: String, kind: EventKinds)] = [
        ("client_hello", .clientHello), ("server_hello", .serverHello), ("certificate", .certificate),
        ("certificate_request", .certificateRequest), ("hello_request", .helloRequest),
        ("handshake_done", .handshakeDone), ("renegotiation", .renegotiation), ("alert", .alert),
        ("finding", .finding), ("connection", .connection), ("stats", .stats), ("trace", .trace),
        ("key_update", .keyUpdate),
    ]

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
