/// Why a capture could not be opened or configured. Each case prints as one
/// line a person can act on.
public enum CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case permissionDenied(path: String)
    case notARegularFile(path: String)
    case emptyFile(path: String)
    case notACaptureFile(path: String)
    /// The file is too short to hold its own file header (libpcap's detail).
    case truncatedHeader(path: String, detail: String)
    case unsupportedLinkType(name: String, dlt: Int32)
    case badFilter(expression: String, message: String)
    /// Any other libpcap open failure, with libpcap's message.
    case openFailed(path: String, message: String)
    /// A compressed file whose content, decompressed, is no capture.
    case compressedNotACapture(path: String, format: CompressionFormat)
    /// A compressed file that could not be decompressed far enough to open (the codec's reason).
    case decompressionFailed(path: String, message: String)
    case closed
    // Live capture (`LiveCapture.open`) and writing packets (`-w`).
    case noSuchInterface(name: String)
    /// PCAP_ERROR_PERM_DENIED: capturing needs privileges the process lacks.
    case capturePermissionDenied(interface: String)
    case promiscuousPermissionDenied(interface: String)
    case interfaceDown(name: String)
    /// Any other `pcap_create`/`pcap_activate` failure, with libpcap's message.
    case activateFailed(interface: String, message: String)
    case interfaceListFailed(message: String)
    case cannotWriteCapture(path: String, message: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): "no such file: \(path)"
        case .permissionDenied(let path): "permission denied: \(path)"
        case .notARegularFile(let path): "\(path) is not a regular file"
        case .emptyFile(let path): "\(path) is empty, not a pcap or pcapng capture"
        case .notACaptureFile(let path): "\(path) is not a pcap or pcapng capture"
        case .truncatedHeader(let path, let detail): "\(path) ends inside its file header (\(detail))"
        case .unsupportedLinkType(let name, let dlt): "unsupported link type \(name) (DLT \(dlt))"
        case .badFilter(let expression, let message): "bad capture filter \"\(expression)\": \(message)"
        case .openFailed(let path, let message): "cannot open \(path): \(message)"
        case .compressedNotACapture(let path, let format): "\(path): \(format.rawValue)-compressed, but not a pcap or pcapng capture"
        case .decompressionFailed(let path, let message): "cannot read \(path): \(message)"
        case .closed: "the capture has been closed"
        case .noSuchInterface(let name): "no such interface: \(name) (tlsdump -D lists the interfaces)"
        case .capturePermissionDenied(let name):
            "cannot capture on \(name): permission denied (live capture needs root, or the CAP_NET_RAW and CAP_NET_ADMIN capabilities)"
        case .promiscuousPermissionDenied(let name):
            "cannot put \(name) in promiscuous mode: permission denied (-p captures without it)"
        case .interfaceDown(let name): "cannot capture on \(name): the interface is down"
        case .activateFailed(let name, let message): "cannot capture on \(name): \(message)"
        case .interfaceListFailed(let message): "cannot list the capture interfaces: \(message)"
        case .cannotWriteCapture(let path, let message): "cannot write the capture file \(path): \(message)"
        }
    }
}
