import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif
import TLSDumpTLS

/// Handshake message types with a parser, picked by the first byte.
let parsedTypes: [UInt8] = [
    HandshakeType.clientHello, HandshakeType.serverHello, HandshakeType.certificate,
    HandshakeType.certificateRequest, HandshakeType.serverKeyExchange, HandshakeType.newSessionTicket,
    HandshakeType.certificateStatus,
]

/// Input: parser selector, variant byte (version / key exchange kind), then
/// the message body. The body is copied to its exact size so ASan sees any
/// read past its end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandshake(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let type = parsedTypes[input.pick(parsedTypes.count)]
    let variant = input.u8()
    let body = [UInt8](input.rest())
    let used = body.withUnsafeBytes { exerciseHandshakeMessage(type: type, body: $0, variant: variant) }
    _ = body.withUnsafeBytes { try? Alert.parse($0) }
    return used == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzHandshake))
