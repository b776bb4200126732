import TLSDumpBase

/// One file of a `CaptureSet`, as the pre-scan found it.
struct CaptureSetMember {
    let path: String
    /// Its place in the list given (ties in time keep this order).
    let order: Int
    let size: Int64
    let linkType: Int32
    let snapshotLength: Int
    /// Its first packet's time; nil for a capture without packets.
    let firstTimestamp: Timestamp?
}
