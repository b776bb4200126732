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
    /// The connection runs over QUIC (UDP), not TCP.
    public let isQUIC: Bool

    public init(flowID: String, communityID: String, client: Endpoint, server: Endpoint, isQUIC: Bool = false) {
        self.isQUIC = isQUIC
        self.flowID = flowID
        self.communityID = communityID
        self.client = client
        self.server = server
        clientAddress = client.ip.description
        serverAddress = server.ip.description
    }
}
