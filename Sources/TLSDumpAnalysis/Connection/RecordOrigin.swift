/// How a record reached the handlers: as it was on the wire in clear, as
/// ciphertext nobody could read, or as the plaintext of a record a key
/// opened (with the record's length on the wire). Handlers take it as a
/// value; nothing reads a mode flag.
public enum RecordOrigin: Sendable, Equatable {
    case clear
    case encrypted
    case decrypted(recordLength: Int)

    /// The record was encrypted on the wire (read or not).
    var wasEncrypted: Bool { self != .clear }

    var isDecrypted: Bool {
        if case .decrypted = self { return true }
        return false
    }

    /// The ciphertext length of a decrypted record.
    var recordLength: Int? {
        if case .decrypted(let length) = self { return length }
        return nil
    }
}
