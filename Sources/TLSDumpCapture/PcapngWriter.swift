import TLSDumpBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal pcapng writer for packets of several link types in one file
/// (libpcap's dumper writes one link type only): a Section Header Block, one
/// Interface Description Block per link type (nanosecond timestamps,
/// if_tsresol 9), then an Enhanced Packet Block per packet. Host byte order,
/// which the Section Header's byte-order magic announces. Not thread-safe.
final class PcapngWriter {
    private var file: UnsafeMutablePointer<FILE>?
    /// Interface id of each link type: its index in this list.
    private let linkTypes: [Int32]
    private var block: [UInt8] = []

    /// Creates `path` and writes the section and interface headers.
    init(path: String, linkTypes: [Int32], snapshotLength: Int) throws {
        guard let file = fopen(path, "wb") else {
            throw CaptureError.cannotWriteCapture(path: path, message: String(cString: strerror(errno)))
        }
        self.file = file
        self.linkTypes = linkTypes
        writeSectionHeader()
        let snap = UInt32(clamping: snapshotLength)
        for linkType in linkTypes { writeInterface(linkType: linkType, snapshotLength: snap) }
    }

    deinit { close() }

    func write(_ header: PacketHeader, _ bytes: UnsafeRawBufferPointer) {
        // A link type the file was not opened with has no interface: such a packet cannot be written.
        guard let interface = linkTypes.firstIndex(of: header.linkType) else { return }
        let ticks = UInt64(bitPattern: header.timestamp.nanoseconds)
        let captured = UInt32(clamping: bytes.count)
        begin(type: 6)
        append32(UInt32(truncatingIfNeeded: interface))
        append32(UInt32(truncatingIfNeeded: ticks >> 32))
        append32(UInt32(truncatingIfNeeded: ticks))
        append32(captured)
        append32(UInt32(clamping: header.wireLength))
        block.append(contentsOf: bytes.prefix(Int(captured)))
        pad()
        end()
    }

    func flush() -> Bool {
        guard let file else { return true }
        return fflush(file) == 0 && ferror(file) == 0
    }

    func close() {
        guard let file else { return }
        fclose(file)
        self.file = nil
    }

    private func writeSectionHeader() {
        begin(type: 0x0A0D_0D0A)
        append32(0x1A2B_3C4D)   // byte-order magic
        append16(1); append16(0)   // version 1.0
        append32(0xFFFF_FFFF); append32(0xFFFF_FFFF)   // section length: not given
        end()
    }

    private func writeInterface(linkType: Int32, snapshotLength: UInt32) {
        begin(type: 1)
        append16(UInt16(truncatingIfNeeded: linkType))
        append16(0)
        append32(snapshotLength)
        // if_tsresol (9): 10^-9, nanoseconds; then opt_endofopt.
        append16(9); append16(1); block.append(9); pad()
        append16(0); append16(0)
        end()
    }

    /// A block: type, total length (filled in by `end`), body, total length again.
    private func begin(type: UInt32) {
        block.removeAll(keepingCapacity: true)
        append32(type)
        append32(0)
    }

    private func end() {
        let total = UInt32(truncatingIfNeeded: block.count + 4)
        append32(total)
        withUnsafeBytes(of: total) { length in
            for (offset, byte) in length.enumerated() { block[4 + offset] = byte }
        }
        guard let file else { return }
        _ = block.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    }

    private func pad() {
        while block.count % 4 != 0 { block.append(0) }
    }

    private func append16(_ value: UInt16) { withUnsafeBytes(of: value) { block.append(contentsOf: $0) } }
    private func append32(_ value: UInt32) { withUnsafeBytes(of: value) { block.append(contentsOf: $0) } }
}
