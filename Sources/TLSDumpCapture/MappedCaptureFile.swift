import CPcap
import TLSDumpBase
#if canImport(Glibc)
import Glibc
#endif

/// A plain (uncompressed) pcap or pcapng file read in place: the file is
/// mapped and its records are walked where they lie, each packet handed on as
/// a view into the mapping (valid during the call, as libpcap's buffer is).
/// No read(2) and no copy per packet; a BPF filter runs on the mapped bytes
/// (`pcap_offline_filter`). libpcap stays for live capture, stdin, compressed
/// files and formats this walker does not read (modified pcap, odd versions).
///
/// Reads what libpcap reads, the same way (DecodeTests/MappedCaptureTests
/// compares them on every corpus capture): pcap in both byte orders with
/// micro- or nanosecond timestamps; pcapng sections of either byte order,
/// interfaces with their own link types, timestamp resolutions and offsets,
/// enhanced, simple and obsolete packet blocks. Unlike libpcap, a pcapng
/// whose interfaces differ in link type is read (each packet carries its own).
/// A record cut by the end of the file, or by the file shrinking while mapped,
/// ends the read as `.truncated` after every whole packet before it.
public final class MappedCaptureFile: PacketSource {
    public let path: String
    private let mapping: FileMapping
    private let format: Format
    /// Offset of the next record (block) to read.
    private var position: Int
    /// pcapng: the current section's interfaces and byte order.
    private var section = PcapngSection(swapped: false)
    private var filters: [Int32: BPFFilter] = [:]
    private var filterExpression = ""
    public let linkTypes: [Int32]
    public let snapshotLength: Int
    public var linkType: Int32 { linkTypes.first ?? -1 }
    private var deadHandle: PcapHandle?

    private enum Format {
        case pcap(swapped: Bool, nanoseconds: Bool, snapshot: Int, linkType: Int32, minorVersion: UInt16)
        case pcapng
    }

    /// Largest captured length libpcap accepts in a record (MAXIMUM_SNAPLEN).
    static let maximumCapturedLength = 262_144
    /// Largest pcapng block libpcap reads (16 MiB).
    static let maximumBlockLength = 16 << 20

    private init(path: String, mapping: FileMapping, format: Format, position: Int, linkTypes: [Int32], snapshotLength: Int,
                 section: PcapngSection) {
        self.path = path
        self.mapping = mapping
        self.format = format
        self.position = position
        self.linkTypes = linkTypes
        self.snapshotLength = snapshotLength
        self.section = section
    }

    /// The file mapped, when it is a plain pcap or pcapng capture this walker
    /// reads; nil otherwise (compressed, not a capture, a variant, unmappable):
    /// then libpcap reads it and reports what is wrong.
    public static func open(path: String) -> MappedCaptureFile? {
        guard path != "-", let mapping = FileMapping(path: path), mapping.size >= 24 else { return nil }
        let base = mapping.base
        let magic = base.loadUnaligned(as: UInt32.self)
        switch magic {
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1:
            let swapped = magic == 0xd4c3_b2a1 || magic == 0x4d3c_b2a1
            let nanoseconds = magic == 0xa1b2_3c4d || magic == 0x4d3c_b2a1
            let major = Bytes.u16(base, 4, swapped), minor = Bytes.u16(base, 6, swapped)
            // libpcap reads 2.4 and, as 2.4, the rare 2.2/2.3; anything else it refuses or treats specially.
            guard major == 2, minor >= 2 && minor <= 4 else { return nil }
            var snapshot = Int(Bytes.u32(base, 16, swapped))
            if snapshot == 0 || snapshot > maximumCapturedLength { snapshot = maximumCapturedLength }
            // The upper bits of the link type field are FCS flags, not the type.
            let linkType = LinkTypeNumbers.dlt(ofLinkType: Bytes.u32(base, 20, swapped) & 0x03ff_ffff)
            return MappedCaptureFile(path: path, mapping: mapping,
                                     format: .pcap(swapped: swapped, nanoseconds: nanoseconds, snapshot: snapshot, linkType: linkType,
                                                   minorVersion: minor),
                                     position: 24, linkTypes: [linkType], snapshotLength: snapshot,
                                     section: PcapngSection(swapped: false))
        case 0x0a0d_0d0a:
            // The first section's interfaces before its first packet give the link types up front.
            var probe = PcapngWalk(mapping: mapping)
            guard case .section(let first)? = probe.readSectionHeader(at: 0) else { return nil }
            var section = first
            var offset = probe.nextOffset
            var types: [Int32] = []
            var snapshot = 0
            while offset < mapping.size {
                guard let block = probe.blockHeader(at: offset, swapped: section.swapped) else { break }
                if block.type == 1 {
                    guard section.interfaces.count < PcapngSection.maxInterfaces, let interface = probe.interface(block, swapped: section.swapped) else { break }
                    section.interfaces.append(interface)
                    if !types.contains(interface.linkType) { types.append(interface.linkType) }
                    snapshot = max(snapshot, interface.snapshot)
                } else if block.type == 2 || block.type == 3 || block.type == 6 || block.type == 0x0a0d_0d0a {
                    break
                }
                offset = block.end
            }
            guard !types.isEmpty else { return nil }   // no interface: let libpcap say what it thinks
            return MappedCaptureFile(path: path, mapping: mapping, format: .pcapng, position: probe.nextOffset,
                                     linkTypes: types, snapshotLength: snapshot, section: first)
        default:
            return nil
        }
    }

