import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Which end of a connection: the client sent the ClientHello (else the SYN).
public enum Side: String, Sendable {
    case client, server

    public var other: Side { self == .client ? .server : .client }
}
