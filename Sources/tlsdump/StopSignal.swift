#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM end a run cleanly: the handler only sets a flag that
/// the packet loop polls on every packet and every read timeout (250 ms), then
/// restores the default action so a second signal ends the process at once.
enum StopSignal {
    /// Written by the signal handler, read by the loop: memory the compiler
    /// cannot keep in a register across the libpcap calls in between.
    nonisolated(unsafe) static let flag: UnsafeMutablePointer<sig_atomic_t> = {
        let pointer = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    static func install() {
        _ = flag  // allocate before any handler can run
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                StopSignal.flag.pointee = 1
                signal(received, SIG_DFL)
            }
        }
    }

    static var requested: Bool { flag.pointee != 0 }
}
