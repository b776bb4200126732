import XCTest
import TLSDumpBase
@testable import TLSDumpTLS

/// The JA3/JA4 memo: a hello that differs in any field either fingerprint
/// reads gets its own fingerprints; one that differs only elsewhere (random,
/// session id, SNI text, key shares) is a hit with the same values.
final class ClientFingerprintCacheTests: XCTestCase {
    private func base() -> ClientHello {
        var hello = ClientHello()
        hello.legacyVersion = 0x0303
        hello.random = [UInt8](repeating: 1, count: 32)
        hello.cipherSuites = [0x0a0a, 0x1301, 0x1302, 0xc02b, 0x002f]
        hello.extensionTypes = [0x0000, 0x0010, 0x000a, 0x000b, 0x000d, 0x002b, 0x0033]
        hello.supportedGroups = [0x001d, 0x0017]
        hello.ecPointFormats = [0]
        hello.signatureAlgorithms = [0x0403, 0x0804]
        hello.supportedVersions = [0x0304, 0x0303]
        hello.serverName = "a.example"
        hello.alpn = [Array("h2".utf8), Array("http/1.1".utf8)]
        hello.keyShareGroups = [0x001d]
        return hello
    }

    func testEveryFingerprintInputIsPartOfTheKey() {
        let variants: [(String, (inout ClientHello) -> Void)] = [
            ("legacy version", { $0.legacyVersion = 0x0301 }),
            ("cipher order", { $0.cipherSuites.swapAt(1, 2) }),
            ("one cipher more", { $0.cipherSuites.append(0x0035) }),
            ("extension order", { $0.extensionTypes.swapAt(0, 1) }),
            ("supported groups", { $0.supportedGroups = [0x0017] }),
            ("point formats", { $0.ecPointFormats = [0, 1] }),
            ("signature algorithms", { $0.signatureAlgorithms = [0x0804, 0x0403] }),
            ("supported versions", { $0.supportedVersions = [0x0303] }),
            ("first ALPN", { $0.alpn = [Array("http/1.1".utf8)] }),
            ("no ALPN", { $0.alpn = [] }),
            ("SSLv2", { $0.isSSLv2 = true; $0.sslv2CipherKinds = [0x010080] }),
        ]
        var cache = ClientFingerprintCache()
        let plain = base()
        XCTAssertEqual(cache.fingerprints(plain), ClientFingerprints(plain))
        var distinct: Set<String> = [ClientFingerprints(plain).ja4 + (ClientFingerprints(plain).ja3 ?? "-")]
        for (name, change) in variants {
            var hello = base()
            change(&hello)
            let direct = ClientFingerprints(hello)
            XCTAssertEqual(cache.fingerprints(hello), direct, name)
            XCTAssertEqual(cache.fingerprints(hello), direct, "\(name), from the cache")
            distinct.insert(direct.ja4 + (direct.ja3 ?? "-"))
        }
        XCTAssertEqual(cache.misses, variants.count + 1)
        XCTAssertEqual(cache.hits, variants.count)
        XCTAssertEqual(distinct.count, variants.count + 1, "each change alters JA3 or JA4")
    }

    func testFieldsNoFingerprintReadsStillHit() {
        var cache = ClientFingerprintCache()
        let first = cache.fingerprints(base())
        var other = base()
        other.random = [UInt8](repeating: 9, count: 32)
        other.sessionID = [1, 2, 3]
        other.serverName = "b.example"
        other.keyShareGroups = [0x0017]
        other.alpn.append(Array("h3".utf8))
        XCTAssertEqual(cache.fingerprints(other), first)
        XCTAssertEqual(cache.fingerprints(other), ClientFingerprints(other))
        XCTAssertEqual(cache.hits, 2)
    }

    /// A hello with more list values than the limit (a crafted one can carry
    /// 100,000 suites) is fingerprinted every time and never kept.
    func testOversizedHellosAreNotKept() {
        var cache = ClientFingerprintCache()
        var big = base()
        big.cipherSuites = (0..<UInt16(ClientFingerprintCache.maxCachedListValues)).map { $0 &+ 0x1000 }
        XCTAssertGreaterThan(ClientFingerprintCache.listValues(big), ClientFingerprintCache.maxCachedListValues)
        XCTAssertEqual(cache.fingerprints(big), ClientFingerprints(big))
        XCTAssertEqual(cache.fingerprints(big), ClientFingerprints(big))
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.hits, 0)
        XCTAssertEqual(cache.misses, 2)
        _ = cache.fingerprints(base())
        XCTAssertEqual(cache.count, 1)
    }

    func testBoundedOldestFirst() {
        var cache = ClientFingerprintCache(capacity: 4)
        for i in 0..<10 {
            var hello = base()
            hello.cipherSuites.append(UInt16(0x1000 + i))
            XCTAssertEqual(cache.fingerprints(hello), ClientFingerprints(hello))
        }
        XCTAssertEqual(cache.count, 4)
        var newest = base()
        newest.cipherSuites.append(0x1009)
        _ = cache.fingerprints(newest)
        XCTAssertEqual(cache.hits, 1)
        var oldest = base()
        oldest.cipherSuites.append(0x1000)
        _ = cache.fingerprints(oldest)
        XCTAssertEqual(cache.misses, 11)
        XCTAssertEqual(ClientFingerprintCache(capacity: 0).count, 0)
    }
}
