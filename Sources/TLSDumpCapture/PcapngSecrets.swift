/// TLS key logs a pcapng file carries in Decryption Secrets Blocks (DSB,
/// block type 0x0000000A; `editcap --inject-secrets`, Wireshark, dumpcap).
///
/// libpcap skips DSBs, so this is a separate walk over the file's block
/// headers: each block's total length leads to the next, bodies are skipped
/// unread except those of DSBs. Byte order comes from each Section Header
/// Block. Content never throws: a classic pcap or any other file gives an
/// empty result, a pcapng that is cut or malformed part way stops the walk
/// and keeps what was found before, with a warning.
public enum PcapngSecrets {
    /// Secrets Type of an NSS key log (SSLKEYLOGFILE text), "TLSK".
    public static let tlsKeyLogType: UInt32 = 0x544C_534B
    /// Secrets Type of WireGuard keys, "WGKL" (counted, not used).
    public static let wireGuardType: UInt32 = 0x5747_4B4C

    static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    static let secretsBlockType: UInt32 = 0x0000_000A
    /// Smallest blocks: type, length, trailer; a section header adds byte-order
    /// magic, version and section length (16); a DSB its type and length (8).
    static let minimumBlock: UInt64 = 12
    static let minimumSectionHeader: UInt64 = 28
    static let minimumSecretsBlock: UInt64 = 20

    /// The key logs of the file at `path`, read a window at a time (constant
    /// memory besides the secrets themselves); a compressed file (gzip, zstd,
    /// xz, lz4) is decompressed forward, the bytes between blocks dropped. Throws only when the file
    /// cannot be opened or read; a path that is not a regular file (a FIFO,
    /// stdin) gives an empty result, since reading it would consume it.
    public static func keyLogs(atPath path: String, limits: PcapngSecretsLimits = PcapngSecretsLimits()) throws -> PcapngSecretsResult {
        guard var source = try PcapngFileSource.open(path: path, windowBytes: limits.readWindowBytes) else {
            return PcapngSecretsResult()
        }
        defer { source.close() }
        if let format = PcapReader.sniffFile(source.descriptor) {
            // Compressed: decoded forward from the start (the file source used pread, the offset is 0).
            let input: DecompressingInput
            do {
                input = try DecompressingInput(descriptor: source.descriptor, ownsDescriptor: false, format: format)
            } catch {
                throw PcapngSecretsError.readFailed(path: path, message: error.description)
            }
            var decompressed = PcapngDecompressingSource(input: input, path: path, windowBytes: limits.readWindowBytes)
            return try walk(&decompressed, limits: limits)
        }
        return try walk(&source, limits: limits)
    }

    /// The same walk over bytes in memory (tests, fuzzing).
    public static func keyLogs(in bytes: UnsafeRawBufferPointer, limits: PcapngSecretsLimits = PcapngSecretsLimits()) -> PcapngSecretsResult {
        var source = PcapngMemorySource(bytes: bytes)
        // The memory source never throws; an empty result stands in for the impossible.
        return (try? walk(&source, limits: limits)) ?? PcapngSecretsResult()
    }

    /// Convenience for `[UInt8]`.
    public static func keyLogs(in bytes: [UInt8], limits: PcapngSecretsLimits = PcapngSecretsLimits()) -> PcapngSecretsResult {
        bytes.withUnsafeBytes { keyLogs(in: $0, limits: limits) }
    }

    // MARK: the walk

    /// Reads a u32 in the section's byte order from exactly 4 bytes.
    private static func u32(_ b: UnsafeRawBufferPointer, bigEndian: Bool) -> UInt32 {
        guard b.count >= 4 else { return 0 }
        let (b0, b1, b2, b3) = (UInt32(b[0]), UInt32(b[1]), UInt32(b[2]), UInt32(b[3]))
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }

    /// The byte order a section header's magic gives; nil for neither.
    private static func byteOrder(magic b: UnsafeRawBufferPointer) -> Bool? {
        if u32(b, bigEndian: true) == 0x1A2B_3C4D { return true }
        if u32(b, bigEndian: false) == 0x1A2B_3C4D { return false }
        return nil
    }

    private struct Header {
        var type: UInt32
        var length: UInt32
        /// Section headers only: the byte order they set; nil for a bad magic.
        var sectionBigEndian: Bool??
    }

