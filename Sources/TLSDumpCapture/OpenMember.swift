/// A member of a `CaptureSet` being read: its reader and the packet it will
/// deliver next (libpcap's buffer, valid until the next read on `reader`).
struct OpenMember {
    let member: CaptureSetMember
    let reader: PcapReader
    var header: PacketHeader
    var bytes: UnsafeRawBufferPointer

    /// Merge order: by time, ties in the order the files were given (stable).
    func precedes(_ other: OpenMember) -> Bool {
        header.timestamp != other.header.timestamp
            ? header.timestamp < other.header.timestamp
            : member.order < other.member.order
    }
}
