/// Byte-pair encoding of one piece, as tiktoken merges it: repeatedly join the adjacent pair whose
/// joined bytes have the lowest rank (the leftmost on ties) until no pair is a token.
enum BytePairEncoder {
    /// Pieces longer than this are merged through a heap, so that a huge unbroken word (a blob of
    /// base64 in a prompt) costs n log n rather than n², with the same result.
    static let heapThreshold = 128

    static func encode(_ piece: UnsafeBufferPointer<UInt8>, ranks: BytePairRanks, into tokens: inout [Int]) {
        if let whole = ranks.rank(of: piece) {
            tokens.append(Int(whole))
            return
        }
        if piece.count > heapThreshold {
            encodeLong(piece, ranks: ranks, into: &tokens)
            return
        }
        // Parts by their start (the last entry is the end), each with the rank of itself joined to
        // the next part; kept in scratch memory on the stack for the usual short piece.
        withUnsafeTemporaryAllocation(of: (start: Int, rank: UInt32).self, capacity: piece.count + 1) { parts in
            let none = UInt32.max
            var count = piece.count + 1
            func pairRank(_ index: Int) -> UInt32 {
                guard index + 2 < count else { return none }
                return ranks.rank(of: UnsafeBufferPointer(rebasing: piece[parts[index].start..<parts[index + 2].start])) ?? none
            }
            for index in 0..<count { parts[index] = (index, none) }
            for index in 0..<count { parts[index].rank = pairRank(index) }
            while true {
                var best = none
                var bestIndex = 0
                for index in 0..<(count - 1) where parts[index].rank < best {
                    best = parts[index].rank
                    bestIndex = index
                }
                guard best != none else { break }
                for index in (bestIndex + 1)..<(count - 1) { parts[index] = parts[index + 1] }
                count -= 1
                parts[bestIndex].rank = pairRank(bestIndex)
                if bestIndex > 0 { parts[bestIndex - 1].rank = pairRank(bestIndex - 1) }
            }
            for index in 0..<(count - 1) {
                let token = UnsafeBufferPointer(rebasing: piece[parts[index].start..<parts[index + 1].start])
                tokens.append(Int(ranks.rank(of: token) ?? 0))
            }
        }
    }

    /// The same merges in the same order: the heap yields the lowest rank, leftmost first, and pairs
    /// made stale by a merge are skipped by their version.
    private static func encodeLong(_ piece: UnsafeBufferPointer<UInt8>, ranks: BytePairRanks, into tokens: inout [Int]) {
        let count = piece.count
        // Part i covers bytes start[i]..<start[next[i]]; a removed part has no successor (-2).
        let start = Array(0...count)
        var next = Array(1...count + 1)
        var previous = Array(-1..<count)
        var version = [Int](repeating: 0, count: count + 1)
        var heap = MergeHeap()
        func pairRank(_ index: Int) -> UInt32? {
            let second = next[index]
            guard second < count else { return nil }
            return ranks.rank(of: UnsafeBufferPointer(rebasing: piece[start[index]..<start[next[second]]]))
        }
        for index in 0..<count - 1 {
            if let rank = pairRank(index) { heap.push(.init(rank: rank, position: index, version: 0)) }
        }
        while let merge = heap.pop() {
            let left = merge.position
            guard next[left] != -2, version[left] == merge.version else { continue }
            let right = next[left]
            next[left] = next[right]
            if next[right] <= count { previous[next[right]] = left }
            next[right] = -2
            version[left] += 1
            if let rank = pairRank(left) { heap.push(.init(rank: rank, position: left, version: version[left])) }
            let before = previous[left]
            if before >= 0 {
                version[before] += 1
                if let rank = pairRank(before) { heap.push(.init(rank: rank, position: before, version: version[before])) }
            }
        }
        var index = 0
        while index < count {
            let token = UnsafeBufferPointer(rebasing: piece[start[index]..<start[next[index]]])
            tokens.append(Int(ranks.rank(of: token) ?? 0))
            index = next[index]
        }
    }
}

/// A binary min-heap of candidate merges ordered by rank, then position.
private struct MergeHeap {
    struct Merge {
        var rank: UInt32
        var position: Int
        var version: Int

        func precedes(_ other: Merge) -> Bool { (rank, position) < (other.rank, other.position) }
    }

    private var items: [Merge] = []

    mutating func push(_ merge: Merge) {
        items.append(merge)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Merge? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left].precedes(items[smallest]) { smallest = left }
            if right < items.count, items[right].precedes(items[smallest]) { smallest = right }
            guard smallest != parent else { return first }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
