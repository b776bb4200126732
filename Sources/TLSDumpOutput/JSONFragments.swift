import TLSDumpBase
import TLSDumpTLS

/// JSON bytes for registry entries, rendered once (on first use, thread-safely by
/// `static let`) through the same writer calls as the slow path, so the output is
/// byte-for-byte what per-event rendering would give. Immutable once built.
enum JSONFragments {
    /// `{"code":"0x0004","name":"TLS_RSA_WITH_RC4_128_MD5"}` for every registered
    /// suite, and `..."name":"GREASE"}` for the GREASE values.
    static let cipherSuiteObjects: JSONFragmentTable = {
        var codes = CipherSuiteRegistry.all.map(\.code)
        codes += TLSRegistry.greaseValues
        return JSONFragmentTable(codes.map(UInt32.init)) { code, w in
            let suite = UInt16(truncatingIfNeeded: code)
            w.beginObject()
            w.key("code"); w.string(Naming.hex4(suite))
            w.key("name"); w.string(TLSRegistry.isGREASE(suite) ? "GREASE" : Naming.cipherSuiteName(suite))
            w.endObject()
        }
    }()

    /// `"TLS_RSA_WITH_RC4_128_MD5"` for every registered suite (ECS `supported_ciphers`).
    static let cipherSuiteNames: JSONFragmentTable = {
        JSONFragmentTable(CipherSuiteRegistry.all.map { UInt32($0.code) }) { code, w in
            let suite = UInt16(truncatingIfNeeded: code)
            w.string(Naming.cipherSuiteName(suite) ?? Naming.hex4(suite))
        }
    }()

    static let extensionNames: JSONFragmentTable = names(TLSRegistry.extensionTypes.map(\.code), Naming.extensionName)
    static let groupNames: JSONFragmentTable = names(TLSRegistry.groups.map(\.code), Naming.groupName)
    static let signatureSchemeNames: JSONFragmentTable = names(TLSRegistry.signatureSchemes.map(\.code), Naming.signatureSchemeName)

    /// Quoted names of the registered codes and the GREASE values.
    private static func names(_ registered: [UInt16], _ name: @escaping (UInt16) -> String) -> JSONFragmentTable {
        JSONFragmentTable((registered + TLSRegistry.greaseValues).map(UInt32.init)) { code, w in
            w.string(name(UInt16(truncatingIfNeeded: code)))
        }
    }
}

/// Pre-encoded JSON values keyed by a numeric code: one contiguous byte store,
/// binary-searched (a few hundred entries, no hashing, no allocation per lookup).
struct JSONFragmentTable: Sendable {
    private let codes: [UInt32]
    /// `ends[i]` is where fragment `i` ends in `storage`; it starts at `ends[i - 1]` (or 0).
    private let ends: [Int]
    private let storage: [UInt8]

    init(_ codes: [UInt32], render: (UInt32, inout JSONWriter) -> Void) {
        let sorted = Array(Set(codes)).sorted()
        var storage: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(sorted.count)
        var w = JSONWriter(reservingCapacity: 128)
        for code in sorted {
            w.removeAll()
            render(code, &w)
            w.withBytes { storage.append(contentsOf: $0) }
            ends.append(storage.count)
        }
        self.codes = sorted
        self.ends = ends
        self.storage = storage
    }

    var count: Int { codes.count }

    /// Writes the fragment for `code` as one value; false (nothing written) when absent.
    func write(_ code: UInt32, into w: inout JSONWriter) -> Bool {
        guard let index = index(of: code) else { return false }
        let start = index == 0 ? 0 : ends[index - 1]
        let end = ends[index]
        storage.withUnsafeBufferPointer { all in
            w.raw(bytes: UnsafeBufferPointer(rebasing: all[start..<end]))
        }
        return true
    }

    /// The fragment's bytes (tests).
    func bytes(_ code: UInt32) -> [UInt8]? {
        guard let index = index(of: code) else { return nil }
        return Array(storage[(index == 0 ? 0 : ends[index - 1])..<ends[index]])
    }

    private func index(of code: UInt32) -> Int? {
        var low = 0
        var high = codes.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = codes[middle]
            if candidate == code { return middle }
            if candidate < code { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}
