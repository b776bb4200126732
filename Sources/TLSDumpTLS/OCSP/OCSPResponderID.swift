/// Who signed an OCSP response (RFC 6960 4.2.1 ResponderID).
public enum OCSPResponderID: Sendable, Equatable {
    /// byName: the responder's Name as RFC 4514 text ("" for an empty Name).
    case name(String)
    /// byKey: SHA-1 of the responder's public key (lowercase hex).
    case keyHash(String)
}
