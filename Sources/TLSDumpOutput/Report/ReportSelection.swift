import TLSDumpAnalysis

/// Which connections the report shows: at most `capacity`, those with the
/// worst finding first and, among equals, the first in the capture. A later
/// connection takes a place only from one with a milder worst finding, so
/// the choice does not depend on how the capture ends, and a connection is
/// rendered only when it is kept (most of a big capture is only counted).
struct ReportSelection {
    /// Severity + 1 of the worst finding; 0 for a connection without findings (`--report-all`).
    struct Rank: Comparable {
        var worst: Int
        var serial: Int

        /// Worse first, then earlier first.
        static func < (a: Rank, b: Rank) -> Bool {
            a.worst != b.worst ? a.worst > b.worst : a.serial < b.serial
        }
    }

    struct Entry {
        var rank: Rank
        var connection: ReportedConnection
    }

    let capacity: Int
    /// In the order shown.
    private(set) var entries: [Entry] = []
    /// Candidates that were not kept, or pushed out by worse ones.
    private(set) var leftOut = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Whether a candidate of this rank would be kept (call before rendering it).
    func admits(_ rank: Rank) -> Bool {
        guard entries.count >= capacity, let last = entries.last else { return true }
        return rank < last.rank
    }

    /// A candidate that was not admitted.
    mutating func skip() { leftOut += 1 }

    mutating func insert(_ connection: ReportedConnection, rank: Rank) {
        guard admits(rank) else { leftOut += 1; return }
        // Binary search for the place: entries stay ordered by rank.
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].rank < rank { low = mid + 1 } else { high = mid }
        }
        entries.insert(Entry(rank: rank, connection: connection), at: low)
        if entries.count > capacity {
            entries.removeLast()
            leftOut += 1
        }
    }
}

/// A connection the report shows, rendered when it was kept.
struct ReportedConnection {
    var flowID: String
    /// Worst finding, nil for a connection without findings.
    var worst: Severity?
    /// Its row in the table of flagged connections (HTML).
    var tableRow: String
    /// Its section: header, story, findings and ladder (HTML).
    var section: String
}
