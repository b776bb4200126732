import TLSDumpBase

/// One pcapng interface (Interface Description Block): what its packets need.
struct PcapngInterface {
    var linkType: Int32
    /// Bytes kept of a packet (libpcap's snapshot; 0 in the file means the maximum).
    var snapshot: Int
    /// Timestamp units per second, and whether they are a power of ten.
    var unitsPerSecond: UInt64 = 1_000_000
    var decimal = true
    /// if_tsoffset: seconds added to every timestamp.
    var offsetSeconds: Int64 = 0
}

/// The section being read: its byte order and the interfaces described so far.
struct PcapngSection {
    var swapped: Bool
    var interfaces: [PcapngInterface] = []

    /// Interfaces a section may declare before the walk calls it hostile
    /// (libpcap grows its table without bound; real files have a handful).
    static let maxInterfaces = 4096
}

/// The pcapng block layer over a mapping, bounds-checked: block headers,
/// interface descriptions and packet blocks, each validated before a byte
/// of it is read. Errors are stored in `failure` (libpcap's wording, so
/// both readers end a bad file with the same reason).
struct PcapngWalk {
    let mapping: FileMapping
    var nextOffset = 0
    var failure: ReadEnd?

    init(mapping: FileMapping) { self.mapping = mapping }

    struct Block {
        var type: UInt32
        var start: Int
        var end: Int
        /// Body: between the 8-byte header and the 4-byte trailer.
        var body: Int { start + 8 }
        var bodyLength: Int { end - 4 - body }
    }

    enum SectionRead {
        case section(PcapngSection)
        case failed(ReadEnd)
    }

    /// The Section Header Block at `offset`: its byte order from the magic.
    mutating func readSectionHeader(at offset: Int) -> SectionRead? {
        let size = mapping.size
        guard size - offset >= 28 else {
            return .failed(.truncated("truncated pcapng dump file; tried to read 28 section header bytes, only got \(size - offset)"))
        }
        let magic = mapping.base.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
        let swapped: Bool
        switch magic {
        case 0x1a2b_3c4d: swapped = false
        case 0x4d3c_2b1a: swapped = true
        default: return nil
        }
        guard Bytes.u16(mapping.base, offset + 12, swapped) == 1 else {
            return .failed(.readError("unsupported pcapng section version \(Bytes.u16(mapping.base, offset + 12, swapped))"))
        }
        guard let block = blockHeader(at: offset, swapped: swapped) else { return failure.map { .failed($0) } }
        nextOffset = block.end
        return .section(PcapngSection(swapped: swapped))
    }

    /// The block at `offset`, its length checked as libpcap checks it.
    mutating func blockHeader(at offset: Int, swapped: Bool) -> Block? {
        let size = mapping.size
        // As libpcap: the type and length first, the length checked, then the rest.
        guard size - offset >= 8 else {
            failure = .truncated("truncated pcapng dump file; tried to read 8 block header bytes, only got \(size - offset)")
            return nil
        }
        let type = Bytes.u32(mapping.base, offset, swapped)
        let length = Int(Bytes.u32(mapping.base, offset + 4, swapped))
        guard length >= 12 else {
            failure = .readError("block in pcapng dump file has a length of \(length) < 12")
            return nil
        }
        guard length % 4 == 0 else {
            failure = .readError("block in pcapng dump file has a length of \(length) that is not a multiple of 4")
            return nil
        }
        guard length <= MappedCaptureFile.maximumBlockLength else {
            failure = .readError("pcapng block size \(length) > maximum \(MappedCaptureFile.maximumBlockLength)")
            return nil
        }
        guard size - offset >= length else {
            failure = .truncated("truncated pcapng dump file; tried to read \(length) bytes, only got \(size - offset)")
            return nil
        }
        guard mapping.holds(upTo: offset + length) else {
            failure = .truncated("the file shrank while it was being read")
            return nil
        }
        // The length is repeated after the body; libpcap (and tshark) refuse a block whose copies differ.
        let trailer = Int(Bytes.u32(mapping.base, offset + length - 4, swapped))
        guard trailer == length else {
            failure = .readError("block total length in header and trailer don't match (\(length) and \(trailer))")
            return nil
        }
        return Block(type: type, start: offset, end: offset + length)
    }

