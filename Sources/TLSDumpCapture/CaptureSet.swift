import TLSDumpBase

/// Several capture files read as one input (`-r a b`, a directory, `-V`): a
/// rotated set (`tcpdump -C/-G`, `dumpcap -b`) or files of several interfaces.
///
/// Packets come in time order: files whose time ranges overlap are merged by
/// timestamp, as mergecap does, so a connection that spans a rotation or two
/// interfaces' files is one connection. Opening is lazy: a pre-scan reads
/// each file's first timestamp (open, one packet, close); the merge opens a
/// file only once it reaches that time and closes it at its end, so a set of
/// a thousand rotated files holds one or two open, whatever its length.
///
/// A file that cannot be opened, has an unsupported link type or is cut
/// short is left out (`failures`); the rest is read. Packets carry their own
/// file's link type (`PacketHeader.linkType`). Not thread-safe.
public final class CaptureSet: PacketSource {
    /// Members with packets, in time order of their first packet.
    private let members: [CaptureSetMember]
    /// Files that could not be read, or not to their end; grows during the read.
    public private(set) var failures: [InputFileFailure]
    private let emptyMembers: [CaptureSetMember]
    private var filter = ""
    private var nextToOpen = 0
    private var open = OpenMemberHeap()
    /// Members opened so far (their packets were read), and their size.
    private var filesRead: Int
    private var bytesRead: Int64
    /// Size of the members fully read or left out: the progress before the open ones.
    private var consumedBytes: Int64
    private let totalBytes: Int64
    public let linkTypes: [Int32]
    public let linkType: Int32
    public let snapshotLength: Int

    private init(members: [CaptureSetMember], empty: [CaptureSetMember], failures: [InputFileFailure], totalBytes: Int64) {
        self.members = members
        self.emptyMembers = empty
        self.failures = failures
        self.totalBytes = totalBytes
        filesRead = empty.count
        bytesRead = empty.reduce(0) { $0 + $1.size }
        consumedBytes = bytesRead
        var linkTypes: [Int32] = []
        for member in members + empty where !linkTypes.contains(member.linkType) { linkTypes.append(member.linkType) }
        self.linkTypes = linkTypes
        linkType = linkTypes.first ?? -1
        snapshotLength = (members + empty).map(\.snapshotLength).max() ?? 0
    }

    deinit { close() }

    /// Pre-scans `paths` (no "-": stdin cannot be read twice). Throws the
    /// first file's error when no file can be read at all; a file whose link
    /// type `supported` refuses is left out as a failure.
    public static func open(paths: [String], supported: (Int32) -> Bool = { _ in true }) throws -> CaptureSet {
        var members: [CaptureSetMember] = []
        var empty: [CaptureSetMember] = []
        var failures: [InputFileFailure] = []
        var firstError: Error?
        var totalBytes: Int64 = 0
        for (order, path) in paths.enumerated() {
            do {
                let reader = try PcapReader.open(path: path)
                defer { reader.close() }
                let size = reader.fileSize ?? 0
                guard supported(reader.linkType) else {
                    throw CaptureError.unsupportedLinkType(name: reader.linkTypeName, dlt: reader.linkType)
                }
                var first: Timestamp?
                switch reader.nextPacket() {
                case .packet(let header, _): first = header.timestamp
                case .end(.truncated(let message)), .end(.readError(let message)):
                    failures.append(InputFileFailure(file: path, reason: "\(path) is truncated or unreadable (\(message))"))
                    continue
                case .end, .timeout: first = nil
                }
                let member = CaptureSetMember(path: path, order: order, size: size, linkType: reader.linkType,
                                              snapshotLength: reader.snapshotLength, firstTimestamp: first)
                totalBytes += size
                if first == nil { empty.append(member) } else { members.append(member) }
            } catch {
                if firstError == nil { firstError = error }
                failures.append(InputFileFailure(file: path, reason: "\(error)"))
            }
        }
        if members.isEmpty && empty.isEmpty, let firstError { throw firstError }
        members.sort { a, b in
            let ta = a.firstTimestamp ?? .zero, tb = b.firstTimestamp ?? .zero
            return ta != tb ? ta < tb : a.order < b.order
        }
        return CaptureSet(members: members, empty: empty, failures: failures, totalBytes: totalBytes)
    }

    /// The source for a run's input files: the file itself when there is one
    /// (stdin included), a capture set of them when there are several.
    /// One plain pcap or pcapng file is read in place (`MappedCaptureFile`)
    /// unless `inPlace` is false; compressed files, stdin and variants go
    /// through libpcap.
    public static func source(paths: [String], supported: (Int32) -> Bool = { _ in true },
                              inPlace: Bool = true) throws -> PacketSource {
        if paths.count > 1 { return try open(paths: paths, supported: supported) }
        let path = paths.first ?? "-"
        if inPlace, let mapped = MappedCaptureFile.open(path: path) { return mapped }
        return try PcapReader.open(path: path)
    }

