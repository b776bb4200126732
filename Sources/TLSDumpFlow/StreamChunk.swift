/// What a direction's reassembler hands to its consumer, in stream order.
///
/// Between them, the chunks of one direction account for every sequence
/// number from the synchronisation point on: each byte is either delivered
/// once in `.data` or counted once in `.gap`, never both, never twice.
public enum StreamChunk {
    /// Stream bytes, borrowed: valid only during the callback (copy to keep).
    case data(UnsafeRawBufferPointer)
    /// This many bytes are known to be missing (lost in the capture); the
    /// next `.data` resumes right after them. Consumers must resynchronise.
    case gap(Int)
}
