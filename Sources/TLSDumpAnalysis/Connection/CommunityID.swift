import Crypto
import TLSDumpBase

/// Community ID flow hash, version 1 (https://github.com/corelight/community-id-spec).
///
/// The same string comes out for both directions of a flow, so tlsdump events
/// can be joined with Zeek, Suricata or Wireshark records of the same connection.
/// Hashed input (all big-endian): seed (2), lower endpoint's address, higher
/// endpoint's address, protocol (1), zero padding (1), lower port (2), higher
/// port (2). Endpoints are ordered by address bytes, then by port.
///
/// Ports are used as given: the spec's ICMP type/code mapping is not applied
/// (tlsdump only hashes TCP flows).
public enum CommunityID {
    public static func compute(source: IPAddress, sourcePort: UInt16,
                               destination: IPAddress, destinationPort: UInt16,
                               proto: UInt8 = 6, seed: UInt16 = 0) -> String {
        var sourceBytes = source.bytes
        var destinationBytes = destination.bytes
        var lowPort = sourcePort
        var highPort = destinationPort
        // Swap unless (src ip, src port) < (dst ip, dst port); equal flows keep their order.
        let sourceFirst = sourceBytes.lexicographicallyPrecedes(destinationBytes)
            || (sourceBytes == destinationBytes && sourcePort < destinationPort)
        if !sourceFirst {
            swap(&sourceBytes, &destinationBytes)
            swap(&lowPort, &highPort)
        }

        var message = [UInt8]()
        message.reserveCapacity(2 + sourceBytes.count + destinationBytes.count + 6)
        appendBigEndian(seed, to: &message)
        message.append(contentsOf: sourceBytes)
        message.append(contentsOf: destinationBytes)
        message.append(proto)
        message.append(0)
        appendBigEndian(lowPort, to: &message)
        appendBigEndian(highPort, to: &message)

        let digest = Insecure.SHA1.hash(data: message)
        var out = Array("1:".utf8)
        out.reserveCapacity(2 + 28)
        digest.withUnsafeBytes { Base64.append($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendBigEndian(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}
