/// Renders a DER `Name` as an RFC 4514 string.
///
/// We do not use swift-certificates' `DistinguishedName.description`: it names
/// emailAddress `E`, prints non-string values in a debug form instead of
/// `#hex`, and leaves NUL and control characters unescaped.
///
/// Rules (RFC 4514 section 2):
/// - RDNs in reverse order of the DER SEQUENCE, separated by `,`; the
///   attributes of a multi-valued RDN joined by `+`, in their DER order.
/// - Attribute types from `X509OIDTables.attributeNames`; other types as the
///   dotted OID, whose value is then always `#` + hex of its DER encoding.
/// - String values (UTF8, Printable, IA5, Teletex, BMP, Universal, ...) as
///   UTF-8 text; a value that does not decode, or is not a string type, as `#hex`.
/// - `\` escapes `"+,;<>\`, a leading `#` or space, and a trailing space;
///   NUL and other control characters become `\XX` hex pairs.
struct X509DistinguishedNameFormatter {
    struct Result {
        var text: String
        /// Decoded (unescaped) commonName values, in DER order.
        var commonNames: [String]
    }

    /// `name` must be the SEQUENCE element of a Name inside `bytes`.
    ///
    /// Everything is appended as UTF-8 into one buffer (no String per attribute):
    /// RDNs are rendered in DER order into `rendered`, then copied out in reverse.
    static func format(_ bytes: [UInt8], name: X509DERElement) throws(X509ParseFailure) -> Result {
        guard name.identifier == X509DERTag.sequence else { throw X509ParseFailure("name is not a SEQUENCE") }
        var rdns = X509DERReader(bytes: bytes, contentOf: name)
        var rendered: [UInt8] = []
        rendered.reserveCapacity(name.contentLength + 16)
        var rdnEnds: [Int] = []
        var commonNames: [String] = []
        var decoded: [UInt8] = []   // one attribute value as UTF-8, reused
        while !rdns.isAtEnd {
            let rdn = try rdns.read(expecting: X509DERTag.set, "relative distinguished name")
            var attributes = rdns.children(of: rdn)
            var firstInRDN = true
            while !attributes.isAtEnd {
                let attribute = try attributes.read(expecting: X509DERTag.sequence, "attribute")
                var fields = attributes.children(of: attribute)
                let typeElement = try fields.read(expecting: X509DERTag.objectIdentifier, "attribute type")
                let value = try fields.read()
                // Registered types by their DER bytes; anything else through the dotted text.
                let typeName: String?
                let dotted: String?
                let isCommonName: Bool
                if let known = X509OIDTables.attributeNamesByContent[bytes[typeElement.content]] {
                    typeName = known
                    dotted = nil
                    isCommonName = bytes[typeElement.content].elementsEqual(X509OIDTables.commonNameContent)
                } else {
                    guard let oid = X509DERValue.objectIdentifier(bytes, typeElement.content) else {
                        throw X509ParseFailure("malformed attribute type")
                    }
                    typeName = X509OIDTables.attributeNames[oid]
                    dotted = oid
                    isCommonName = oid == X509OIDTables.commonNameOID
                }
                decoded.removeAll(keepingCapacity: true)
                let decodes = X509AttributeValueDecoder.appendUTF8(bytes, value, to: &decoded)
                if isCommonName && decodes { commonNames.append(String(decoding: decoded, as: UTF8.self)) }
                if !firstInRDN { rendered.append(UInt8(ascii: "+")) }
                firstInRDN = false
                if let typeName, decodes {
                    rendered.append(contentsOf: typeName.utf8)
                    rendered.append(UInt8(ascii: "="))
                    appendEscaped(decoded, to: &rendered)
                } else {
                    rendered.append(contentsOf: (typeName ?? dotted ?? "").utf8)
                    rendered.append(UInt8(ascii: "="))
                    rendered.append(UInt8(ascii: "#"))
                    X509Hex.append(bytes[value.encoded], uppercase: true, to: &rendered)
                }
            }
            rdnEnds.append(rendered.count)
        }
        var text: [UInt8] = []
        text.reserveCapacity(rendered.count + rdnEnds.count)
        var index = rdnEnds.count - 1
        while index >= 0 {
            let start = index == 0 ? 0 : rdnEnds[index - 1]
            text.append(contentsOf: rendered[start..<rdnEnds[index]])
            if index > 0 { text.append(UInt8(ascii: ",")) }
            index -= 1
        }
        return Result(text: String(decoding: text, as: UTF8.self), commonNames: commonNames)
    }

