/// What the pipeline needs from any packet source: the offline `PcapReader`
/// and the live `LiveCapture` (both wrap a `PcapHandle`).
public protocol PacketSource: AnyObject {
    var linkType: Int32 { get }
    var linkTypeName: String { get }
    /// libpcap's human name of the link type ("Ethernet").
    var linkTypeDescription: String { get }
    var snapshotLength: Int { get }
    func setFilter(_ expression: String) throws
    /// Delivers each packet; the buffer is only valid during the call. `body` returns false to stop.
    func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd
    /// The same, and on a live capture `onTimeout` runs whenever the read
    /// timeout passed without a packet (it returns false to stop). Files never time out.
    func forEachPacket(onTimeout: () -> Bool, _ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd
    /// libpcap's counters; nil for files.
    func statistics() -> CaptureStatistics?
    /// A pcap savefile for copies of the packets read (`-w`), with this source's link type.
    func openDumper(path: String) throws -> PacketDumper
    func close()
    /// Every link type the packets may carry (`PacketHeader.linkType`): one,
    /// except for a `CaptureSet` whose files differ.
    var linkTypes: [Int32] { get }
    /// The input files read so far; nil for live capture.
    var fileTotals: InputFileTotals? { get }
    /// Bytes of the input consumed so far, of how many in all; nil when unknown (live, stdin).
    var readPosition: (read: Int64, total: Int64)? { get }
}

extension PacketSource {
    public var linkTypes: [Int32] { [linkType] }
    public var fileTotals: InputFileTotals? { nil }
    public var readPosition: (read: Int64, total: Int64)? { nil }

    /// Throws `CaptureError.unsupportedLinkType` unless `isSupported(linkType)`;
    /// lets the caller check against the decoder without Capture depending on Decode.
    public func requireLinkType(supported isSupported: (Int32) -> Bool) throws {
        guard isSupported(linkType) else {
            throw CaptureError.unsupportedLinkType(name: linkTypeName, dlt: linkType)
        }
    }
}
