import Crypto
import Foundation

/// Retry packet integrity (RFC 9001 5.8; RFC 9369 3.3.3 for v2): the last 16
/// bytes are an AES-128-GCM tag over a pseudo-packet (original DCID length,
/// original DCID, the Retry without its tag) with an empty plaintext.
public enum QUICRetry {
    /// The expected tag for `packetWithoutTag`; nil when the version has no known key
    /// or the original DCID is over 255 bytes.
    public static func integrityTag(originalDCID: [UInt8], packetWithoutTag: UnsafeRawBufferPointer,
                                    version: QUICVersionInfo) -> [UInt8]? {
        guard let key = version.retryKey, let nonceBytes = version.retryNonce, originalDCID.count <= 255 else { return nil }
        var pseudo: [UInt8] = [UInt8(truncatingIfNeeded: originalDCID.count)]
        pseudo += originalDCID
        pseudo += packetWithoutTag
        do {
            let box = try AES.GCM.seal([UInt8](), using: SymmetricKey(data: key),
                                       nonce: AES.GCM.Nonce(data: nonceBytes), authenticating: pseudo)
            return Array(box.tag)
        } catch {
            return nil
        }
    }

    /// Whether the Retry `packet` (whole, tag included) carries a valid tag
    /// for the client's original Destination Connection ID.
    public static func verifyIntegrity(originalDCID: [UInt8], packet: UnsafeRawBufferPointer,
                                       version: QUICVersionInfo) -> Bool {
        guard packet.count >= 16 else { return false }
        let split = packet.count - 16
        guard let tag = integrityTag(originalDCID: originalDCID,
                                     packetWithoutTag: UnsafeRawBufferPointer(rebasing: packet[0..<split]),
                                     version: version) else { return false }
        return tag.elementsEqual(packet[split...])
    }

    /// `verifyIntegrity` over an array.
    public static func verifyIntegrity(originalDCID: [UInt8], packet: [UInt8], version: QUICVersionInfo) -> Bool {
        packet.withUnsafeBytes { verifyIntegrity(originalDCID: originalDCID, packet: $0, version: version) }
    }
}
