import XCTest
@testable import TLSDumpTLS

/// The generated registry tables against values from the RFCs and the IANA
/// registries, and the invariants the binary-search lookups rely on.
final class TablesTests: XCTestCase {

    // MARK: - Table invariants

    private func assertStrictlyAscending<Code: Comparable>(_ codes: [Code], _ table: String,
                                                           file: StaticString = #filePath,
                                                           line: UInt = #line) {
        XCTAssertFalse(codes.isEmpty, "\(table) is empty", file: file, line: line)
        for (previous, next) in zip(codes, codes.dropFirst()) where !(previous < next) {
            XCTFail("\(table): \(previous) before \(next)", file: file, line: line)
        }
    }

    func testEveryTableIsSortedWithoutDuplicates() {
        assertStrictlyAscending(GeneratedTables.cipherSuites.map(\.code), "cipherSuites")
        assertStrictlyAscending(GeneratedTables.extensionTypes.map(\.code), "extensionTypes")
        assertStrictlyAscending(GeneratedTables.supportedGroups.map(\.code), "supportedGroups")
        assertStrictlyAscending(GeneratedTables.signatureSchemes.map(\.code), "signatureSchemes")
        assertStrictlyAscending(GeneratedTables.handshakeTypes.map(\.code), "handshakeTypes")
        assertStrictlyAscending(GeneratedTables.alertDescriptions.map(\.code), "alertDescriptions")
        assertStrictlyAscending(GeneratedTables.alertLevels.map(\.code), "alertLevels")
        assertStrictlyAscending(GeneratedTables.contentTypes.map(\.code), "contentTypes")
        assertStrictlyAscending(GeneratedTables.compressionMethods.map(\.code), "compressionMethods")
        assertStrictlyAscending(GeneratedTables.clientCertificateTypes.map(\.code), "clientCertificateTypes")
        assertStrictlyAscending(GeneratedTables.ecPointFormats.map(\.code), "ecPointFormats")
        assertStrictlyAscending(GeneratedTables.sslv2CipherKinds.map(\.code), "sslv2CipherKinds")
    }

    func testNamesAreUniqueWithinEachTable() {
        let tables: [(String, [String])] = [
            ("cipherSuites", GeneratedTables.cipherSuites.map(\.name)),
            ("extensionTypes", GeneratedTables.extensionTypes.map(\.name)),
            ("supportedGroups", GeneratedTables.supportedGroups.map(\.name)),
            ("signatureSchemes", GeneratedTables.signatureSchemes.map(\.name)),
            ("handshakeTypes", GeneratedTables.handshakeTypes.map(\.name)),
            ("alertDescriptions", GeneratedTables.alertDescriptions.map(\.name)),
        ]
        for (table, names) in tables {
            XCTAssertEqual(Set(names).count, names.count, "\(table) repeats a name")
        }
    }

    func testEveryEntryOfEveryTableIsFoundByItsCode() {
        for suite in CipherSuiteRegistry.all {
            XCTAssertEqual(CipherSuiteRegistry.info(suite.code), suite)
        }
        for entry in GeneratedTables.extensionTypes {
            XCTAssertEqual(TLSRegistry.extensionName(entry.code), entry.name)
        }
        for entry in GeneratedTables.supportedGroups {
            XCTAssertEqual(TLSRegistry.groupName(entry.code), entry.name)
        }
        for entry in GeneratedTables.signatureSchemes {
            XCTAssertEqual(TLSRegistry.signatureSchemeName(entry.code), entry.name)
        }
        for entry in GeneratedTables.alertDescriptions {
            XCTAssertEqual(TLSRegistry.alertName(entry.code), entry.name)
        }
        for entry in GeneratedTables.handshakeTypes {
            XCTAssertEqual(TLSRegistry.handshakeTypeName(entry.code), entry.name)
        }
    }

