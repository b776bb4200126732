import FuzzSupport
import TLSDumpBase
import TLSDumpTLS
#if canImport(Glibc)
import Glibc
#endif

/// Input: an encrypted_client_hello extension body. Read as the ClientHello's
/// form (RFC 9849 5), as the EncryptedExtensions' retry_configs
/// (ECHConfigList), and inside a whole ClientHello, whose other fields must
/// not notice it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzECH(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    var seen = 0
    bytes.withUnsafeBytes { body in
        if let ech = try? ECHClientHello.parse(body), case .outer(_, _, _, let enc, let payload) = ech.form {
            fuzzCheck(enc + payload + 10 == body.count, "outer ECH sizes do not add up to the extension")
            fuzzCheck(payload > 0, "an empty outer payload was accepted")
            seen &+= payload
        }
        if let list = try? ECHConfigList.parse(body) {
            fuzzCheck(list.configs.count <= ECHConfigList.maxConfigs, "retry configs over their cap")
            fuzzCheck(list.configs.allSatisfy { $0.cipherSuites.count <= ECHConfig.maxCipherSuites && $0.extensionTypes.count <= ECHConfig.maxExtensions },
                      "an ECHConfig list over its cap")
            fuzzCheck(list.configs.allSatisfy { $0.length <= body.count }, "an ECHConfig longer than the list")
            seen &+= list.configs.count &+ list.dropped
        }
    }
    // The same bytes as the 0xfe0d extension of a ClientHello (when they fit one).
    guard bytes.count <= 0xffff - 12 else { return 0 }
    var hello: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0x11, count: 32) + [0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]
    let ext: [UInt8] = [0xfe, 0x0d, UInt8(bytes.count >> 8), UInt8(truncatingIfNeeded: bytes.count)] + bytes
        + [0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x11, 0xec]   // supported_groups after it: X25519MLKEM768
    hello += [UInt8(ext.count >> 8), UInt8(truncatingIfNeeded: ext.count)] + ext
    if let parsed = try? hello.withUnsafeBytes({ body throws(ParseError) in try ClientHello.parse(body) }) {
        fuzzCheck(parsed.extensionTypes == [0xfe0d, 0x000a], "the extension list changed: \(parsed.extensionTypes)")
        fuzzCheck(parsed.supportedGroups == [0x11ec], "an ECH body disturbed the next extension")
        fuzzCheck(parsed.ech != nil || parsed.echMalformed, "the ECH extension was neither read nor called malformed")
        fuzzCheck(parsed.cipherSuites == [0x1301], "an ECH body disturbed the cipher suites")
    } else {
        fuzzCheck(false, "a ClientHello around a fitting extension did not parse")
    }
    return seen == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzECH))