    public var fileSize: Int64 { Int64(mapping.size) }
    public var linkTypeName: String { PcapHandle.name(ofLinkType: linkType) }
    public var linkTypeDescription: String { dead?.linkTypeDescription ?? linkTypeName }

    private var dead: PcapHandle? {
        if deadHandle == nil { deadHandle = PcapHandle.dead(linkType: linkType, snapshotLength: snapshotLength) }
        return deadHandle
    }

    /// Compiled for every link type of the file now (a bad expression fails
    /// here); a link type met later in a pcapng gets its program when first seen.
    public func setFilter(_ expression: String) throws {
        filters = [:]
        filterExpression = expression
        guard !expression.isEmpty else { return }
        for type in linkTypes { _ = try filter(for: type) }
    }

    private func filter(for linkType: Int32) throws -> BPFFilter {
        if let existing = filters[linkType] { return existing }
        let compiled = try BPFFilter(expression: filterExpression, linkType: linkType, snapshotLength: max(snapshotLength, 65535))
        filters[linkType] = compiled
        return compiled
    }

    public func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        walk(body)
    }

    public func forEachPacket(onTimeout: () -> Bool, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        walk(body)
    }

    public func statistics() -> CaptureStatistics? { nil }

    public func openDumper(path: String) throws -> PacketDumper {
        guard let dead else { throw CaptureError.closed }
        return try dead.openDumper(path: path)
    }

    public func close() {
        deadHandle?.close()
        deadHandle = nil
    }

    public var fileTotals: InputFileTotals? { InputFileTotals(read: 1, bytes: fileSize, failed: []) }
    public var readPosition: (read: Int64, total: Int64)? { (Int64(position), fileSize) }

    /// Delivers the packets that pass the filter; stops where `body` says so
    /// (the next call goes on from there).
    private func walk(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        switch format {
        case .pcap(let swapped, let nanoseconds, let snapshot, let linkType, let minor):
            return walkPcap(swapped: swapped, nanoseconds: nanoseconds, snapshot: snapshot, linkType: linkType, minor: minor, body)
        case .pcapng:
            return walkPcapng(body)
        }
    }

    private var cutMessage: ReadEnd { .truncated("\(path) shrank while it was being read") }

    private func walkPcap(swapped: Bool, nanoseconds: Bool, snapshot: Int, linkType: Int32, minor: UInt16,
                          _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        let base = mapping.base, size = mapping.size
        let filter = filterExpression.isEmpty ? nil : try? self.filter(for: linkType)
        var offset = position
        defer { position = offset }
        while offset < size {
            let left = size - offset
            guard left >= 16 else {
                return .truncated("truncated dump file; tried to read 16 header bytes, only got \(left)")
            }
            // As libpcap reads them: signed 32-bit fields in a file of this
            // machine's byte order, unsigned ones when it byte-swaps them.
            let rawSeconds = Bytes.u32(base, offset, swapped), rawFraction = Bytes.u32(base, offset + 4, swapped)
            let seconds = swapped ? Int64(rawSeconds) : Int64(Int32(bitPattern: rawSeconds))
            let fraction = swapped ? Int64(rawFraction) : Int64(Int32(bitPattern: rawFraction))
            var recorded = Int(Bytes.u32(base, offset + 8, swapped))
            var wire = Int(Bytes.u32(base, offset + 12, swapped))
            // Files before 2.3 (and some 2.3 ones) have the two lengths the other way round, as libpcap knows.
            if minor < 3 || (minor == 3 && recorded > wire) { swap(&recorded, &wire) }
            guard recorded <= Self.maximumCapturedLength else {
                return .readError("invalid packet capture length \(recorded), bigger than maximum of \(Self.maximumCapturedLength)")
            }
            let data = offset + 16
            guard size - data >= recorded else {
                return .truncated("truncated dump file; tried to read \(recorded) captured bytes, only got \(size - data)")
            }
            guard mapping.holds(upTo: data + recorded) else { return cutMessage }
            offset = data + recorded
            mapping.release(before: offset)
            let captured = min(recorded, snapshot)
            let header = PacketHeader(
                timestamp: nanoseconds ? Timestamp(seconds: seconds, nanoseconds: fraction)
                                       : Timestamp(seconds: seconds, microseconds: fraction),
                capturedLength: captured, wireLength: wire, linkType: linkType)
            let bytes = UnsafeRawBufferPointer(start: base + data, count: captured)
            if let filter, !filter.accepts(header, bytes) { continue }
            if !body(header, bytes) { return .stopped }
        }
        return .endOfInput
    }

    private func walkPcapng(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        let size = mapping.size
        var walker = PcapngWalk(mapping: mapping)
        var offset = position
        defer { position = offset }
        var cachedType: Int32 = -1
        var cachedFilter: BPFFilter?
        while offset < size {
            guard size - offset >= 8 else {
                return .truncated("truncated pcapng dump file; tried to read 8 block header bytes, only got \(size - offset)")
            }
            let type = Bytes.u32(mapping.base, offset, section.swapped)
            if type == 0x0a0d_0d0a && size - offset >= 12 {
                switch walker.readSectionHeader(at: offset) {
                case .section(let next)?:
                    section = next
                    offset = walker.nextOffset
                    continue
                case .failed(let end)?: return end
                case nil: return .readError("pcapng section header block is malformed")
                }
            }
            guard let block = walker.blockHeader(at: offset, swapped: section.swapped) else {
                return walker.failure ?? .readError("malformed pcapng block")
            }
            guard mapping.holds(upTo: block.end) else { return cutMessage }
            offset = block.end
            mapping.release(before: offset)
            switch block.type {
            case 1:
                guard let interface = walker.interface(block, swapped: section.swapped) else {
                    return walker.failure ?? .readError("malformed pcapng interface description block")
                }
                guard section.interfaces.count < PcapngSection.maxInterfaces else {
                    return .readError("more than \(PcapngSection.maxInterfaces) interfaces in one pcapng section")
                }
                section.interfaces.append(interface)
                continue
            case 2, 3, 6:
                guard let (header, bytes) = walker.packet(block, section: section) else {
                    if let failure = walker.failure { return failure }
                    continue
                }
                if !filterExpression.isEmpty {
                    if header.linkType != cachedType {
                        cachedType = header.linkType
                        cachedFilter = try? filter(for: header.linkType)
                    }
                    if let cachedFilter, !cachedFilter.accepts(header, bytes) { continue }
                }
                if !body(header, bytes) { return .stopped }
            default:
                continue
            }
        }
        return .endOfInput
    }
}

