/// Why frame reading stopped. A payload is whole once decrypted, so a frame
/// cut short is malformed.
public enum QUICFrameError: Error, Sendable, Equatable {
    /// The frame starting at payload offset `at` runs past the end or has an invalid field.
    case malformed(at: Int)
    /// A frame type we cannot skip (frames carry no length), at payload offset `at`.
    case unknownFrameType(UInt64, at: Int)
}
