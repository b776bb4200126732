/// A compression format a capture file may be stored in, recognised by its
/// magic bytes (never by the file name: `x.pcap` may be gzip, `x.gz` plain).
public enum CompressionFormat: String, Sendable, CaseIterable {
    case gzip
    case zstd
    case xz
    /// The LZ4 frame format (what the `lz4` tool writes), not the legacy one.
    case lz4

    /// Bytes `detect` needs at most (the xz magic is 6 long).
    public static let magicBytes = 6

    /// The format whose magic `prefix` starts with; nil for anything else
    /// (a plain capture). A prefix shorter than a magic never matches it.
    public static func detect(_ prefix: UnsafeRawBufferPointer) -> CompressionFormat? {
        allCases.first { format in
            let magic = format.magic
            return prefix.count >= magic.count && zip(prefix, magic).allSatisfy { $0 == $1 }
        }
    }

    public static func detect(_ prefix: [UInt8]) -> CompressionFormat? {
        prefix.withUnsafeBytes { detect($0) }
    }

    /// gzip: ID1 ID2 and CM 8 (deflate, the only method); zstd and lz4: the
    /// little-endian frame magics 0xFD2FB528 and 0x184D2204; xz: FD '7zXZ' 00.
    /// (Files that start with a skippable frame are not recognised: zstd and
    /// lz4 share those magics.)
    public var magic: [UInt8] {
        switch self {
        case .gzip: [0x1F, 0x8B, 0x08]
        case .zstd: [0x28, 0xB5, 0x2F, 0xFD]
        case .xz: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
        case .lz4: [0x04, 0x22, 0x4D, 0x18]
        }
    }

    /// A decoder for one stream of this format at a time (`reset` for the next).
    func makeDecompressor() throws(DecompressionError) -> any Decompressor {
        switch self {
        case .gzip: try GzipDecompressor()
        case .zstd: try ZstdDecompressor()
        case .xz: try XzDecompressor()
        case .lz4: try Lz4Decompressor()
        }
    }
}
