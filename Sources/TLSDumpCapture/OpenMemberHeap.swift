/// A binary min-heap of the open members of a `CaptureSet`, by their pending
/// packet (`OpenMember.precedes`). Usually one or two entries: a rotated set
/// has one file open at a time, overlapping files one each.
struct OpenMemberHeap {
    private(set) var entries: [OpenMember] = []

    var first: OpenMember? { entries.first }
    var isEmpty: Bool { entries.isEmpty }

    mutating func push(_ entry: OpenMember) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest entry, removed.
    mutating func popFirst() -> OpenMember? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].precedes(entries[smallest]) { smallest = left }
            if right < entries.count && entries[right].precedes(entries[smallest]) { smallest = right }
            guard smallest != parent else { return top }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }

    mutating func removeAll() -> [OpenMember] {
        defer { entries.removeAll() }
        return entries
    }
}
