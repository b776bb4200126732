import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpTLS

/// Shared naming used by every output format.
enum Naming {
    static func version(_ v: UInt16) -> String { TLSRegistry.versionName(v) }

    static func cipherSuiteName(_ code: UInt16) -> String? { CipherSuiteRegistry.name(code) }

    static func hex4(_ v: UInt16) -> String { hexNumber(v, digits: 4) }

    static func hex6(_ v: UInt32) -> String { hexNumber(v, digits: 6) }

    /// GREASE values are kept apart from names: "GREASE".
    static func extensionName(_ type: UInt16) -> String {
        if TLSRegistry.isGREASE(type) { return "GREASE" }
        return TLSRegistry.extensionName(type) ?? "unknown_\(type)"
    }

    static func groupName(_ group: UInt16) -> String {
        if TLSRegistry.isGREASE(group) { return "GREASE" }
        return TLSRegistry.groupName(group) ?? hex4(group)
    }

    static func signatureSchemeName(_ scheme: UInt16) -> String {
        if TLSRegistry.isGREASE(scheme) { return "GREASE" }
        return TLSRegistry.signatureSchemeName(scheme) ?? hex4(scheme)
    }

    static func alertDescription(_ d: UInt8) -> String { TLSRegistry.alertName(d) ?? "unknown_\(d)" }
    static func alertLevel(_ l: UInt8) -> String { TLSRegistry.alertLevelName(l) ?? "unknown_\(l)" }

    static func contentTypeLabel(_ type: UInt8) -> String {
        switch type {
        case ContentType.changeCipherSpec: "ChangeCipherSpec"
        case ContentType.alert: "Alert"
        case ContentType.handshake: "Handshake"
        case ContentType.applicationData: "ApplicationData"
        case ContentType.heartbeat: "Heartbeat"
        default: "Record"
        }
    }

    static func alpn(_ bytes: [UInt8]) -> String { displayString(bytes) }
}
