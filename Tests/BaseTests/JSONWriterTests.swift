import Foundation
import XCTest
import TLSDumpBase

final class JSONWriterTests: XCTestCase {
    private func text(_ w: JSONWriter) -> String { String(decoding: w.buffer, as: UTF8.self) }

    /// Parses one JSON document with Foundation; fails the test if invalid.
    private func parse(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Any? {
        do {
            return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            XCTFail("invalid JSON \(String(decoding: bytes, as: UTF8.self)): \(error)", file: file, line: line)
            return nil
        }
    }

    private func encoded(_ s: String) -> String {
        var w = JSONWriter()
        w.string(s)
        return text(w)
    }

    private func encoded(bytes: [UInt8]) -> [UInt8] {
        var w = JSONWriter()
        bytes.withUnsafeBytes { w.string(bytes: $0) }
        return w.buffer
    }

    // MARK: Escaping

    func testEveryControlCharacterIsEscaped() {
        let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        for c in UInt8(0)..<0x20 {
            let expected = short[c] ?? "\\u00" + String(format: "%02x", c)
            let out = encoded(String(decoding: [c], as: UTF8.self))
            XCTAssertEqual(out, "\"" + expected + "\"", "byte \(c)")
            XCTAssertEqual(parse(Array(out.utf8)) as? String, String(decoding: [c], as: UTF8.self))
        }
    }

    func testQuoteBackslashDelAndSlash() {
        XCTAssertEqual(encoded("a\"b\\c"), #""a\"b\\c""#)
        XCTAssertEqual(encoded("\u{7F}/"), "\"\u{7F}/\"")
        XCTAssertEqual(encoded(""), "\"\"")
    }

    func testLineAndParagraphSeparatorsAreEscaped() {
        let out = encoded("x\u{2028}y\u{2029}z")
        XCTAssertEqual(out, #""x\u2028y\u2029z""#)
        XCTAssertEqual(parse(Array(out.utf8)) as? String, "x\u{2028}y\u{2029}z")
        // Same through the byte path.
        XCTAssertEqual(encoded(bytes: Array("\u{2028}".utf8)), Array(#""\u2028""#.utf8))
    }

    func testNonASCIIPassesThrough() {
        let s = "héllo ✓ 𝄞 日本"
        let out = encoded(s)
        XCTAssertEqual(out, "\"" + s + "\"")
        XCTAssertEqual(parse(Array(out.utf8)) as? String, s)
    }

    func testAllAsciiRoundTrips() {
        let s = String(decoding: Array(UInt8(0)..<0x80), as: UTF8.self)
        XCTAssertEqual(parse(Array(encoded(s).utf8)) as? String, s)
    }

    // MARK: Invalid UTF-8 through string(bytes:)

    func testInvalidUTF8BecomesReplacementCharacters() {
        let cases: [(String, [UInt8], String)] = [
            ("lone 0xFF", [0x61, 0xFF, 0x62], "a\u{FFFD}b"),
            ("lone continuation", [0x80], "\u{FFFD}"),
            ("truncated 2-byte at end", [0x61, 0xC3], "a\u{FFFD}"),
            ("truncated 3-byte before ascii", [0xE2, 0x82, 0x41], "\u{FFFD}A"),
            ("truncated 4-byte", [0xF0, 0x9F, 0x98], "\u{FFFD}"),
            ("overlong 2-byte slash", [0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),
            ("overlong 3-byte", [0xE0, 0x80, 0xAF], "\u{FFFD}\u{FFFD}\u{FFFD}"),
            ("surrogate D800", [0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),
            ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
            ("F5 lead", [0xF5, 0x80], "\u{FFFD}\u{FFFD}"),
            ("quote after bad lead", [0xC3, 0x22], "\u{FFFD}\""),
            ("valid 4-byte", [0xF0, 0x9F, 0x98, 0x80], "\u{1F600}"),
        ]
        for (name, input, expected) in cases {
            let out = encoded(bytes: input)
            XCTAssertNotNil(String(validating: out, as: UTF8.self), name)
            XCTAssertEqual(parse(out) as? String, expected, name)
            // Same repair as the standard library's decoder.
            XCTAssertEqual(out, Array(encoded(String(decoding: input, as: UTF8.self)).utf8), name)
        }
    }

    func testRandomBytesAlwaysGiveValidJSONMatchingStdlibRepair() {
        var rng = SystemRandomNumberGenerator()
        // Biased toward bytes that matter: controls, quote, backslash, leads, continuations.
        let interesting: [UInt8] = [0x00, 0x1F, 0x22, 0x5C, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0,
                                    0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x8F, 0x90, 0x41]
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...12, using: &rng)
            let input = (0..<count).map { _ in
                Bool.random(using: &rng) ? interesting.randomElement(using: &rng) ?? 0 : UInt8.random(in: 0...255, using: &rng)
            }
            let out = encoded(bytes: input)
            let expected = String(decoding: input, as: UTF8.self)
            XCTAssertEqual(out, Array(encoded(expected).utf8), "\(input)")
            XCTAssertEqual(parse(out) as? String, expected, "\(input)")
        }
    }

    // MARK: Structure and commas

    func testNestedObjectsInArraysInObjects() {
        var w = JSONWriter()
        w.beginObject()
        w.key("a"); w.int(1)
        w.key("list")
        w.beginArray()
        w.beginObject(); w.key("x"); w.bool(true); w.key("y"); w.null(); w.endObject()
        w.beginObject(); w.endObject()
        w.beginArray(); w.int(1); w.int(2); w.endArray()
        w.string("s")
        w.endArray()
        w.key("o"); w.beginObject(); w.key("inner"); w.beginArray(); w.endArray(); w.endObject()
        w.dynamicKey("dyn\"key"); w.string(nil as String?)
        w.endObject()
        XCTAssertEqual(text(w),
                       #"{"a":1,"list":[{"x":true,"y":null},{},[1,2],"s"],"o":{"inner":[]},"dyn\"key":null}"#)
        let obj = parse(w.buffer) as? [String: Any]
        XCTAssertEqual(obj?["a"] as? Int, 1)
        XCTAssertEqual((obj?["list"] as? [Any])?.count, 4)
    }

    func testEndLineResetsStateAndProducesNDJSON() {
        var w = JSONWriter()
        for i in 0..<3 {
            w.beginObject(); w.field("i", i); w.field("missing", nil as String?); w.field("ok", true); w.endObject()
            w.endLine()
        }
        XCTAssertEqual(text(w), "{\"i\":0,\"ok\":true}\n{\"i\":1,\"ok\":true}\n{\"i\":2,\"ok\":true}\n")
        // A line abandoned mid-object does not leak comma state into the next one.
        w.removeAll()
        w.beginObject(); w.key("a"); w.beginArray(); w.int(1)
        w.removeAll()
        XCTAssertTrue(w.buffer.isEmpty)
        w.beginObject(); w.field("b", 2); w.endObject(); w.endLine()
        XCTAssertEqual(text(w), "{\"b\":2}\n")
    }

    func testDeepNestingBeyondTrackedDepthStillHasCommas() {
        var w = JSONWriter()
        for _ in 0..<100 { w.beginArray(); w.int(7) }
        for _ in 0..<100 { w.int(8); w.endArray() }
        let parsed = parse(w.buffer)
        XCTAssertNotNil(parsed)
        XCTAssertEqual((parsed as? [Any])?.first as? Int, 7)
    }

    func testKeyWithoutValueStillProducesValidJSON() {
        var w = JSONWriter()
        w.beginObject(); w.key("dangling"); w.endObject()
        XCTAssertEqual(text(w), #"{"dangling":null}"#)
    }

    func testFieldsAndRawAndHex() {
        var w = JSONWriter()
        w.beginObject()
        w.field("s", "v")
        w.field("n", -5)
        w.field("u", UInt64.max)
        w.field("d", 1.25)
        w.field("nil", nil as Int?)
        w.key("raw"); w.raw(#"{"k":[1]}"#)
        w.key("hex"); w.hex([0x00, 0xAB, 0xFF])
        [UInt8](arrayLiteral: 0x61, 0xFF).withUnsafeBytes { w.field("b", bytes: $0) }
        w.field("t", Timestamp(nanoseconds: 0))
        w.endObject()
        XCTAssertEqual(text(w),
                       #"{"s":"v","n":-5,"u":18446744073709551615,"d":1.25,"raw":{"k":[1]},"hex":"00abff","b":"a\#u{FFFD}","t":"1970-01-01T00:00:00.000000Z"}"#)
        XCTAssertNotNil(parse(w.buffer))
    }

    // MARK: Numbers

    func testIntegers() {
        var w = JSONWriter()
        w.beginArray()
        w.int(0); w.int(-1); w.int(Int.max); w.int(Int.min); w.int(nil as Int?); w.uint64(0); w.uint64(10)
        w.bool(false); w.bool(nil as Bool?)
        w.endArray()
        XCTAssertEqual(text(w), "[0,-1,9223372036854775807,-9223372036854775808,null,0,10,false,null]")
    }

    func testDoubles() {
        func d(_ v: Double, _ digits: Int = 3) -> String {
            var w = JSONWriter()
            w.double(v, fractionDigits: digits)
            return text(w)
        }
        XCTAssertEqual(d(0), "0")
        XCTAssertEqual(d(-0.0), "0")
        XCTAssertEqual(d(2), "2")
        XCTAssertEqual(d(2.5), "2.5")
        XCTAssertEqual(d(0.1), "0.1")
        XCTAssertEqual(d(0.001), "0.001")
        XCTAssertEqual(d(0.0004), "0")
        XCTAssertEqual(d(-0.0004), "0")
        XCTAssertEqual(d(0.0005), "0.001")
        XCTAssertEqual(d(-12.3456), "-12.346")
        XCTAssertEqual(d(1.05, 1), "1.1")
        XCTAssertEqual(d(123.456, 0), "123")
        XCTAssertEqual(d(1.000001, 6), "1.000001")
        XCTAssertEqual(d(0.000123, 9), "0.000123")
        XCTAssertEqual(d(1e15), "1000000000000000")
        XCTAssertEqual(d(-1e17), "-100000000000000000")
        XCTAssertEqual(d(.nan), "null")
        XCTAssertEqual(d(.infinity), "null")
        XCTAssertEqual(d(-.infinity), "null")
        XCTAssertEqual(d(1.5, 42), "1.5")   // digits clamped to 9
        XCTAssertEqual(d(1.5, -3), "2")     // digits clamped to 0
        // Whatever the magnitude, the output is a valid JSON number equal to the input (within precision).
        for v in [1e300, -1e20, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, 123456.789] {
            let out = Array(d(v).utf8)
            let parsed = parse(out) as? NSNumber
            XCTAssertNotNil(parsed, d(v))
            if v.magnitude >= 1 { XCTAssertEqual(parsed?.doubleValue ?? 0, v, accuracy: v.magnitude * 1e-9) }
        }
    }

    func testBufferIsReusedWithoutShrinking() {
        var w = JSONWriter(reservingCapacity: 1024)
        w.string(String(repeating: "x", count: 500))
        let capacity = w.capacity
        w.removeAll()
        XCTAssertEqual(w.capacity, capacity)
        XCTAssertGreaterThanOrEqual(capacity, 1024)
        XCTAssertTrue(w.isEmpty)
        XCTAssertEqual(w.buffer, [])
    }

    /// The storage doubles from its smallest size while values are written
    /// across every growth point; the bytes stay those of a fresh writer.
    func testGrowthFromTheSmallestStorageKeepsEveryByte() {
        var small = JSONWriter(reservingCapacity: 0)
        var expected = ""
        small.beginArray()
        expected += "["
        for i in 0..<2_000 {
            let text = String(repeating: "ab", count: i % 40)
            small.string(text)
            small.int(i)
            small.timestamp(Timestamp(nanoseconds: Int64(i) * 1_000_000_123))
            expected += (i == 0 ? "" : ",") + "\"\(text)\",\(i),\"\(RFC3339.string(Timestamp(nanoseconds: Int64(i) * 1_000_000_123)))\""
        }
        small.endArray()
        expected += "]"
        XCTAssertEqual(String(decoding: small.buffer, as: UTF8.self), expected)
        XCTAssertEqual(small.count, expected.utf8.count)
        XCTAssertGreaterThanOrEqual(small.capacity, small.count)
        small.withBytes { XCTAssertEqual(Array($0), Array(expected.utf8)) }
        small.removeAll(keepingCapacity: false)
        XCTAssertEqual(small.capacity, 64)
    }
}