    func testCodesBetweenAndAroundEntriesAreUnknown() {
        XCTAssertNil(CipherSuiteRegistry.info(0x0047))       // unassigned
        XCTAssertNil(CipherSuiteRegistry.info(0xffff))
        XCTAssertNil(CipherSuiteRegistry.name(0xe013))       // GM/T national suite, not IANA
        XCTAssertNil(TLSRegistry.extensionName(0x0fff))
        XCTAssertNil(TLSRegistry.extensionName(0xffff))
        XCTAssertNil(TLSRegistry.groupName(0x0000))
        XCTAssertNil(TLSRegistry.groupName(0x2f3a))          // OQS experiment, dropped
        XCTAssertNil(TLSRegistry.signatureSchemeName(0xfea0))  // private use
        XCTAssertNil(TLSRegistry.alertName(255))
        XCTAssertNil(TLSRegistry.handshakeTypeName(7))
        XCTAssertNil(TLSRegistry.handshakeTypeName(255))
        XCTAssertNil(TLSRegistry.contentTypeName(0))
        XCTAssertNil(TLSRegistry.compressionMethodName(2))
        XCTAssertNil(TLSRegistry.alertLevelName(0))
        XCTAssertNil(TLSRegistry.alertLevelName(3))
        XCTAssertNil(TLSRegistry.sslv2CipherKindName(0xffffff))
    }

    // MARK: - Cipher suites

    private func assertSuite(_ code: UInt16, _ name: String, _ kx: KeyExchangeAlgorithm,
                             _ auth: AuthenticationAlgorithm, _ cipher: BulkCipher,
                             _ mac: MACAlgorithm, export: Bool = false,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let info = CipherSuiteRegistry.info(code) else {
            return XCTFail("no suite 0x\(String(code, radix: 16))", file: file, line: line)
        }
        XCTAssertEqual(info.code, code, file: file, line: line)
        XCTAssertEqual(info.name, name, file: file, line: line)
        XCTAssertEqual(CipherSuiteRegistry.name(code), name, file: file, line: line)
        XCTAssertEqual(info.keyExchange, kx, name, file: file, line: line)
        XCTAssertEqual(info.authentication, auth, name, file: file, line: line)
        XCTAssertEqual(info.cipher, cipher, name, file: file, line: line)
        XCTAssertEqual(info.mac, mac, name, file: file, line: line)
        XCTAssertEqual(info.isExport, export, name, file: file, line: line)
    }