    static func walk<Source: PcapngByteSource>(_ source: inout Source, limits: PcapngSecretsLimits) throws -> PcapngSecretsResult {
        var result = PcapngSecretsResult()
        var offset: UInt64 = 0
        var bigEndian = false
        let maxSecrets = UInt64(max(0, limits.maxSecretsBytes))
        // Offsets only move forward (a decompressed stream cannot go back):
        // a block's header, then a DSB's secrets, then its trailer.
        while try source.hasBytes(at: offset) {
            let order = bigEndian
            guard let header = try source.peek(at: offset, count: 12, { b -> Header in
                // The section header type reads the same in both orders.
                let type = u32(UnsafeRawBufferPointer(rebasing: b[0..<4]), bigEndian: false)
                guard type == sectionHeaderType else {
                    return Header(type: u32(UnsafeRawBufferPointer(rebasing: b[0..<4]), bigEndian: order),
                                  length: u32(UnsafeRawBufferPointer(rebasing: b[4..<8]), bigEndian: order))
                }
                let sectionOrder = byteOrder(magic: UnsafeRawBufferPointer(rebasing: b[8..<12]))
                return Header(type: type, length: u32(UnsafeRawBufferPointer(rebasing: b[4..<8]), bigEndian: sectionOrder ?? order),
                              sectionBigEndian: .some(sectionOrder))
            }) else {
                if result.isPcapng { result.note(.truncated(offset: offset)) }
                break
            }
            let length = UInt64(header.length)
            if let section = header.sectionBigEndian {
                guard let sectionOrder = section else {
                    if result.isPcapng { result.note(.badByteOrderMagic(offset: offset)) }
                    break
                }
                if !result.isPcapng {
                    // The file's first block decides whether it is pcapng at all.
                    guard length >= minimumSectionHeader, length % 4 == 0 else { break }
                    result.isPcapng = true
                }
                bigEndian = sectionOrder
            } else if !result.isPcapng {
                break   // classic pcap or anything else: not ours, no warning
            }
            let minimum = header.type == sectionHeaderType ? minimumSectionHeader
                : header.type == secretsBlockType ? minimumSecretsBlock : minimumBlock
            guard length >= minimum, length % 4 == 0 else {
                result.note(.badBlockLength(offset: offset, length: header.length))
                break
            }
            // length < 2^32: the sum overflows only for offsets no file reaches.
            let (end, overflow) = offset.addingReportingOverflow(length)
            guard !overflow, source.mayEnd(at: end) else {
                result.note(.truncated(offset: offset))
                break
            }
            // A DSB's secrets are read before its trailer (forward order) and
            // kept only once the trailer agrees.
            let keyLogBefore = result.keyLog.count
            let secrets = header.type == secretsBlockType
                ? try readSecrets(&source, block: offset, length: length, bigEndian: bigEndian, maxSecrets: maxSecrets,
                                  limitReachedBefore: result.secretsLimitReached, into: &result.keyLog)
                : nil
            // The trailing copy of the length must agree: a length that lies
            // would send the walk into packet data.
            let trailer = try source.peek(at: end - 4, count: 4) { u32($0, bigEndian: bigEndian) }
            guard let trailer, trailer == header.length else {
                result.keyLog.removeSubrange(keyLogBefore...)
                result.note(trailer.map { .lengthMismatch(offset: offset, leading: header.length, trailing: $0) } ?? .truncated(offset: offset))
                break
            }
            result.blocks += 1
            if header.type == sectionHeaderType { result.sections += 1 }
            if let secrets { result.count(secrets) }
            offset = end
        }
        return result
    }

    /// What one DSB gave: its secrets type (nil when its header could not be
    /// read), a problem, whether its key log was appended.
    struct SecretsBlockRead {
        var type: UInt32?
        var warning: PcapngSecretsWarning?
        var keyLogAppended = false
        var limitReached = false
    }

    /// One DSB: its secrets type; a TLS key log appended within the limit.
    private static func readSecrets<Source: PcapngByteSource>(_ source: inout Source, block offset: UInt64, length: UInt64, bigEndian: Bool,
                                                                maxSecrets: UInt64, limitReachedBefore: Bool,
                                                                into keyLog: inout [UInt8]) throws -> SecretsBlockRead {
        guard let (type, secretsLength) = try source.peek(at: offset + 8, count: 8, { b in
            (u32(UnsafeRawBufferPointer(rebasing: b[0..<4]), bigEndian: bigEndian),
             u32(UnsafeRawBufferPointer(rebasing: b[4..<8]), bigEndian: bigEndian))
        }) else { return SecretsBlockRead() }   // the capture ends inside the block: the trailer check says so
        var read = SecretsBlockRead(type: type)
        // Header (8), type and length (8), data padded to 32 bits, trailer (4):
        // all below 2^34, no overflow in UInt64.
        let dataLength = UInt64(secretsLength)
        let padded = (dataLength + 3) & ~3
        guard 8 + 8 + padded + 4 <= length else {
            read.warning = .badSecretsLength(offset: offset, length: secretsLength)
            return read
        }
        guard type == tlsKeyLogType, dataLength > 0 else { return read }
        let current = UInt64(keyLog.count)
        // One byte more for the newline that keeps two blocks' lines apart.
        guard current <= maxSecrets, dataLength + 1 <= maxSecrets - current, let count = Int(exactly: dataLength) else {
            read.limitReached = true
            if !limitReachedBefore { read.warning = .secretsLimitReached(offset: offset, limit: maxSecrets) }
            return read
        }
        guard try source.append(at: offset + 16, count: count, to: &keyLog) else { return read }
        if keyLog.last != UInt8(ascii: "\n") { keyLog.append(UInt8(ascii: "\n")) }
        read.keyLogAppended = true
        return read
    }
}

