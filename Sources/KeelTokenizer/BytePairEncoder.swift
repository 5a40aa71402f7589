/// Byte-pair encoding of one piece, as tiktoken merges it: repeatedly join the adjacent pair whose
/// joined bytes have the lowest rank (the leftmost on ties) until no pair is a token.
enum BytePairEncoder {
    static func encode(_ piece: UnsafeBufferPointer<UInt8>, ranks: BytePairRanks, into tokens: inout [Int]) {
        if let whole = ranks.rank(of: piece) {
            tokens.append(Int(whole))
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
}
