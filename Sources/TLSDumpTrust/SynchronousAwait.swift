import Dispatch
import Synchronization

/// Runs an async operation from synchronous code (the analysis threads are
/// plain threads, not tasks). `Task.immediate` starts it on this thread; the
/// verifier over in-memory stores and synchronous policies never suspends,
/// so it normally finishes before `Task.immediate` returns, with no thread
/// hop. Should it suspend, this thread waits for it on a semaphore (never a
/// cooperative-pool thread, so the wait cannot starve the pool).
enum SynchronousAwait {
    /// How many operations needed the semaphore (0 is expected; read by the tests).
    static let suspensions = Atomic<Int>(0)

    /// nil only if the operation finished without a value, which it cannot.
    static func run<T: Sendable>(_ operation: sending @escaping () async -> T) -> T? {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task.immediate {
            let value = await operation()
            result.withLock { $0 = value }
            done.signal()
        }
        if let value = result.withLock({ $0 }) {
            _ = task
            return value
        }
        suspensions.add(1, ordering: .relaxed)
        done.wait()
        // The task stored its value before signalling.
        return result.withLock { $0 }
    }
}
