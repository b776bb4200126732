import TLSDumpAnalysis

/// Forwards every event to the real writer and remembers what `--fail-on`
/// and the progress line need: the highest finding severity and the TLS
/// connections seen so far.
final class FindingTracker: EventSink {
    private let inner: EventSink
    private(set) var highestSeverity: Severity?
    private(set) var connections = 0
    /// `--write-flagged`: connections with findings at or above its threshold.
    var flagged: FlaggedConnections?

    init(forwardingTo inner: EventSink) {
        self.inner = inner
    }

    var wantsTrace: Bool { inner.wantsTrace }

    func emit(_ event: Event) {
        switch event.body {
        case .finding(let f):
            if highestSeverity.map({ f.severity > $0 }) ?? true { highestSeverity = f.severity }
            flagged?.note(event)
        case .connection:
            connections += 1
        default:
            break
        }
        inner.emit(event)
    }

    /// True when a finding at or above `threshold` went by.
    func sawFinding(atOrAbove threshold: Severity) -> Bool {
        highestSeverity.map { $0 >= threshold } ?? false
    }
}