/// Fixed-width integers at an offset of the mapping, in the file's byte order.
enum Bytes {
    @inline(__always)
    static func u16(_ base: UnsafeRawPointer, _ offset: Int, _ swapped: Bool) -> UInt16 {
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return swapped ? v.byteSwapped : v
    }

    @inline(__always)
    static func u32(_ base: UnsafeRawPointer, _ offset: Int, _ swapped: Bool) -> UInt32 {
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return swapped ? v.byteSwapped : v
    }
}

/// A compiled BPF program for one link type, run on packets in place.
final class BPFFilter {
    private var program = bpf_program()

    init(expression: String, linkType: Int32, snapshotLength: Int) throws {
        guard let dead = pcap_open_dead_with_tstamp_precision(linkType, Int32(clamping: snapshotLength),
                                                              UInt32(PCAP_TSTAMP_PRECISION_NANO)) else {
            throw CaptureError.badFilter(expression: expression, message: "no filter compiler for link type \(linkType)")
        }
        defer { pcap_close(dead) }
        guard pcap_compile(dead, &program, expression, 1, 0xffff_ffff) == 0 else {
            let message = pcap_geterr(dead).map { String(cString: $0) } ?? "unknown libpcap error"
            throw CaptureError.badFilter(expression: expression, message: message)
        }
    }

    deinit { pcap_freecode(&program) }

    @inline(__always)
    func accepts(_ header: PacketHeader, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var pcapHeader = pcap_pkthdr()
        pcapHeader.caplen = UInt32(clamping: header.capturedLength)
        pcapHeader.len = UInt32(clamping: header.wireLength)
        guard let start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            var empty: UInt8 = 0
            return pcap_offline_filter(&program, &pcapHeader, &empty) != 0
        }
        return pcap_offline_filter(&program, &pcapHeader, start) != 0
    }
}

/// A file's LINKTYPE_ value as the DLT_ value libpcap hands out (they differ
/// for a few historical types; libpcap's linktype_to_dlt on Linux).
enum LinkTypeNumbers {
    static func dlt(ofLinkType value: UInt32) -> Int32 {
        switch value {
        case 100: 11    // ATM_RFC1483
        case 101: 12    // RAW
        case 102: 15    // SLIP_BSDOS
        case 103: 16    // PPP_BSDOS
        case 106: 19    // ATM_CLIP
        default: Int32(truncatingIfNeeded: value)
        }
    }
}
