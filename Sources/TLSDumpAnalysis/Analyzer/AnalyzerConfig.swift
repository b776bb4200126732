import TLSDumpFlow
import TLSDumpTrust

/// Limits and switches for the analysis stage.
public struct AnalyzerConfig: Sendable {
    public var flowLimits = FlowTableLimits.default
    public var reassemblyLimits = ReassemblyLimits.default
    /// Total out-of-order bytes buffered across all connections.
    public var maxBufferedBytesTotal = 256 * 1024 * 1024
    /// Ports where non-TLS traffic deserves a `not_tls` finding.
    public var watchedPorts: Set<UInt16> = [443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 8443]
    /// Handshake message entries kept per handshake (the rest are counted).
    public var maxMessagesPerHandshake = 64
    /// Handshakes kept per connection (the rest are counted).
    public var maxHandshakesPerConnection = 32
    /// Alerts kept per connection.
    public var maxAlertsPerConnection = 32
    /// Closed connections lingering for late packets (up to 2 s of capture
    /// time). Past this many the one closed longest ago is reported early, so
    /// memory follows the open connections even when thousands close each second.
    public var maxLingeringConnections = 4096

    /// Key log and RSA keys for decryption (nil: no decryption).
    public var keys: KeyMaterial?
    /// Keep decrypted application data for the trace's hex dump (`-x`).
    public var tracePayloads = false
    /// QUIC over UDP is analysed too (`--no-quic` turns it off: UDP is then not even decoded).
    public var quic = true
    /// Validates certificate chains (`validation` on the `connection` event and
    /// the chain findings); nil turns it off (`--no-validate`). Default: the
    /// system trust store, read once per process.
    public var validator: ChainValidator? = ChainValidator.system

    public init() {}
}