    /// RFC 4514 section 2.4 escaping of an attribute value.
    static func escape(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 8)
        appendEscaped(Array(value.utf8), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `escape` on the UTF-8 bytes of a value, appended to `out`.
    static func appendEscaped(_ utf8: [UInt8], to out: inout [UInt8]) {
        let last = utf8.count - 1
        for (index, b) in utf8.enumerated() {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
                 UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "#") where index == 0:
                out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: " ") where index == 0 || index == last:
                out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x00..<0x20, 0x7F:
                out.append(UInt8(ascii: "\\"))
                X509Hex.append(CollectionOfOne(b), uppercase: true, to: &out)
            default:
                out.append(b)
            }
        }
    }
}

/// Decodes the ASN.1 string types used in names to Swift strings.
enum X509AttributeValueDecoder {
    /// The text of a string-typed value, or nil for non-string types and
    /// encodings that do not decode (the caller then shows `#hex`).
    static func string(_ bytes: [UInt8], _ value: X509DERElement) -> String? {
        let content = bytes[value.content]
        switch value.identifier {
        case X509DERTag.utf8String:
            return strictUTF8(content)
        case X509DERTag.printableString, X509DERTag.ia5String, X509DERTag.visibleString, X509DERTag.numericString,
             X509DERTag.teletexString, X509DERTag.videotexString, X509DERTag.graphicString, X509DERTag.generalString:
            // These are ASCII or T.61 in theory; in practice CAs put UTF-8 or
            // Latin-1 in them (OpenSSL reads T61String as Latin-1). Prefer UTF-8
            // when the bytes are valid UTF-8, else map each byte to U+00XX.
            return strictUTF8(content) ?? latin1(content)
        case X509DERTag.bmpString:
            return utf16BE(content)
        case X509DERTag.universalString:
            return utf32BE(content)
        default:
            return nil
        }
    }

    /// `string(bytes, value)` as UTF-8 appended to `out`; false (and `out`
    /// unchanged) where `string` gives nil. No String for the common types.
    static func appendUTF8(_ bytes: [UInt8], _ value: X509DERElement, to out: inout [UInt8]) -> Bool {
        let content = bytes[value.content]
        switch value.identifier {
        case X509DERTag.utf8String:
            guard X509UTF8.isWellFormed(content) else { return false }
            out.append(contentsOf: content)
            return true
        case X509DERTag.printableString, X509DERTag.ia5String, X509DERTag.visibleString, X509DERTag.numericString,
             X509DERTag.teletexString, X509DERTag.videotexString, X509DERTag.graphicString, X509DERTag.generalString:
            if X509UTF8.isWellFormed(content) {
                out.append(contentsOf: content)
            } else {
                // Latin-1: U+0080...U+00FF as two UTF-8 bytes.
                for b in content {
                    if b < 0x80 {
                        out.append(b)
                    } else {
                        out.append(0xC0 | b >> 6)
                        out.append(0x80 | b & 0x3F)
                    }
                }
            }
            return true
        default:
            guard let text = string(bytes, value) else { return false }
            out.append(contentsOf: text.utf8)
            return true
        }
    }

    static func strictUTF8(_ content: ArraySlice<UInt8>) -> String? {
        X509UTF8.isWellFormed(content) ? String(decoding: content, as: UTF8.self) : nil
    }

    static func latin1(_ content: ArraySlice<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(content.count * 2)
        for b in content {
            if b < 0x80 {
                utf8.append(b)
            } else {
                utf8.append(0xC0 | b >> 6)
                utf8.append(0x80 | b & 0x3F)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    static func utf16BE(_ content: ArraySlice<UInt8>) -> String? {
        guard content.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(content.count / 2)
        var index = content.startIndex
        while index < content.endIndex {
            units.append(UInt16(content[index]) << 8 | UInt16(content[index + 1]))
            index += 2
        }
        var iterator = units.makeIterator()
        var decoder = UTF16()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): scalars.append(s)
            case .emptyInput: return String(scalars)
            case .error: return nil
            }
        }
    }

    static func utf32BE(_ content: ArraySlice<UInt8>) -> String? {
        guard content.count % 4 == 0 else { return nil }
        var scalars = String.UnicodeScalarView()
        var index = content.startIndex
        while index < content.endIndex {
            var value: UInt32 = 0
            for i in 0..<4 { value = value << 8 | UInt32(content[index + i]) }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            scalars.append(scalar)
            index += 4
        }
        return String(scalars)
    }
}

/// UTF-8 well-formedness (Unicode Table 3-7): what `UTF8` decoding accepts
/// without error, so `String(decoding:)` of accepted bytes repairs nothing.
enum X509UTF8 {
    static func isWellFormed(_ content: ArraySlice<UInt8>) -> Bool {
        content.withUnsafeBufferPointer { isWellFormed($0) }
    }

    static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        var i = 0
        while i < n {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard n - i >= length else { return false }
            let second = bytes[i + 1]
            guard second >= low && second <= high else { return false }
            var k = 2
            while k < length {
                guard bytes[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += length
        }
        return true
    }
}
