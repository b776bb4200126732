import TLSDumpAnalysis

/// Hands each event to the format's writer and to a second sink beside it
/// (`--report`): each gets the kinds it wants, trace entries only if it asks
/// for them. In a sharded run the writer still renders on the workers; the
/// events the second sink needs come to the output thread with the bytes.
public final class TeeEventSink: RenderingEventSink {
    private let primary: EventSink
    private let secondary: EventSink
    private let renderingPrimary: RenderingEventSink?
    private let primaryKinds: EventKinds
    private let secondaryKinds: EventKinds

    public init(primary: EventSink, secondary: EventSink) {
        self.primary = primary
        self.secondary = secondary
        renderingPrimary = primary as? RenderingEventSink
        primaryKinds = Self.kinds(of: primary)
        secondaryKinds = Self.kinds(of: secondary)
    }

    /// The kinds a sink takes, trace only when it asks for trace entries.
    private static func kinds(of sink: EventSink) -> EventKinds {
        sink.wantsTrace ? sink.wantedEvents : sink.wantedEvents.subtracting(.trace)
    }

    public var wantsTrace: Bool { primary.wantsTrace || secondary.wantsTrace }
    public var wantsFindingsInSummary: Bool { primary.wantsFindingsInSummary || secondary.wantsFindingsInSummary }
    public var wantedEvents: EventKinds { primaryKinds.union(secondaryKinds) }

    public func emit(_ event: Event) {
        let kind = event.body.kind
        if primaryKinds.contains(kind) { primary.emit(event) }
        if secondaryKinds.contains(kind) { secondary.emit(event) }
    }

    public func makeRenderer() -> EventRenderer? {
        renderingPrimary?.makeRenderer().map { TeeRenderer(inner: $0, primaryKinds: primaryKinds, secondaryKinds: secondaryKinds) }
    }

    public func emit(_ event: Event?, rendered: UnsafeRawBufferPointer) {
        guard let renderingPrimary else {
            if let event { emit(event) }
            return
        }
        renderingPrimary.emit(event.flatMap { primaryKinds.contains($0.body.kind) ? $0 : nil }, rendered: rendered)
        if let event, secondaryKinds.contains(event.body.kind) { secondary.emit(event) }
    }
}

/// The writer's renderer, for the kinds it takes; the second sink's kinds also go to the output thread.
private final class TeeRenderer: EventRenderer {
    private let inner: EventRenderer
    private let primaryKinds: EventKinds
    private let secondaryKinds: EventKinds

    init(inner: EventRenderer, primaryKinds: EventKinds, secondaryKinds: EventKinds) {
        self.inner = inner
        self.primaryKinds = primaryKinds
        self.secondaryKinds = secondaryKinds
    }

    func render(_ event: Event, into buffer: inout [UInt8]) {
        if primaryKinds.contains(event.body.kind) { inner.render(event, into: &buffer) }
    }

    func outputThreadNeeds(_ event: Event) -> Bool {
        let kind = event.body.kind
        return secondaryKinds.contains(kind) || (primaryKinds.contains(kind) && inner.outputThreadNeeds(event))
    }
}
