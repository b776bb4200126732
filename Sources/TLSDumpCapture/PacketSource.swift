/// What the pipeline needs from any packet source: the offline `PcapReader`
/// now, a live interface capture later (both wrap a `PcapHandle`).
public protocol PacketSource: AnyObject {
    var linkType: Int32 { get }
    var linkTypeName: String { get }
    func setFilter(_ expression: String) throws
    /// Delivers each packet; the buffer is only valid during the call. `body` returns false to stop.
    func forEachPacket(_ body: (PacketHeader, UnsafeRawBufferPointer) -> Bool) -> ReadEnd
    func close()
}

extension PacketSource {
    /// Throws `CaptureError.unsupportedLinkType` unless `isSupported(linkType)`;
    /// lets the caller check against the decoder without Capture depending on Decode.
    public func requireLinkType(supported isSupported: (Int32) -> Bool) throws {
        guard isSupported(linkType) else {
            throw CaptureError.unsupportedLinkType(name: linkTypeName, dlt: linkType)
        }
    }
}
