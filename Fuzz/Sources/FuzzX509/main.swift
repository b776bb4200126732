import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif
import TLSDumpTLS

/// Input: one DER blob, given to both the certificate summariser and the
/// Name formatter (CertificateRequest hands it bare Names).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzX509(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let der = [UInt8](UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return exerciseCertificate(der) == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzX509))