/// Bounds of the secrets scan.
public struct PcapngSecretsLimits: Sendable, Equatable {
    /// Most key log bytes kept over all DSBs; a block that would pass it is left out (and a warning noted).
    public var maxSecretsBytes: Int = 16 << 20
    /// Bytes read from a file at once; block headers inside the window cost no
    /// read. At least 16. Smaller only to exercise the window in tests.
    public var readWindowBytes: Int = 64 << 10

    public init(maxSecretsBytes: Int = 16 << 20, readWindowBytes: Int = 64 << 10) {
        self.maxSecretsBytes = maxSecretsBytes
        self.readWindowBytes = readWindowBytes
    }
}

/// What the scan found.
public struct PcapngSecretsResult: Sendable, Equatable {
    /// The file starts with a valid Section Header Block.
    public var isPcapng = false
    /// The NSS key log text of every TLS key log DSB, in file order, each
    /// block's text ending in a newline: ready for `KeyLog.parse(bytes:)`.
    public var keyLog: [UInt8] = []
    /// DSBs seen by Secrets Type (`PcapngSecrets.tlsKeyLogType`, `.wireGuardType`, ...),
    /// including ones left out (malformed, over the limit).
    public var secretsBlocks: [UInt32: Int] = [:]
    /// TLS key log DSBs whose text is in `keyLog`.
    public var tlsKeyLogBlocksUsed = 0
    /// Whole section headers and blocks (sections included) walked before the end or the first framing problem.
    public var sections = 0
    public var blocks = 0
    /// Problems, in file order; at most `maxWarnings`.
    public var warnings: [PcapngSecretsWarning] = []
    public var secretsLimitReached = false

    public static let maxWarnings = 16

    public init() {}

    /// DSBs of a type other than TLS key log (WireGuard, ...): skipped.
    public var otherSecretsBlocks: Int {
        secretsBlocks.reduce(0) { $0 + ($1.key == PcapngSecrets.tlsKeyLogType ? 0 : $1.value) }
    }

    /// A DSB whose block was whole: its type, problem and key log counted.
    mutating func count(_ read: PcapngSecrets.SecretsBlockRead) {
        guard let type = read.type else { return }
        secretsBlocks[type, default: 0] += 1
        if let warning = read.warning { note(warning) }
        if read.limitReached { secretsLimitReached = true }
        if read.keyLogAppended { tlsKeyLogBlocksUsed += 1 }
    }

    mutating func note(_ warning: PcapngSecretsWarning) {
        if warnings.count < Self.maxWarnings { warnings.append(warning) }
    }
}

/// A problem met while walking a pcapng file's blocks. Offsets are of the block's first byte.
public enum PcapngSecretsWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file ends inside a block (its header, or before the end its length gives). The walk stops.
    case truncated(offset: UInt64)
    /// A block total length below the block's minimum or not a multiple of 4. The walk stops.
    case badBlockLength(offset: UInt64, length: UInt32)
    /// The length a block ends with differs from the one it starts with. The walk stops.
    case lengthMismatch(offset: UInt64, leading: UInt32, trailing: UInt32)
    /// A later section header whose byte-order magic is not 0x1A2B3C4D in either order. The walk stops.
    case badByteOrderMagic(offset: UInt64)
    /// A DSB whose secrets run past its block: left out, the walk goes on.
    case badSecretsLength(offset: UInt64, length: UInt32)
    /// The key logs would pass `maxSecretsBytes`: this DSB and any later that would were left out.
    case secretsLimitReached(offset: UInt64, limit: UInt64)

    public var description: String {
        switch self {
        case .truncated(let offset): "the file ends inside the block at byte \(offset)"
        case .badBlockLength(let offset, let length): "the block at byte \(offset) has an impossible length (\(length))"
        case .lengthMismatch(let offset, let leading, let trailing):
            "the block at byte \(offset) starts with length \(leading) but ends with \(trailing)"
        case .badByteOrderMagic(let offset): "the section header at byte \(offset) has no byte-order magic"
        case .badSecretsLength(let offset, let length):
            "the Decryption Secrets Block at byte \(offset) says \(length) bytes of secrets, more than it holds; left out"
        case .secretsLimitReached(let offset, let limit):
            "the embedded key logs pass \(limit) bytes at the Decryption Secrets Block at byte \(offset); it and later ones were left out"
        }
    }

    /// Whether the walk stopped here (the rest of the file was not looked at).
    public var stoppedWalk: Bool {
        switch self {
        case .truncated, .badBlockLength, .lengthMismatch, .badByteOrderMagic: true
        case .badSecretsLength, .secretsLimitReached: false
        }
    }
}
