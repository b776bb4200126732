import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Identity shared by every event of one connection (a class: built once, referenced by all events).
public final class FlowIdentity: Sendable {
    public let flowID: String
    public let communityID: String
    public let client: Endpoint
    public let server: Endpoint
    /// The addresses as text, made once per connection rather than per event.
    public let clientAddress: String
    public let serverAddress: String
    /// What carries the connection.
    public let transport: Transport
    /// The connection runs over QUIC (UDP), not TCP.
    public var isQUIC: Bool { transport == .quic }

    public convenience init(flowID: String, communityID: String, client: Endpoint, server: Endpoint, isQUIC: Bool = false) {
        self.init(flowID: flowID, communityID: communityID, client: client, server: server, transport: isQUIC ? .quic : .tcp)
    }

    public init(flowID: String, communityID: String, client: Endpoint, server: Endpoint, transport: Transport) {
        self.transport = transport
        self.flowID = flowID
        self.communityID = communityID
        self.client = client
        self.server = server
        clientAddress = client.ip.description
        serverAddress = server.ip.description
    }
}
