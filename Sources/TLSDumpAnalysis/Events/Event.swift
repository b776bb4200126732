import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

public enum EventBody: Sendable {
    case clientHello(ClientHelloEvent)
    case serverHello(ServerHelloEvent)
    case certificate(CertificateEvent)
    case certificateRequest(CertificateRequestEvent)
    case helloRequest(HelloRequestEvent)
    case handshakeDone(HandshakeDoneEvent)
    case renegotiation(RenegotiationEvent)
    case alert(AlertEvent)
    case finding(Finding)
    case connection(ConnectionSummary)
    case stats(StatsEvent)
    case trace(TraceEntry)
    case keyUpdate(KeyUpdateEvent)

    /// The `type` of the event in the contract.
    @inlinable @inline(__always)
    public var typeName: String { kind.name }
}

public struct Event: Sendable {
    public var timestamp: Timestamp
    /// nil only for `stats`.
    public var flow: FlowIdentity?
    public var body: EventBody

    public init(timestamp: Timestamp, flow: FlowIdentity?, body: EventBody) {
        self.timestamp = timestamp
        self.flow = flow
        self.body = body
    }
}
