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
    static func format(_ bytes: [UInt8], name: X509DERElement) throws(X509ParseFailure) -> Result {
        guard name.identifier == X509DERTag.sequence else { throw X509ParseFailure("name is not a SEQUENCE") }
        var rdns = X509DERReader(bytes: bytes, contentOf: name)
        var renderedRDNs: [String] = []
        var commonNames: [String] = []
        while !rdns.isAtEnd {
            let rdn = try rdns.read(expecting: X509DERTag.set, "relative distinguished name")
            var attributes = rdns.children(of: rdn)
            var rendered: [String] = []
            while !attributes.isAtEnd {
                let attribute = try attributes.read(expecting: X509DERTag.sequence, "attribute")
                var fields = attributes.children(of: attribute)
                let typeElement = try fields.read(expecting: X509DERTag.objectIdentifier, "attribute type")
                let value = try fields.read()
                guard let oid = X509DERValue.objectIdentifier(bytes, typeElement.content) else {
                    throw X509ParseFailure("malformed attribute type")
                }
                let decoded = X509AttributeValueDecoder.string(bytes, value)
                if oid == X509OIDTables.commonNameOID, let decoded { commonNames.append(decoded) }
                if let name = X509OIDTables.attributeNames[oid], let decoded {
                    rendered.append(name + "=" + escape(decoded))
                } else {
                    let typeName = X509OIDTables.attributeNames[oid] ?? oid
                    rendered.append(typeName + "=#" + X509Hex.string(bytes[value.encoded], uppercase: true))
                }
            }
            renderedRDNs.append(rendered.joined(separator: "+"))
        }
        return Result(text: renderedRDNs.reversed().joined(separator: ","), commonNames: commonNames)
    }

    /// RFC 4514 section 2.4 escaping of an attribute value.
    static func escape(_ value: String) -> String {
        let utf8 = Array(value.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 8)
        for (index, b) in utf8.enumerated() {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
                 UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "#") where index == 0:
                out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: " ") where index == 0 || index == utf8.count - 1:
                out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x00..<0x20, 0x7F:
                out.append(UInt8(ascii: "\\"))
                out.append(contentsOf: X509Hex.byte(b).utf8)
            default:
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
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

    static func strictUTF8(_ content: ArraySlice<UInt8>) -> String? {
        var iterator = content.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): scalars.append(s)
            case .emptyInput: return String(scalars)
            case .error: return nil
            }
        }
    }

    static func latin1(_ content: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for b in content { scalars.append(Unicode.Scalar(b)) }
        return String(scalars)
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