    /// An Interface Description Block: link type, snapshot length, and the
    /// timestamp options (if_tsresol, if_tsoffset).
    mutating func interface(_ block: Block, swapped: Bool) -> PcapngInterface? {
        guard block.bodyLength >= 8 else {
            failure = .readError("interface description block in pcapng dump file is too short")
            return nil
        }
        let base = mapping.base
        // As libpcap: 0 means no limit; a larger one is kept as the file says.
        var snapshot = Int(Bytes.u32(base, block.body + 4, swapped))
        if snapshot == 0 { snapshot = MappedCaptureFile.maximumCapturedLength }
        var interface = PcapngInterface(linkType: LinkTypeNumbers.dlt(ofLinkType: UInt32(Bytes.u16(base, block.body, swapped))),
                                        snapshot: snapshot)
        var option = block.body + 8
        let end = block.body + block.bodyLength
        while end - option >= 4 {
            let code = Bytes.u16(base, option, swapped)
            let length = Int(Bytes.u16(base, option + 2, swapped))
            let value = option + 4
            // As libpcap: an option running past its block (the end-of-options one included),
            // or a timestamp option of the wrong size, is an error.
            guard end - value >= length else {
                failure = .readError("block of type 1 in pcapng dump file is too short")
                return nil
            }
            if code == 0 {
                guard length == 0 else {
                    failure = .readError("Interface Description Block has opt_endofopt option with length \(length) != 0")
                    return nil
                }
                break
            }
            if (code == 9 && length != 1) || (code == 14 && length != 8) {
                failure = .readError("interface description block option \(code) has length \(length)")
                return nil
            }
            switch (code, length) {
            case (9, 1):
                let raw = base.load(fromByteOffset: value, as: UInt8.self)
                let exponent = UInt64(raw & 0x7f)
                if raw & 0x80 == 0 {
                    guard exponent <= 19 else {
                        failure = .readError("interface description block if_tsresol option resolution 10^-\(exponent) is too high")
                        return nil
                    }
                    var units: UInt64 = 1
                    for _ in 0..<exponent { units &*= 10 }
                    interface.unitsPerSecond = units
                    interface.decimal = true
                } else {
                    guard exponent <= 63 else {
                        failure = .readError("interface description block if_tsresol option resolution 2^-\(exponent) is too high")
                        return nil
                    }
                    interface.unitsPerSecond = 1 << exponent
                    interface.decimal = false
                }
            case (14, 8):
                let raw = base.loadUnaligned(fromByteOffset: value, as: UInt64.self)
                interface.offsetSeconds = Int64(bitPattern: swapped ? raw.byteSwapped : raw)
            default:
                break
            }
            option = value + (length + 3) & ~3
        }
        return interface
    }

    /// A packet block (enhanced, simple or obsolete): its header and bytes,
    /// or nil with `failure` set (nil without a failure: a block to skip).
    mutating func packet(_ block: Block, section: PcapngSection) -> (PacketHeader, UnsafeRawBufferPointer)? {
        let base = mapping.base, swapped = section.swapped
        let interfaceIndex: Int, captured: Int, wire: Int, data: Int
        var ticks: UInt64 = 0
        switch block.type {
        case 6, 2:
            // Enhanced and obsolete packet blocks differ only in the interface field's width.
            let name = block.type == 6 ? "enhanced packet block" : "packet block"
            guard block.bodyLength >= 20 else { return fail("\(name) in pcapng dump file is too short") }
            interfaceIndex = block.type == 6 ? Int(Bytes.u32(base, block.body, swapped)) : Int(Bytes.u16(base, block.body, swapped))
            ticks = UInt64(Bytes.u32(base, block.body + 4, swapped)) << 32 | UInt64(Bytes.u32(base, block.body + 8, swapped))
            captured = Int(Bytes.u32(base, block.body + 12, swapped))
            wire = Int(Bytes.u32(base, block.body + 16, swapped))
            data = block.body + 20
            guard captured <= block.bodyLength - 20 else {
                return fail("\(name) in pcapng dump file has a captured length \(captured) bigger than the block")
            }
        default:   // 3: simple packet block, interface 0, no timestamp
            guard block.bodyLength >= 4 else { return fail("simple packet block in pcapng dump file is too short") }
            interfaceIndex = 0
            wire = Int(Bytes.u32(base, block.body, swapped))
            data = block.body + 4
            // As libpcap: the original length cut to the snapshot length must fit in the block.
            captured = min(wire, section.interfaces.first?.snapshot ?? 0)
            guard captured <= block.bodyLength - 4 else { return fail("block of type 3 in pcapng dump file is too short") }
        }
        guard interfaceIndex < section.interfaces.count else {
            return fail("a packet arrived on interface \(interfaceIndex), but there's no such interface")
        }
        let interface = section.interfaces[interfaceIndex]
        // libpcap refuses a packet longer than the snapshot length (it cuts only simple packet blocks).
        if block.type != 3 && captured > interface.snapshot {
            return fail("invalid packet capture length \(captured), bigger than snaplen of \(interface.snapshot)")
        }
        let units = interface.unitsPerSecond
        let seconds = Int64(truncatingIfNeeded: ticks / units) &+ interface.offsetSeconds
        let fraction = ticks % units
        let nanoseconds: UInt64
        if interface.decimal {
            nanoseconds = units <= 1_000_000_000 ? fraction &* (1_000_000_000 / units) : fraction / (units / 1_000_000_000)
        } else {
            // As libpcap: multiply, then divide, in 64 bits (it wraps for resolutions past 2^-34).
            nanoseconds = (fraction &* 1_000_000_000) / units
        }
        let header = PacketHeader(timestamp: Timestamp(seconds: seconds, nanoseconds: Int64(truncatingIfNeeded: nanoseconds)),
                                  capturedLength: min(captured, interface.snapshot), wireLength: wire,
                                  linkType: interface.linkType)
        return (header, UnsafeRawBufferPointer(start: base + data, count: header.capturedLength))
    }

    private mutating func fail(_ message: String) -> (PacketHeader, UnsafeRawBufferPointer)? {
        failure = .readError(message)
        return nil
    }
}
