import TLSDumpAnalysis
import TLSDumpBase

/// Which events reach the output (`--type`, `--only-findings`, `--min-severity`, `--sni`).
public struct EventFilter: Sendable {
    public var types: Set<String> = []
    public var minimumSeverity: Severity?
    public var onlyFindings = false
    /// `--sni`: only connections whose SNI matches this glob (case-insensitive);
    /// connections without SNI are left out.
    public var serverName: SNIPattern?
    /// Flows whose client_hello matched `serverName`, until their `connection` event.
    private var matchedFlows: Set<String> = []

    public init() {}

    /// The event types this filter can let through, and those `--sni` must
    /// see to follow a flow: the analysis makes no others.
    public var wantedEvents: EventKinds {
        var kinds: EventKinds = types.isEmpty ? .all : EventKinds(typeNames: types).union(.stats)
        if onlyFindings { kinds.formIntersection([.finding, .stats]) }
        if serverName != nil { kinds.formUnion([.clientHello, .connection]) }
        return kinds
    }

    /// The type and severity rules, and `--sni` for the events that carry the
    /// name themselves (client_hello, connection). Does not track flows: see `admit`.
    public func accepts(_ event: Event) -> Bool {
        if case .stats = event.body { return types.isEmpty || types.contains("stats") }
        if let serverName {
            switch event.body {
            case .clientHello(let e): if !serverName.matches(e.hello.serverName) { return false }
            case .connection(let c): if !serverName.matches(c.sni) { return false }
            default: break
            }
        }
        if onlyFindings {
            guard case .finding = event.body else { return false }
        }
        if !types.isEmpty && !types.contains(event.body.typeName) { return false }
        if let minimumSeverity, case .finding(let f) = event.body, f.severity < minimumSeverity { return false }
        return true
    }

    /// `accepts`, plus `--sni` for every event of a flow: a flow's events pass once
    /// its client_hello matched (events before it are dropped), until its `connection`.
    public mutating func admit(_ event: Event) -> Bool {
        if let serverName, let flow = event.flow {
            switch event.body {
            case .clientHello(let e):
                if serverName.matches(e.hello.serverName) { matchedFlows.insert(flow.flowID) }
            case .connection:
                matchedFlows.remove(flow.flowID)
                return accepts(event)
            default:
                if !matchedFlows.contains(flow.flowID) { return false }
            }
        }
        return accepts(event)
    }
}
