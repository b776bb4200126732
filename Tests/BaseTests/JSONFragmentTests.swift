import XCTest
import TLSDumpBase
import TLSDumpTLS
@testable import TLSDumpOutput

/// Pre-rendered table fragments must be byte-identical to rendering each entry
/// per event, for every code (registered, GREASE and unknown alike).
final class JSONFragmentTests: XCTestCase {
    private func render(_ body: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        body(&w)
        return String(decoding: w.buffer, as: UTF8.self)
    }

    func testCipherSuiteObjectsMatchPerEventRendering() {
        XCTAssertGreaterThan(JSONFragments.cipherSuiteObjects.count, 300)
        for code in 0...UInt16.max {
            let fast = render { JSONEventWriter.cipherSuite(code, &$0) }
            let slow = render { w in
                w.beginObject()
                w.key("code"); w.string(hexNumber(code, digits: 4))
                w.key("name"); w.string(TLSRegistry.isGREASE(code) ? "GREASE" : CipherSuiteRegistry.name(code))
                w.endObject()
            }
            XCTAssertEqual(fast, slow, "code \(code)")
        }
        XCTAssertEqual(render { JSONEventWriter.cipherSuite(0x0004, &$0) }, #"{"code":"0x0004","name":"TLS_RSA_WITH_RC4_128_MD5"}"#)
        XCTAssertEqual(render { JSONEventWriter.cipherSuite(0x0a0a, &$0) }, #"{"code":"0x0a0a","name":"GREASE"}"#)
        XCTAssertNil(CipherSuiteRegistry.name(0x4242))
        XCTAssertEqual(render { JSONEventWriter.cipherSuite(0x4242, &$0) }, #"{"code":"0x4242","name":null}"#)
        XCTAssertEqual(render { JSONEventWriter.cipherSuite(nil, &$0) }, "null")
    }

    func testNameListsMatchPerEventRendering() {
        for code in 0...UInt16.max {
            XCTAssertEqual(render { JSONEventWriter.extensionArray([code], &$0) },
                           render { JSONEventWriter.stringArray([Naming.extensionName(code)], &$0) }, "extension \(code)")
            XCTAssertEqual(render { JSONEventWriter.signatureSchemeArray([code], &$0) },
                           render { JSONEventWriter.stringArray([Naming.signatureSchemeName(code)], &$0) }, "scheme \(code)")
            let ecsName = CipherSuiteRegistry.name(code) ?? hexNumber(code, digits: 4)
            var w = JSONWriter()
            if !JSONFragments.cipherSuiteNames.write(UInt32(code), into: &w) { w.hexCode(UInt64(code), digits: 4) }
            XCTAssertEqual(String(decoding: w.buffer, as: UTF8.self), render { $0.string(ecsName) }, "ECS suite \(code)")
        }
        for code in 0...UInt16.max where code % 7 == 0 || TLSRegistry.groupName(code) != nil || TLSRegistry.isGREASE(code) {
            var w = JSONWriter()
            if !JSONFragments.groupNames.write(UInt32(code), into: &w) { w.string(Naming.groupName(code)) }
            XCTAssertEqual(String(decoding: w.buffer, as: UTF8.self), render { $0.string(Naming.groupName(code)) }, "group \(code)")
        }
        XCTAssertEqual(render { JSONEventWriter.extensionArray([0, 0x1a1a, 0xfff0], &$0) }, #"["server_name","GREASE","unknown_65520"]"#)
    }

    func testSSLv2KindsAndSessionIDs() {
        XCTAssertEqual(render { JSONEventWriter.sslv2CipherKind(0x010080, &$0) }, #"{"code":"0x010080","name":"SSL2_RC4_128_WITH_MD5"}"#)
        XCTAssertEqual(render { JSONEventWriter.sessionID([], &$0) }, "null")
        XCTAssertEqual(render { JSONEventWriter.sessionID([0x00, 0xab, 0xff], &$0) }, #""00abff""#)
        XCTAssertEqual(render { JSONEventWriter.compressionArray([0, 1, 99], &$0) }, #"["null","DEFLATE","99"]"#)
    }
}