    func testClassicSuites() {
        assertSuite(0x0000, "TLS_NULL_WITH_NULL_NULL", .null, .null, .null, .null)
        assertSuite(0x0001, "TLS_RSA_WITH_NULL_MD5", .rsa, .rsa, .null, .md5)
        assertSuite(0x0002, "TLS_RSA_WITH_NULL_SHA", .rsa, .rsa, .null, .sha1)
        assertSuite(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", .rsa, .rsa, .rc4_40, .md5, export: true)
        assertSuite(0x0004, "TLS_RSA_WITH_RC4_128_MD5", .rsa, .rsa, .rc4_128, .md5)
        assertSuite(0x0005, "TLS_RSA_WITH_RC4_128_SHA", .rsa, .rsa, .rc4_128, .sha1)
        assertSuite(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", .rsa, .rsa, .rc2_40, .md5, export: true)
        assertSuite(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", .rsa, .rsa, .idea, .sha1)
        assertSuite(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", .rsa, .rsa, .des40, .sha1, export: true)
        assertSuite(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", .rsa, .rsa, .des, .sha1)
        assertSuite(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", .rsa, .rsa, .tripleDES, .sha1)
        assertSuite(0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", .dh, .dss, .tripleDES, .sha1)
        assertSuite(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", .dhe, .dss, .des40, .sha1, export: true)
        assertSuite(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", .dhe, .rsa, .tripleDES, .sha1)
        assertSuite(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", .dh, .anonymous, .rc4_40, .md5, export: true)
        assertSuite(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", .dh, .anonymous, .rc4_128, .md5)
        assertSuite(0x001e, "TLS_KRB5_WITH_DES_CBC_SHA", .krb5, .krb5, .des, .sha1)
        assertSuite(0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", .krb5, .krb5, .des40, .sha1, export: true)
        assertSuite(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", .rsa, .rsa, .aes128CBC, .sha1)
        assertSuite(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", .rsa, .rsa, .aes256CBC, .sha1)
        assertSuite(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", .dhe, .rsa, .aes256CBC, .sha1)
        assertSuite(0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA", .dh, .anonymous, .aes256CBC, .sha1)
        assertSuite(0x003b, "TLS_RSA_WITH_NULL_SHA256", .rsa, .rsa, .null, .sha256)
        assertSuite(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", .rsa, .rsa, .aes128CBC, .sha256)
        assertSuite(0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", .rsa, .rsa, .des, .sha1, export: true)
        assertSuite(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", .rsa, .rsa, .rc4_56, .sha1, export: true)
        assertSuite(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", .dhe, .rsa, .camellia256CBC, .sha1)
        assertSuite(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", .rsa, .rsa, .seedCBC, .sha1)
        assertSuite(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", .rsa, .rsa, .aes128GCM, .aead)
        assertSuite(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", .dhe, .rsa, .aes256GCM, .aead)
        assertSuite(0x008a, "TLS_PSK_WITH_RC4_128_SHA", .psk, .psk, .rc4_128, .sha1)
        assertSuite(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", .dhePSK, .psk, .aes128CBC, .sha1)
        assertSuite(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", .rsaPSK, .rsa, .aes128CBC, .sha1)
        assertSuite(0x00b0, "TLS_PSK_WITH_NULL_SHA256", .psk, .psk, .null, .sha256)
        assertSuite(0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384", .rsaPSK, .rsa, .null, .sha384)
    }

    func testEllipticCurveAndModernSuites() {
        assertSuite(0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", .ecdh, .ecdsa, .rc4_128, .sha1)
        assertSuite(0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", .ecdh, .rsa, .aes128CBC, .sha1)
        assertSuite(0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", .ecdhe, .rsa, .rc4_128, .sha1)
        assertSuite(0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", .ecdhe, .rsa, .tripleDES, .sha1)
        assertSuite(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", .ecdhe, .rsa, .aes128CBC, .sha1)
        assertSuite(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", .ecdhe, .rsa, .aes256CBC, .sha1)
        assertSuite(0xc015, "TLS_ECDH_anon_WITH_NULL_SHA", .ecdh, .anonymous, .null, .sha1)
        assertSuite(0xc01a, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", .srp, .psk, .tripleDES, .sha1)
        assertSuite(0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", .srp, .rsa, .aes128CBC, .sha1)
        assertSuite(0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", .srp, .dss, .aes128CBC, .sha1)
        assertSuite(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", .ecdhe, .ecdsa, .aes128CBC, .sha256)
        assertSuite(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", .ecdhe, .rsa, .aes256CBC, .sha384)
        assertSuite(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", .ecdhe, .ecdsa, .aes128GCM, .aead)
        assertSuite(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", .ecdhe, .rsa, .aes128GCM, .aead)
        assertSuite(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", .ecdhe, .rsa, .aes256GCM, .aead)
        assertSuite(0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", .ecdhePSK, .psk, .aes128CBC, .sha1)
        assertSuite(0xc03c, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", .rsa, .rsa, .aria128CBC, .sha256)
        assertSuite(0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", .ecdhe, .ecdsa, .aria256GCM, .aead)
        assertSuite(0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", .ecdhe, .ecdsa, .camellia128CBC, .sha256)
        assertSuite(0xc08b, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", .ecdhe, .rsa, .camellia256GCM, .aead)
        assertSuite(0xc09c, "TLS_RSA_WITH_AES_128_CCM", .rsa, .rsa, .aes128CCM, .aead)
        assertSuite(0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8", .rsa, .rsa, .aes128CCM8, .aead)
        assertSuite(0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8", .dhePSK, .psk, .aes128CCM8, .aead)
        assertSuite(0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", .ecdhe, .ecdsa, .aes256CCM8, .aead)
        assertSuite(0xc0b0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", .eccpwd, .psk, .aes128GCM, .aead)
        assertSuite(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .ecdhe, .rsa, .chacha20Poly1305, .aead)
        assertSuite(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", .ecdhe, .ecdsa, .chacha20Poly1305, .aead)
        assertSuite(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .dhe, .rsa, .chacha20Poly1305, .aead)
        assertSuite(0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", .psk, .psk, .chacha20Poly1305, .aead)
        assertSuite(0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", .ecdhePSK, .psk, .aes128GCM, .aead)
        assertSuite(0xd003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", .ecdhePSK, .psk, .aes128CCM8, .aead)
        // Pre-standard ChaCha20 code points keep a name of their own.
        assertSuite(0xcc13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", .ecdhe, .rsa, .chacha20Poly1305, .aead)
        assertSuite(0xfeff, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", .rsa, .rsa, .tripleDES, .sha1)
        assertSuite(0xffe0, "SSL_RSA_OLDFIPS_WITH_3DES_EDE_CBC_SHA", .rsa, .rsa, .tripleDES, .sha1)
    }

    func testGOSTAndChineseSuites() {
        assertSuite(0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", .gost, .gost, .gost, .gost)
        assertSuite(0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411", .gost, .gost, .null, .gost)
        assertSuite(0xc100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", .gost, .gost, .gost, .gost)
        assertSuite(0xc103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", .tls13, .tls13, .gost, .aead)
        assertSuite(0x00c6, "TLS_SM4_GCM_SM3", .tls13, .tls13, .sm4GCM, .aead)
        assertSuite(0x00c7, "TLS_SM4_CCM_SM3", .tls13, .tls13, .sm4CCM, .aead)
    }

    func testTLS13Suites() {
        assertSuite(0x1301, "TLS_AES_128_GCM_SHA256", .tls13, .tls13, .aes128GCM, .aead)
        assertSuite(0x1302, "TLS_AES_256_GCM_SHA384", .tls13, .tls13, .aes256GCM, .aead)
        assertSuite(0x1303, "TLS_CHACHA20_POLY1305_SHA256", .tls13, .tls13, .chacha20Poly1305, .aead)
        assertSuite(0x1304, "TLS_AES_128_CCM_SHA256", .tls13, .tls13, .aes128CCM, .aead)
        assertSuite(0x1305, "TLS_AES_128_CCM_8_SHA256", .tls13, .tls13, .aes128CCM8, .aead)
        // RFC 9150 integrity-only suites: TLS 1.3, no cipher, not AEAD.
        assertSuite(0xc0b4, "TLS_SHA256_SHA256", .tls13, .tls13, .null, .sha256)
        assertSuite(0xc0b5, "TLS_SHA384_SHA384", .tls13, .tls13, .null, .sha384)
        for code: UInt16 in 0x1301...0x1305 {
            let info = CipherSuiteRegistry.info(code)
            XCTAssertEqual(info?.isTLS13, true)
            XCTAssertEqual(info?.isAEAD, true)
        }
        XCTAssertEqual(CipherSuiteRegistry.info(0xc0b4)?.isAEAD, false)
        XCTAssertEqual(CipherSuiteRegistry.info(0xc02f)?.isTLS13, false)
    }

    func testDerivedFlags() {
        let gcm = CipherSuiteRegistry.info(0xc02f)
        XCTAssertEqual(gcm?.isAEAD, true)
        XCTAssertEqual(gcm?.isSignalling, false)
        XCTAssertEqual(gcm?.isExport, false)
        let cbc = CipherSuiteRegistry.info(0xc013)
        XCTAssertEqual(cbc?.isAEAD, false)
        XCTAssertEqual(CipherSuiteRegistry.info(0x0003)?.isExport, true)
        XCTAssertEqual(CipherSuiteRegistry.info(0x0004)?.isExport, false)
        let exportSuites = CipherSuiteRegistry.all.filter(\.isExport)
        XCTAssertTrue(exportSuites.allSatisfy { $0.name.contains("_EXPORT") },
                      exportSuites.map(\.name).description)
        XCTAssertEqual(exportSuites.count,
                       CipherSuiteRegistry.all.filter { $0.name.contains("_EXPORT") }.count)
    }

    func testSignallingValues() {
        let renegotiation = CipherSuiteRegistry.info(0x00ff)
        XCTAssertEqual(renegotiation?.name, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
        XCTAssertEqual(renegotiation?.isSignalling, true)
        XCTAssertEqual(renegotiation?.isAEAD, false)
        XCTAssertEqual(renegotiation?.isTLS13, false)
        let fallback = CipherSuiteRegistry.info(0x5600)
        XCTAssertEqual(fallback?.name, "TLS_FALLBACK_SCSV")
        XCTAssertEqual(fallback?.isSignalling, true)
        XCTAssertEqual(CipherSuiteRegistry.all.filter(\.isSignalling).map(\.code), [0x00ff, 0x5600])
    }

    /// Suites whose parts the enums cannot name; tools/gen-tables.py keeps the
    /// same list (EXPECTED_UNKNOWN_PARTS) and refuses to generate if it changes.
    private static let suitesWithUnknownParts: Set<UInt16> = [
        0x001c,  // SSL_FORTEZZA_KEA_WITH_NULL_SHA: FORTEZZA KEA
        0x001d,  // SSL_FORTEZZA_KEA_WITH_FORTEZZA_CBC_SHA: FORTEZZA KEA and cipher
        0x00ff,  // TLS_EMPTY_RENEGOTIATION_INFO_SCSV: signalling, not a suite
        0x5600,  // TLS_FALLBACK_SCSV: signalling, not a suite
        0xc0ff,  // TLS_ECJPAKE_WITH_AES_128_CCM_8: EC-JPAKE key exchange
    ]

    func testEverySuiteHasKnownPartsExceptTheListedOnes() {
        var unknown = Set<UInt16>()
        for suite in CipherSuiteRegistry.all {
            let parts = [suite.keyExchange.rawValue, suite.authentication.rawValue,
                         suite.cipher.rawValue, suite.mac.rawValue]
            if parts.contains("unknown") { unknown.insert(suite.code) }
        }
        XCTAssertEqual(unknown, Self.suitesWithUnknownParts)
        XCTAssertGreaterThan(CipherSuiteRegistry.all.count, 300)
    }

    func testPartsAgreeWithTheNames() {
        for suite in CipherSuiteRegistry.all {
            let name = suite.name
            if name.contains("_anon_") { XCTAssertEqual(suite.authentication, .anonymous, name) }
            if suite.authentication == .anonymous { XCTAssertTrue(name.contains("_anon_"), name) }
            if name.contains("RC4") { XCTAssertTrue(suite.cipher.rawValue.hasPrefix("rc4"), name) }
            if name.contains("_GCM") { XCTAssertTrue(suite.isAEAD, name) }
            if name.hasSuffix("_MD5") { XCTAssertEqual(suite.mac, .md5, name) }
            if name.hasSuffix("_SHA") { XCTAssertEqual(suite.mac, .sha1, name) }
            if name.contains("3DES") { XCTAssertEqual(suite.cipher, .tripleDES, name) }
            if suite.isTLS13 { XCTAssertFalse(name.contains("_WITH_") && !name.contains("_MGM_"), name) }
        }
    }

    // MARK: - Other registries

    func testExtensionNames() {
        let expected: [UInt16: String] = [
            0: "server_name", 1: "max_fragment_length", 5: "status_request", 10: "supported_groups",
            11: "ec_point_formats", 13: "signature_algorithms", 15: "heartbeat",
            16: "application_layer_protocol_negotiation", 18: "signed_certificate_timestamp",
            21: "padding", 22: "encrypt_then_mac", 23: "extended_master_secret", 24: "token_binding",
            27: "compress_certificate", 28: "record_size_limit", 34: "delegated_credential",
            35: "session_ticket", 41: "pre_shared_key", 42: "early_data", 43: "supported_versions",
            44: "cookie", 45: "psk_key_exchange_modes", 49: "post_handshake_auth",
            50: "signature_algorithms_cert", 51: "key_share", 57: "quic_transport_parameters",
            0x3374: "next_protocol_negotiation", 0x4469: "application_settings",
            0x44cd: "application_settings_new", 0x7550: "channel_id", 0xfd00: "ech_outer_extensions",
            0xfe0d: "encrypted_client_hello", 0xff01: "renegotiation_info",
        ]
        for (code, name) in expected {
            XCTAssertEqual(TLSRegistry.extensionName(code), name, "extension \(code)")
        }
    }

    func testGroupNames() {
        let expected: [UInt16: String] = [
            0x0017: "secp256r1", 0x0018: "secp384r1", 0x0019: "secp521r1", 0x001d: "x25519",
            0x001e: "x448", 0x001a: "brainpoolP256r1", 0x0100: "ffdhe2048", 0x0104: "ffdhe8192",
            0x0200: "MLKEM512", 0x0201: "MLKEM768", 0x11eb: "SecP256r1MLKEM768",
            0x11ec: "X25519MLKEM768", 0x6399: "X25519Kyber768Draft00",
            0xff01: "arbitrary_explicit_prime_curves",
        ]
        for (code, name) in expected {
            XCTAssertEqual(TLSRegistry.groupName(code), name, "group \(code)")
        }
    }

    func testSignatureSchemeNames() {
        let expected: [UInt16: String] = [
            0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1", 0x0401: "rsa_pkcs1_sha256",
            0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384",
            0x0601: "rsa_pkcs1_sha512", 0x0804: "rsa_pss_rsae_sha256", 0x0806: "rsa_pss_rsae_sha512",
            0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
            // TLS 1.2 (hash, signature) pairs outside the SignatureScheme registry.
            0x0202: "dsa_sha1", 0x0402: "dsa_sha256", 0x0301: "rsa_pkcs1_sha224",
            0x0303: "ecdsa_sha224", 0x0101: "rsa_pkcs1_md5",
        ]
        for (code, name) in expected {
            XCTAssertEqual(TLSRegistry.signatureSchemeName(code), name, "scheme \(code)")
        }
    }

    func testAlertNames() {
        let expected: [UInt8: String] = [
            0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
            22: "record_overflow", 40: "handshake_failure", 42: "bad_certificate",
            45: "certificate_expired", 47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error",
            51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
            80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
            100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
            112: "unrecognized_name", 116: "certificate_required", 120: "no_application_protocol",
            121: "ech_required",
        ]
        for (code, name) in expected {
            XCTAssertEqual(TLSRegistry.alertName(code), name, "alert \(code)")
        }
        XCTAssertEqual(TLSRegistry.alertLevelName(1), "warning")
        XCTAssertEqual(TLSRegistry.alertLevelName(2), "fatal")
    }

    func testHandshakeTypeNames() {
        let expected: [UInt8: String] = [
            0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 3: "HelloVerifyRequest",
            4: "NewSessionTicket", 5: "EndOfEarlyData", 6: "HelloRetryRequest",
            8: "EncryptedExtensions", 11: "Certificate", 12: "ServerKeyExchange",
            13: "CertificateRequest", 14: "ServerHelloDone", 15: "CertificateVerify",
            16: "ClientKeyExchange", 20: "Finished", 21: "CertificateURL", 22: "CertificateStatus",
            23: "SupplementalData", 24: "KeyUpdate", 25: "CompressedCertificate",
            67: "NextProtocol", 254: "MessageHash",
        ]
        for (code, name) in expected {
            XCTAssertEqual(TLSRegistry.handshakeTypeName(code), name, "handshake type \(code)")
        }
    }

    func testSmallRegistries() {
        XCTAssertEqual(TLSRegistry.contentTypeName(20), "change_cipher_spec")
        XCTAssertEqual(TLSRegistry.contentTypeName(21), "alert")
        XCTAssertEqual(TLSRegistry.contentTypeName(22), "handshake")
        XCTAssertEqual(TLSRegistry.contentTypeName(23), "application_data")
        XCTAssertEqual(TLSRegistry.contentTypeName(24), "heartbeat")
        XCTAssertEqual(TLSRegistry.compressionMethodName(0), "null")
        XCTAssertEqual(TLSRegistry.compressionMethodName(1), "DEFLATE")
        XCTAssertEqual(TLSRegistry.compressionMethodName(64), "LZS")
        XCTAssertEqual(TLSRegistry.ecPointFormatName(0), "uncompressed")
        XCTAssertEqual(TLSRegistry.ecPointFormatName(1), "ansiX962_compressed_prime")
        XCTAssertEqual(TLSRegistry.ecPointFormatName(2), "ansiX962_compressed_char2")
        let certTypes: [UInt8: String] = [
            1: "rsa_sign", 2: "dss_sign", 3: "rsa_fixed_dh", 4: "dss_fixed_dh", 5: "rsa_ephemeral_dh",
            6: "dss_ephemeral_dh", 20: "fortezza_dms", 64: "ecdsa_sign", 65: "rsa_fixed_ecdh",
            66: "ecdsa_fixed_ecdh", 67: "gost_sign256", 68: "gost_sign512",
        ]
        for (code, name) in certTypes {
            XCTAssertEqual(TLSRegistry.clientCertificateTypeName(code), name, "cert type \(code)")
        }
    }

    func testSSLv2CipherKinds() {
        XCTAssertEqual(TLSRegistry.sslv2CipherKindName(0x010080), "SSL2_RC4_128_WITH_MD5")
        XCTAssertEqual(TLSRegistry.sslv2CipherKindName(0x020080), "SSL2_RC4_128_EXPORT40_WITH_MD5")
        XCTAssertEqual(TLSRegistry.sslv2CipherKindName(0x060040), "SSL2_DES_64_CBC_WITH_MD5")
        XCTAssertEqual(TLSRegistry.sslv2CipherKindName(0x0700c0), "SSL2_DES_192_EDE3_CBC_WITH_MD5")
        // TLS suites embedded in an SSLv2-compatible ClientHello.
        XCTAssertEqual(TLSRegistry.sslv2CipherKindName(0x000004), "TLS_RSA_WITH_RC4_128_MD5")
        XCTAssertEqual(TLSRegistry.sslv2CipherKindName(0x00c02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        XCTAssertEqual(TLSRegistry.sslv2CipherKindName(0x0000ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
        XCTAssertNil(TLSRegistry.sslv2CipherKindName(0x000a0a))
    }

    // MARK: - GREASE and versions

    func testGREASE() {
        let grease: [UInt16] = [0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
                                0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa]
        for value in grease {
            XCTAssertTrue(TLSRegistry.isGREASE(value), String(value, radix: 16))
            XCTAssertNil(CipherSuiteRegistry.info(value))
            XCTAssertNil(TLSRegistry.extensionName(value))
            XCTAssertNil(TLSRegistry.groupName(value))
        }
        var count = 0
        for value in UInt16.min...UInt16.max where TLSRegistry.isGREASE(value) { count += 1 }
        XCTAssertEqual(count, 16)
        for value: UInt16 in [0x0000, 0x0a1a, 0x1a0a, 0x0a0b, 0xfafb, 0x0b0b, 0xaaab, 0x5600, 0xff01] {
            XCTAssertFalse(TLSRegistry.isGREASE(value), String(value, radix: 16))
        }
    }

    func testVersionNames() {
        XCTAssertEqual(TLSRegistry.versionName(0x0002), "SSLv2")
        XCTAssertEqual(TLSRegistry.versionName(0x0300), "SSLv3")
        XCTAssertEqual(TLSRegistry.versionName(0x0301), "TLSv1.0")
        XCTAssertEqual(TLSRegistry.versionName(0x0302), "TLSv1.1")
        XCTAssertEqual(TLSRegistry.versionName(0x0303), "TLSv1.2")
        XCTAssertEqual(TLSRegistry.versionName(0x0304), "TLSv1.3")
        XCTAssertEqual(TLSRegistry.versionName(0x7f17), "TLSv1.3-draft23")
        XCTAssertEqual(TLSRegistry.versionName(0x7f0e), "TLSv1.3-draft14")
        XCTAssertEqual(TLSRegistry.versionName(0x7f1c), "TLSv1.3-draft28")
        XCTAssertEqual(TLSRegistry.versionName(0x7f00), "TLSv1.3-draft0")
        XCTAssertEqual(TLSRegistry.versionName(0x7e01), "0x7e01")
        XCTAssertEqual(TLSRegistry.versionName(0xfb1a), "TLSv1.3-draft26-fb")
        XCTAssertEqual(TLSRegistry.versionName(0xfb17), "TLSv1.3-draft23-fb")
        XCTAssertEqual(TLSRegistry.versionName(0x0a0a), "0x0a0a")
        XCTAssertEqual(TLSRegistry.versionName(0x0000), "0x0000")
        XCTAssertEqual(TLSRegistry.versionName(0x0200), "0x0200")
        XCTAssertEqual(TLSRegistry.versionName(0xfeff), "0xfeff")   // DTLS 1.0: not ours
        XCTAssertEqual(TLSRegistry.versionName(0x0305), "0x0305")
    }
}