    /// How many files the set reads (those left out at the pre-scan not counted).
    public var fileCount: Int { members.count + emptyMembers.count }

    /// The first file in time order (for sampling the start of the input).
    public var firstPath: String? { members.first?.path ?? emptyMembers.first?.path }

    public var linkTypeName: String { PcapHandle.name(ofLinkType: linkType) }

    public var linkTypeDescription: String {
        PcapHandle.dead(linkType: linkType, snapshotLength: snapshotLength)?.linkTypeDescription ?? linkTypeName
    }

    /// Compiled now for each link type (a bad expression fails here, not in
    /// the middle of the read), installed on each file as it is opened.
    public func setFilter(_ expression: String) throws {
        for linkType in linkTypes {
            guard let handle = PcapHandle.dead(linkType: linkType, snapshotLength: snapshotLength) else { continue }
            defer { handle.close() }
            try handle.checkFilter(expression)
        }
        filter = expression
    }

    /// A file never times out: `onTimeout` is not called.
    public func forEachPacket(onTimeout: () -> Bool, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        forEachPacket(body)
    }

    /// The k-way merge. Failures of single files are in `failures`; the set
    /// itself ends at the end of its last file (or when `body` says stop).
    public func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd {
        while true {
            // A file is opened once the merge reaches its first packet; on a
            // tie the files already open go first (they come earlier in order).
            while nextToOpen < members.count {
                let member = members[nextToOpen]
                if let pending = open.first, let due = member.firstTimestamp, !(due < pending.header.timestamp) { break }
                nextToOpen += 1
                openMember(member)
            }
            guard var next = open.popFirst() else { return .endOfInput }
            if !body(next.header, next.bytes) {
                // Not resumed: the rest of this file is left unread.
                close(next.reader, of: next.member, .stopped)
                return .stopped
            }
            switch next.reader.nextPacket() {
            case .packet(let header, let bytes):
                next.header = header
                next.bytes = bytes
                open.push(next)
            case .end(let end):
                close(next.reader, of: next.member, end)
            case .timeout:
                close(next.reader, of: next.member, .endOfInput)
            }
        }
    }

    private func openMember(_ member: CaptureSetMember) {
        let reader: PcapReader
        do {
            reader = try PcapReader.open(path: member.path)
            if !filter.isEmpty { try reader.setFilter(filter) }
        } catch {
            // Changed or removed since the pre-scan.
            failures.append(InputFileFailure(file: member.path, reason: "\(error)"))
            consumedBytes += member.size
            return
        }
        filesRead += 1
        bytesRead += member.size
        switch reader.nextPacket() {
        case .packet(let header, let bytes):
            open.push(OpenMember(member: member, reader: reader, header: header, bytes: bytes))
        case .end(let end):
            close(reader, of: member, end)
        case .timeout:
            close(reader, of: member, .endOfInput)
        }
    }

    private func close(_ reader: PcapReader, of member: CaptureSetMember, _ end: ReadEnd) {
        reader.close()
        consumedBytes += member.size
        switch end {
        case .truncated(let message):
            failures.append(InputFileFailure(file: member.path, reason: "\(member.path) is truncated (\(message))"))
        case .readError(let message):
            failures.append(InputFileFailure(file: member.path, reason: "reading \(member.path) failed (\(message))"))
        case .endOfInput, .stopped:
            break
        }
    }

    /// Always nil: libpcap keeps no counters for savefiles.
    public func statistics() -> CaptureStatistics? { nil }

    /// One output file for the whole set: pcap through libpcap when every
    /// file has the same link type, else pcapng with an interface per link type.
    public func openDumper(path: String) throws -> PacketDumper {
        if linkTypes.count > 1 {
            let writer = try PcapngWriter(path: path, linkTypes: linkTypes, snapshotLength: snapshotLength)
            return PacketDumper(pcapng: writer, path: path)
        }
        guard let handle = PcapHandle.dead(linkType: linkType, snapshotLength: snapshotLength) else {
            throw CaptureError.cannotWriteCapture(path: path, message: "libpcap could not set up a writer")
        }
        defer { handle.close() }
        return try handle.openDumper(path: path)
    }

    public var fileTotals: InputFileTotals? {
        InputFileTotals(read: filesRead, bytes: bytesRead, failed: failures)
    }

    public var readPosition: (read: Int64, total: Int64)? {
        var position = consumedBytes
        for entry in open.entries { position += min(entry.reader.readPosition?.read ?? 0, entry.member.size) }
        return (min(position, totalBytes), totalBytes)
    }

    public func close() {
        for entry in open.removeAll() { entry.reader.close() }
        nextToOpen = members.count
    }
}
