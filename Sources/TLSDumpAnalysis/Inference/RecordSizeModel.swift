import TLSDumpTLS

/// How a negotiated suite turns P plaintext bytes into a record body, so that
/// an encrypted record's length tells its plaintext length: exactly for
/// stream and AEAD suites, to within a cipher block for CBC
/// (docs/inference.md has the table and the worked examples).
struct RecordSizeModel: Sendable, Equatable {
    enum Shape: Equatable {
        case stream(mac: Int)
        case cbc(block: Int, mac: Int, explicitIV: Bool, encryptThenMAC: Bool)
        case aead(explicitNonce: Int, tag: Int)
    }

    let shape: Shape

    init?(suite: UInt16, version: UInt16, encryptThenMAC: Bool) {
        guard let info = CipherSuiteRegistry.info(suite) else { return nil }
        let mac: Int
        switch info.mac {
        case .md5: mac = 16
        case .sha1: mac = 20
        case .sha256: mac = 32
        case .sha384: mac = 48
        case .null: mac = 0
        case .aead, .gost, .sm3, .unknown: mac = -1
        }
        let explicitIV = version >= ProtocolVersion.tls11
        switch info.cipher {
        case .rc4_40, .rc4_56, .rc4_128, .null:
            guard mac >= 0 else { return nil }
            shape = .stream(mac: mac)
        case .aes128CBC, .aes256CBC, .camellia128CBC, .camellia256CBC, .aria128CBC, .aria256CBC, .seedCBC:
            guard mac > 0 else { return nil }
            shape = .cbc(block: 16, mac: mac, explicitIV: explicitIV, encryptThenMAC: encryptThenMAC)
        case .des, .des40, .tripleDES, .idea, .rc2_40, .rc2_56:
            guard mac > 0 else { return nil }
            shape = .cbc(block: 8, mac: mac, explicitIV: explicitIV, encryptThenMAC: encryptThenMAC)
        case .aes128GCM, .aes256GCM, .aes128CCM, .aes256CCM, .camellia128GCM, .camellia256GCM, .aria128GCM, .aria256GCM:
            shape = .aead(explicitNonce: 8, tag: 16)
        case .aes128CCM8, .aes256CCM8:
            shape = .aead(explicitNonce: 8, tag: 8)
        case .chacha20Poly1305:
            shape = .aead(explicitNonce: 0, tag: 16)
        default:
            return nil
        }
    }

    /// True when the plaintext length is known to the byte.
    var isExact: Bool {
        if case .cbc = shape { return false }
        return true
    }

    /// The plaintext lengths a record body of `length` bytes can hold; nil when impossible.
    func plaintext(recordLength length: Int) -> ClosedRange<Int>? {
        switch shape {
        case .stream(let mac):
            let p = length - mac
            return p >= 0 ? p...p : nil
        case .aead(let nonce, let tag):
            let p = length - nonce - tag
            return p >= 0 ? p...p : nil
        case .cbc(let block, let mac, let explicitIV, let etm):
            var body = length - (explicitIV ? block : 0)
            if etm { body -= mac }
            guard body > 0, body % block == 0 else { return nil }
            // Padding is 1...256 bytes; real stacks pad minimally (1...block).
            let overhead = etm ? 1 : mac + 1
            let high = body - overhead
            let low = max(0, body - overhead - (block - 1))
            return high >= 0 ? low...high : nil
        }
    }
}
