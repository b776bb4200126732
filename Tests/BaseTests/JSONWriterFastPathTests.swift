import XCTest
import TLSDumpBase

/// The writer's fast paths (pre-scanned plain ASCII, raw keys, hex codes) must give
/// exactly the bytes of the general escaping loop. Checked against a reference
/// escaper built on `String(decoding:)`, which defines the U+FFFD repair.
final class JSONWriterFastPathTests: XCTestCase {
    /// RFC 8259 escaping of a Swift string as the writer documents it.
    private func reference(_ s: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", scalar.value).utf8)
            case 0x2028: out += Array(#"\u2028"#.utf8)
            case 0x2029: out += Array(#"\u2029"#.utf8)
            default: out += Array(String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    private func written(bytes: [UInt8]) -> [UInt8] {
        var w = JSONWriter()
        bytes.withUnsafeBytes { w.string(bytes: $0) }
        return w.buffer
    }

    private func written(_ s: String) -> [UInt8] {
        var w = JSONWriter()
        w.string(s)
        return w.buffer
    }

    /// Plain strings of every length around the storage's growth points, from
    /// the smallest storage (64 bytes): the same bytes as the reference.
    func testPlainStringsAroundTheShortRunLimit() {
        for length in [0, 1, 7, 8, 64, 123, 124, 125, 126, 127, 200, 5000] {
            let plain = String(repeating: "a", count: length)
            XCTAssertEqual(written(plain), reference(plain), "length \(length)")
            var w = JSONWriter(reservingCapacity: 0)
            w.beginObject(); w.key("k"); w.string(plain); w.key("n"); w.int(length); w.endObject()
            XCTAssertEqual(String(decoding: w.buffer, as: UTF8.self), "{\"k\":\"\(plain)\",\"n\":\(length)}")
        }
    }

    func testAttentionByteAtEveryPositionAroundWordBoundaries() {
        // One byte needing escape or UTF-8 handling at each offset of a plain run, so the
        // eight-byte scan must stop at it whichever word it falls in.
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x00], [0x1F], [0x0A], [0xC3, 0xA9], [0xE2, 0x80, 0xA8], [0xFF], [0x80]]
        for length in 0..<26 {
            for position in 0...length {
                for special in specials {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                    bytes.insert(contentsOf: special, at: position)
                    let expected = reference(String(decoding: bytes, as: UTF8.self))
                    XCTAssertEqual(written(bytes: bytes), expected, "length \(length) position \(position) \(special)")
                }
            }
        }
    }

    func testPlainASCIIOfEveryLengthIsCopiedVerbatim() {
        let printable = (UInt8(0x20)...0x7E).filter { $0 != 0x22 && $0 != 0x5C }
        for length in 0..<40 {
            let bytes = (0..<length).map { printable[$0 * 7 % printable.count] }
            XCTAssertEqual(written(bytes: bytes), [0x22] + bytes + [0x22])
            XCTAssertEqual(written(String(decoding: bytes, as: UTF8.self)), [0x22] + bytes + [0x22])
        }
        // DEL is legal in JSON strings and copied, like every byte from 0x20 up.
        XCTAssertEqual(written(bytes: [0x7F, 0x41]), [0x22, 0x7F, 0x41, 0x22])
    }

    func testRandomBytesMatchReferenceRepair() {
        // Biased towards bytes that matter: ASCII, specials, lead and continuation bytes.
        let palette: [UInt8] = [0x41, 0x20, 0x7E, 0x7F, 0x22, 0x5C, 0x00, 0x09, 0x1F, 0x80, 0xBF, 0xA8, 0xA9,
                                0xC2, 0xC3, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<48, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? palette.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let repaired = String(decoding: bytes, as: UTF8.self)
            XCTAssertEqual(written(bytes: bytes), reference(repaired), "\(bytes)")
            XCTAssertEqual(written(repaired), reference(repaired), "\(bytes)")
        }
    }

    func testStaticKeysAreQuotedAndEscapedWhenNeeded() {
        var w = JSONWriter()
        w.beginObject()
        w.key("plain_key"); w.int(1)
        w.key("needs \"escape\"\n"); w.int(2)
        w.key("é"); w.int(3)
        w.endObject()
        XCTAssertEqual(String(decoding: w.buffer, as: UTF8.self), #"{"plain_key":1,"needs \"escape\"\n":2,"é":3}"#)
    }

    func testHexCodeMatchesHexNumber() {
        let values: [UInt64] = [0, 1, 0x4, 0xff, 0x1301, 0xc02b, 0xffff, 0x10080, 0x123456, 0xdead_beef, UInt64.max]
        for value in values {
            for digits in [0, 1, 2, 4, 6, 8] {
                var w = JSONWriter()
                w.hexCode(value, digits: digits)
                XCTAssertEqual(String(decoding: w.buffer, as: UTF8.self), "\"" + hexNumber(value, digits: digits) + "\"",
                               "\(value) \(digits)")
            }
        }
    }

    func testRawBytesGetCommasLikeAnyValue() {
        let fragment = Array(#"{"a":1}"#.utf8)
        var w = JSONWriter()
        w.beginArray()
        fragment.withUnsafeBufferPointer { w.raw(bytes: $0) }
        w.int(2)
        fragment.withUnsafeBufferPointer { w.raw(bytes: $0) }
        w.endArray()
        w.endLine()
        w.beginObject()
        w.key("k")
        fragment.withUnsafeBufferPointer { w.raw(bytes: $0) }
        w.endObject()
        XCTAssertEqual(String(decoding: w.buffer, as: UTF8.self), "[{\"a\":1},2,{\"a\":1}]\n{\"k\":{\"a\":1}}")
    }
}
