/// How alike the answers are when the same input is sent more than once: the share of identical
/// answers and their mean normalised similarity, over every pair of answers to one input.
public struct OutputConsistency: Sendable, Hashable {
    /// Inputs answered more than once.
    public var repeatedInputs = 0
    /// Pairs of answers compared.
    public var comparisons = 0
    /// Pairs whose answers were the same text.
    public var identical = 0
    /// The sum of the pairs' similarities.
    public var similaritySum = 0.0

    /// The most answers of one input compared (the latest), and the most words of an answer: they
    /// bound the work, which grows with the square of each.
    public static let answersCompared = 8
    public static let wordsCompared = 256

    public init() {}

    /// The consistency of `groups`, each the answers (oldest first) to one repeated input.
    public init(answers groups: [[String]]) {
        for group in groups where group.count > 1 {
            let answers = group.suffix(Self.answersCompared).map(Self.words)
            repeatedInputs += 1
            for first in answers.indices {
                for second in answers.indices where second > first {
                    comparisons += 1
                    if answers[first] == answers[second] { identical += 1 }
                    similaritySum += Self.similarity(answers[first], answers[second])
                }
            }
        }
    }

    /// The share of compared pairs with identical answers; `nil` when nothing was repeated.
    public var identicalShare: Double? { comparisons == 0 ? nil : Double(identical) / Double(comparisons) }
    /// The mean similarity of compared pairs, 0 to 1; `nil` when nothing was repeated.
    public var meanSimilarity: Double? { comparisons == 0 ? nil : similaritySum / Double(comparisons) }

    static func + (lhs: OutputConsistency, rhs: OutputConsistency) -> OutputConsistency {
        var sum = lhs
        sum.repeatedInputs += rhs.repeatedInputs
        sum.comparisons += rhs.comparisons
        sum.identical += rhs.identical
        sum.similaritySum += rhs.similaritySum
        return sum
    }

    /// 1 − the word-level edit distance over the longer answer's length: 1 for the same words,
    /// 0 for nothing in common. Case and spacing do not count.
    public static func similarity(_ first: String, _ second: String) -> Double {
        similarity(words(first), words(second))
    }

    static func similarity(_ first: [Substring], _ second: [Substring]) -> Double {
        let longest = max(first.count, second.count)
        guard longest > 0 else { return 1 }
        return 1 - Double(editDistance(first, second)) / Double(longest)
    }

    static func words(_ text: String) -> [Substring] {
        text.lowercased().split(whereSeparator: \.isWhitespace).prefix(wordsCompared).map { $0 }
    }

    /// Levenshtein distance in words, one row at a time.
    static func editDistance(_ first: [Substring], _ second: [Substring]) -> Int {
        guard !first.isEmpty else { return second.count }
        var previous = Array(0...second.count)
        var current = previous
        for (row, word) in first.enumerated() {
            current[0] = row + 1
            for column in second.indices {
                let substitution = previous[column] + (word == second[column] ? 0 : 1)
                current[column + 1] = min(substitution, previous[column + 1] + 1, current[column] + 1)
            }
            swap(&previous, &current)
        }
        return previous[second.count]
    }
}
