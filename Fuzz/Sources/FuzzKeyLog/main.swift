import FuzzSupport
import TLSDumpTLS
#if canImport(Glibc)
import Glibc
#endif

/// Input: a key log file's bytes (or s_client's printout with SSL-Session blocks). Parsed as bytes and as text (the two entry
/// points), then every lookup is tried with ids taken from the input, so
/// stored and probed keys meet.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyLog(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    var log = KeyLog()
    log.parse(bytes: bytes)
    var again = KeyLog()
    again.parse(String(decoding: bytes, as: UTF8.self))
    fuzzCheck(log.count <= bytes.count, "more secrets than bytes")
    fuzzCheck(log.sessionMasterSecrets.count <= KeyLog.maxSessionMasterSecrets, "session candidates over their cap")
    fuzzCheck(log.sessionMasterSecrets.allSatisfy { $0.count == 48 }, "a session candidate that is not a master secret")
    var found = 0
    for length in [8, 32, 48] where bytes.count >= length {
        let id = Array(bytes.suffix(length))
        found &+= log.masterSecret(clientRandom: id)?.count ?? 0
        found &+= log.masterSecret(sessionID: id)?.count ?? 0
        found &+= log.premaster(encryptedPremasterPrefix: id)?.count ?? 0
        found &+= log.premaster(clientRandom: id)?.count ?? 0
        for label in TLS13SecretLabel.allCases { found &+= log.secret(label, clientRandom: id)?.count ?? 0 }
    }
    return found == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzKeyLog))
