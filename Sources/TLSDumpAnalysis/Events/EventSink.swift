import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// Where events go. Output formats implement it.
public protocol EventSink: AnyObject {
    /// Trace entries are only produced when a sink asks for them.
    var wantsTrace: Bool { get }
    /// The `connection` summary should carry the findings themselves, not
    /// only their ids (the text and trace stories print them).
    var wantsFindingsInSummary: Bool { get }
    /// The event types this sink writes or needs; the analysis emits no others
    /// (trace entries still only when `wantsTrace`).
    var wantedEvents: EventKinds { get }
    func emit(_ event: Event)
}

extension EventSink {
    public var wantsFindingsInSummary: Bool { false }
    public var wantedEvents: EventKinds { .all }
}
