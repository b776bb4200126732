import TLSDumpAnalysis
import TLSDumpOutput

/// Forwards every event to the real writer and remembers what `--fail-on`
/// and the progress line need: the highest finding severity and the TLS
/// connections seen so far.
final class FindingTracker: RenderingEventSink {
    private let inner: EventSink
    private(set) var highestSeverity: Severity?
    private(set) var connections = 0
    /// `--write-flagged`: connections with findings at or above its threshold.
    var flagged: FlaggedConnections?

    private let renderingInner: RenderingEventSink?

    init(forwardingTo inner: EventSink) {
        self.inner = inner
        renderingInner = inner as? RenderingEventSink
    }

    var wantsTrace: Bool { inner.wantsTrace }
    var wantsFindingsInSummary: Bool { inner.wantsFindingsInSummary }
    /// --fail-on, --write-flagged and the progress line need these whatever the writer shows.
    var wantedEvents: EventKinds { inner.wantedEvents.union([.finding, .connection]) }

    func emit(_ event: Event) {
        note(event)
        inner.emit(event)
    }

    /// Renders on the workers when the writer does; findings and connections
    /// still come to the output thread, for `note`.
    func makeRenderer() -> EventRenderer? { renderingInner?.makeRenderer().map(TrackingRenderer.init) }

    func emit(_ event: Event?, rendered: UnsafeRawBufferPointer) {
        if let event { note(event) }
        if let renderingInner {
            renderingInner.emit(event, rendered: rendered)
        } else if let event {
            inner.emit(event)
        }
    }

    private func note(_ event: Event) {
        switch event.body {
        case .finding(let f):
            if highestSeverity.map({ f.severity > $0 }) ?? true { highestSeverity = f.severity }
            flagged?.note(event)
        case .connection:
            connections += 1
        default:
            break
        }
    }

    /// True when a finding at or above `threshold` went by.
    func sawFinding(atOrAbove threshold: Severity) -> Bool {
        highestSeverity.map { $0 >= threshold } ?? false
    }
}

/// The writer's renderer, plus the events `FindingTracker.note` reads.
private final class TrackingRenderer: EventRenderer {
    private let inner: EventRenderer
    init(_ inner: EventRenderer) { self.inner = inner }

    func render(_ event: Event, into buffer: inout [UInt8]) { inner.render(event, into: &buffer) }

    func outputThreadNeeds(_ event: Event) -> Bool {
        switch event.body {
        case .finding, .connection: true
        default: inner.outputThreadNeeds(event)
        }
    }
}
