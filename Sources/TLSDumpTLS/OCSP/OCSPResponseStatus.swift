/// OCSPResponseStatus (RFC 6960 4.2.1): whether the responder answered at all.
public enum OCSPResponseStatus: Sendable, Equatable {
    case successful
    case malformedRequest
    case internalError
    case tryLater
    case sigRequired
    case unauthorized
    /// A value RFC 6960 does not define (4 is unused).
    case other(Int)

    init(_ value: Int) {
        switch value {
        case 0: self = .successful
        case 1: self = .malformedRequest
        case 2: self = .internalError
        case 3: self = .tryLater
        case 5: self = .sigRequired
        case 6: self = .unauthorized
        default: self = .other(value)
        }
    }

    /// The RFC's name ("successful", "tryLater" ...), or the number.
    public var name: String {
        switch self {
        case .successful: "successful"
        case .malformedRequest: "malformedRequest"
        case .internalError: "internalError"
        case .tryLater: "tryLater"
        case .sigRequired: "sigRequired"
        case .unauthorized: "unauthorized"
        case .other(let value): String(value)
        }
    }
}
