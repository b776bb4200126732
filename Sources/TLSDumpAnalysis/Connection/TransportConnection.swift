import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// What a `TLSSession` needs from the transport under it: who is client,
/// the time, identity and emission. A TCP `Connection` and a
/// `QUICConnection` are both one; the session is the same for both.
///
/// A base class, not a protocol: the session reads `now` and calls `emit`
/// on every message, and stored `final` members cost no dynamic dispatch.
class TransportConnection {
    final let key: FlowKey
    final let serial: Int
    final let context: AnalysisContext
    final let transport: Transport
    /// Direction (relative to `key`) in which the client sends.
    final var clientDirection: FlowDirection
    /// Roles come from a SYN, a QUIC Initial or a ClientHello; until then they are a guess.
    final var rolesSettled = false
    final private(set) var identity: FlowIdentity?
    final let start: Timestamp
    final var last: Timestamp
    /// The time of the packet being handled (the end of the connection once it is reported).
    final var now: Timestamp
    /// The connection was seen from its start (a TCP SYN, a QUIC client Initial):
    /// clear handshake bytes need no further proof.
    final var sawStart = false
    final private(set) var session: TLSSession?

    init(key: FlowKey, serial: Int, context: AnalysisContext, transport: Transport,
         clientDirection: FlowDirection, start: Timestamp) {
        self.key = key
        self.serial = serial
        self.context = context
        self.transport = transport
        self.clientDirection = clientDirection
        self.start = start
        self.last = start
        self.now = start
    }

    final func side(of direction: FlowDirection) -> Side { direction == clientDirection ? .client : .server }
    final func direction(of side: Side) -> FlowDirection { side == .client ? clientDirection : clientDirection.reversed }
    final var serverEndpoint: Endpoint { direction(of: .server) == .forward ? key.first : key.second }
    final var isTLS: Bool { session?.isTLS ?? false }

    final func flowIdentity() -> FlowIdentity {
        if let identity { return identity }
        let clientEnd = clientDirection == .forward ? key.first : key.second
        let serverEnd = clientDirection == .forward ? key.second : key.first
        let id = FlowIdentity(
            flowID: "C\(serial)",
            communityID: CommunityID.compute(source: clientEnd.ip, sourcePort: clientEnd.port,
                                             destination: serverEnd.ip, destinationPort: serverEnd.port,
                                             proto: transport.ipProtocol),
            client: clientEnd, server: serverEnd, transport: transport)
        identity = id
        rolesSettled = true
        return id
    }

    final func emit(_ body: consuming EventBody) {
        let flow = flowIdentity()   // settles the roles, whether or not the event is wanted
        guard context.wantedEvents.contains(body.kind) else { return }
        context.emit(Event(timestamp: now, flow: flow, body: body))
    }

    final func tlsSession() -> TLSSession {
        if let session { return session }
        let created = TLSSession(connection: self, context: context)
        session = created
        return created
    }

    /// The session found the client on the other side (its ClientHello came
    /// from what was taken for the server): only before anything was reported.
    func swapRoles() {
        clientDirection = clientDirection.reversed
    }

    /// Stream bytes a side lost before its first record (TCP gaps; none in QUIC).
    func bytesLostBeforeTLS(_ side: Side) -> Int { 0 }

    /// An SSLv2-compatible ClientHello answered in TLS: the client goes on in TLS framing (TCP only).
    func useTLSFraming(for side: Side) {}
}
