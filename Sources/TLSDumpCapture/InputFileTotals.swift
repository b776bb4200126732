/// What a run read of its input files, for the `stats` event's `files`.
public struct InputFileTotals: Sendable, Equatable {
    /// Files whose packets were read (a file cut short included).
    public var read: Int
    /// Their size on disk; nil when unknown (stdin).
    public var bytes: Int64?
    /// Files that could not be opened or read to their end, with why.
    public var failed: [InputFileFailure]

    public init(read: Int, bytes: Int64?, failed: [InputFileFailure]) {
        self.read = read
        self.bytes = bytes
        self.failed = failed
    }
}

/// One member of a capture set that could not be read (whole).
public struct InputFileFailure: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    /// The reason, with the file's name in front unless it names it already.
    public var description: String { reason.contains(file) ? reason : "\(file): \(reason)" }
}
