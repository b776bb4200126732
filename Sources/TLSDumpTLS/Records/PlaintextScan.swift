import TLSDumpBase

/// A record stream's search for TLS in plaintext, kept out of line (most
/// streams start with TLS and never need it).
struct PlaintextScan: DefaultInitializable {
    /// The last bytes of the previous chunk (fewer than `HelloStart.windowSize`):
    /// a hello may start there and end in the next chunk.
    var carry: [UInt8] = []
    /// What was skipped, for naming the protocol.
    var preamble = PlaintextPreamble()

    init() {}
}
