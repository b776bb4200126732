import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

public enum Severity: Int, Sendable, Comparable, CaseIterable {
    case info = 0, low, medium, high

    public var name: String {
        switch self {
        case .info: "info"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }

    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

public struct Finding: Sendable {
    public var id: FindingID
    public var message: String
    public var handshake: Int?
    public var evidence: Evidence

    public var severity: Severity { id.severity }

    public init(id: FindingID, message: String, handshake: Int?, evidence: Evidence = .none) {
        self.id = id
        self.message = message
        self.handshake = handshake
        self.evidence = evidence
    }
}
