/// `-i IFACE --threads N`: N capture sockets on one interface, joined in one
/// PACKET_FANOUT group, each with its own ring, read by its own analysis
/// worker (no reading thread between them). As a `PacketSource` it stands
/// for the whole: the link type and snapshot of its members, the filter set
/// on all of them, libpcap's counters summed; its packets are read through
/// `members`, one per worker.
public final class FanoutCapture: PacketSource {
    public let members: [LiveCapture]
    public let group: UInt16

    private init(members: [LiveCapture], group: UInt16) {
        self.members = members
        self.group = group
    }

    /// Opens `count` sockets in `options.fanoutGroup` (or a group named
    /// after this process when none is given).
    public static func open(_ options: LiveCaptureOptions, count: Int, defaultGroup: UInt16) throws -> FanoutCapture {
        var joined = options
        let group = options.fanoutGroup ?? defaultGroup
        joined.fanoutGroup = group
        var members: [LiveCapture] = []
        do {
            for _ in 0..<max(1, count) { members.append(try LiveCapture.open(joined)) }
        } catch {
            for member in members { member.close() }
            throw error
        }
        return FanoutCapture(members: members, group: group)
    }

    public var warnings: [String] { members.first?.warnings ?? [] }
    public var linkType: Int32 { members.first?.linkType ?? -1 }
    public var linkTypeName: String { members.first?.linkTypeName ?? "" }
    public var linkTypeDescription: String { members.first?.linkTypeDescription ?? "" }
    public var snapshotLength: Int { members.first?.snapshotLength ?? 0 }

    public func setFilter(_ expression: String) throws {
        for member in members { try member.setFilter(expression) }
    }

    /// The first member's packets (the workers read each member themselves).
    public func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        members.first?.forEachPacket(body) ?? .endOfInput
    }

    public func forEachPacket(onTimeout: () -> Bool, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        members.first?.forEachPacket(onTimeout: onTimeout, body) ?? .endOfInput
    }

    /// Every member's counters added up (each socket counts its own share).
    public func statistics() -> CaptureStatistics? {
        var total: CaptureStatistics?
        for member in members {
            guard let stats = member.statistics() else { continue }
            if var sum = total {
                sum.received += stats.received
                sum.dropped += stats.dropped
                sum.droppedByInterface += stats.droppedByInterface
                total = sum
            } else {
                total = stats
            }
        }
        return total
    }

    public func openDumper(path: String) throws -> PacketDumper {
        guard let first = members.first else { throw CaptureError.closed }
        return try first.openDumper(path: path)
    }

    public func close() {
        for member in members { member.close() }
    }
}
