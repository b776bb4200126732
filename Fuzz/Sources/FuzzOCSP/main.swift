import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif
import TLSDumpTLS

/// Input: a mode byte, then
///   0: a CertificateStatus body (TLS 1.2 message 22 / TLS 1.3 status_request)
///   1: a DER OCSPResponse
///   2: a SignedCertificateTimestampList (TLS encoding)
///   3: u16 length + leaf DER, u16 length + issuer DER, then a DER OCSPResponse
///      whose CertIDs are checked against the pair
/// Each piece is copied to its exact size so ASan sees any read past its end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCSP(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    var used = 0
    switch input.pick(4) {
    case 0:
        let body = [UInt8](input.rest())
        used = body.withUnsafeBytes { exerciseCertificateStatus($0) }
    case 1:
        used = exerciseOCSPResponse([UInt8](input.rest()))
    case 2:
        let body = [UInt8](input.rest())
        if let list = try? SignedCertificateTimestampList.parse(body) { used = exerciseSCTList(list) }
    default:
        let leaf = [UInt8](input.take(Int(input.u16())))
        let issuer = [UInt8](input.take(Int(input.u16())))
        let identity = OCSPCertificateIdentity.make(leaf: leaf, chain: [issuer][...])
        used = exerciseOCSPResponse([UInt8](input.rest()), identity: identity)
        // The DER walk agrees with the summarizer on the serial.
        if let identity, let serial = X509Summarizer.summarize(der: leaf).serial {
            fuzzCheck(identity.serial == serial, "CertID serial \(identity.serial) vs summary \(serial)")
        }
    }
    return used == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzOCSP))
