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

    public var typeName: String {
        switch self {
        case .clientHello: "client_hello"
        case .serverHello: "server_hello"
        case .certificate: "certificate"
        case .certificateRequest: "certificate_request"
        case .helloRequest: "hello_request"
        case .handshakeDone: "handshake_done"
        case .renegotiation: "renegotiation"
        case .alert: "alert"
        case .finding: "finding"
        case .connection: "connection"
        case .stats: "stats"
        case .trace: "trace"
        case .keyUpdate: "key_update"
        }
    }
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
