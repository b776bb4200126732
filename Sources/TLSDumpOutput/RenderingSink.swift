import TLSDumpAnalysis
import TLSDumpBase

/// A sink whose per-event work splits in two, so a sharded run (`--threads`)
/// does the expensive half on its analysis workers: each worker renders its
/// own events into bytes with its own renderer, and the output thread only
/// writes them, in each connection's order, whole lines at a time.
public protocol RenderingEventSink: EventSink {
    /// A renderer for one worker thread (each worker gets its own), or nil
    /// when this sink renders on the output thread (`emit(_:)` is used then).
    func makeRenderer() -> EventRenderer?
    /// Output thread: the bytes a worker's renderer made for an event (empty
    /// when the renderer's filter left it out), with the event itself when
    /// the renderer said the output thread needs it (nil otherwise).
    func emit(_ event: Event?, rendered: UnsafeRawBufferPointer)
}

/// Renders events on a worker thread. Not shared between threads.
public protocol EventRenderer: AnyObject {
    /// Appends the event's output (zero or more whole lines) to `buffer`.
    func render(_ event: Event, into buffer: inout [UInt8])
    /// Whether the output thread needs the event beside its bytes. Events it
    /// does not need stay on the worker: neither copied across threads nor
    /// freed on another thread's heap.
    func outputThreadNeeds(_ event: Event) -> Bool
}

extension EventRenderer {
    public func outputThreadNeeds(_ event: Event) -> Bool { true }
}

/// One worker's JSON encoder: the writer's filter and a reused buffer.
final class JSONLineRenderer: EventRenderer {
    private var filter: EventFilter
    private var json = JSONWriter(reservingCapacity: 1 << 14)

    init(filter: EventFilter) { self.filter = filter }

    func render(_ event: Event, into buffer: inout [UInt8]) {
        if case .trace = event.body { return }
        guard filter.admit(event) else { return }
        json.removeAll()
        JSONEventWriter.encode(event, into: &json)
        json.endLine()
        json.withBytes { buffer.append(contentsOf: $0) }
    }

    /// The bytes are all the writer needs.
    func outputThreadNeeds(_ event: Event) -> Bool { false }
}
