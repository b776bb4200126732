import FuzzSupport
import TLSDumpTLS
#if canImport(Glibc)
import Glibc
#endif

/// Input: a suite and version choice, key material, then records (2-byte
/// length + body) fed in order to one direction's RecordDecryptor: every
/// cipher construction (RC4, AES-CBC and 3DES-CBC with SSL 3.0 / TLS MACs and
/// chained or explicit IVs, GCM, ChaCha20, AES-CCM and CCM_8 in TLS 1.2 and
/// 1.3, the TLS 1.3 draft rules), plus the SSL 3.0 and PSK key schedules and
/// the --psk argument parser on the same bytes. A record that fails must leave
/// the state as it was; one that opens advances it by one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordDecryption(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var input = FuzzInput(data, count)
    let suites: [UInt16] = [0x0004, 0x0005, 0x000a, 0x002f, 0x0035, 0x003c, 0x009c, 0xc030, 0xcca8,
                            0xc0a4, 0xc0a8, 0xc0ac, 0xc0ae, 0x1301, 0x1302, 0x1303, 0x1304, 0x1305]
    let versions: [UInt16] = [0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f14, 0x7f1a, 0x7e01, 0xfb17]
    let suite = suites[input.pick(suites.count)]
    let version = versions[input.pick(versions.count)]
    let encryptThenMAC = input.bool()
    let secret = Array(input.take(48))
    let random = Array(input.take(32))

    let decryptor: RecordDecryptor?
    if ProtocolVersion.isTLS13Family(version) {
        let rules = TLS13DraftRules(version: version)
        let traffic = Array(secret.prefix(suite == 0x1302 ? 48 : 32))
        decryptor = (try? KeyDerivation.tls13(trafficSecret: traffic, suite: suite, rules: rules)).flatMap {
            try? RecordDecryptor(keys: $0, suite: suite, version: 0x0304, encryptThenMAC: false, tls13Rules: rules)
        }
    } else {
        decryptor = (try? KeyDerivation.tls12(masterSecret: secret, clientRandom: random, serverRandom: Array(random.reversed()),
                                                suite: suite, version: version)).flatMap {
            try? RecordDecryptor(keys: $0.client, suite: suite, version: version, encryptThenMAC: encryptThenMAC)
        }
    }
    var opened = 0
    while !input.isAtEnd, let decryptor {
        let length = Int(input.u16() & 0x7fff)
        let body = Array(input.take(length))
        let type = input.u8()
        let before = decryptor.sequenceNumber
        if let result = try? decryptor.decrypt(contentType: type, version: version, body: body) {
            fuzzCheck(result.plaintext.count <= body.count, "plaintext longer than its record")
            fuzzCheck(decryptor.sequenceNumber == before &+ 1, "an opened record did not advance the sequence")
            opened += 1
        } else {
            fuzzCheck(decryptor.sequenceNumber == before, "a failed record moved the sequence")
        }
    }
    // The key schedules and the --psk parser on the same bytes.
    let master = SSL3.masterSecret(premaster: secret, clientRandom: random, serverRandom: random)
    fuzzCheck(master.count == 48, "an SSL 3.0 master secret that is not 48 bytes")
    let wanted = Int(secret.first ?? 0) * 2
    fuzzCheck(SSL3.expand(secret: secret, seed: random, count: wanted).count == min(wanted, 416), "SSL 3.0 expansion short")
    if let premaster = PSKPremaster.plain(psk: secret) { fuzzCheck(premaster.count == 4 + 2 * secret.count, "PSK premaster length") }
    if let psk = PreSharedKey(argument: String(decoding: random, as: UTF8.self)) {
        fuzzCheck(!psk.key.isEmpty && psk.key.count <= PreSharedKey.maxKeyLength, "a --psk key out of bounds")
    }
    return opened == Int.min ? 1 : 0
}

exit(runLibFuzzer(fuzzRecordDecryption))
