/// How two raters' labels of the same items agree: the confusion matrix (rows the reference's
/// labels, columns the other's), the share of items labelled alike and Cohen's κ — agreement beyond
/// what chance gives with the two raters' label frequencies (as `sklearn.metrics.cohen_kappa_score`).
public struct LabelAgreement: Sendable, Hashable {
    /// Every label either rater used, sorted.
    public var labels: [String]
    /// `matrix[i][j]`: items the reference labelled `labels[i]` and the other `labels[j]`.
    public var matrix: [[Int]]
    public var count: Int

    public init(_ pairs: some Sequence<(reference: String, predicted: String)>) {
        let pairs = Array(pairs)
        labels = Set(pairs.flatMap { [$0.reference, $0.predicted] }).sorted()
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        matrix = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        for pair in pairs { matrix[index[pair.reference]!][index[pair.predicted]!] += 1 }
        count = pairs.count
    }

    /// The share of items both labelled alike; `nil` without items.
    public var agreement: Double? {
        guard count > 0 else { return nil }
        return Double(labels.indices.reduce(0) { $0 + matrix[$1][$1] }) / Double(count)
    }

    /// Cohen's κ: (observed − expected agreement) / (1 − expected); `nil` when undefined — without
    /// items, or when both raters used one and the same label throughout (chance explains it all).
    public var kappa: Double? {
        guard let observed = agreement else { return nil }
        let total = Double(count)
        let expected = labels.indices.reduce(0.0) { sum, i in
            let row = Double(matrix[i].reduce(0, +))
            let column = Double(matrix.reduce(0) { $0 + $1[i] })
            return sum + row / total * column / total
        }
        guard expected < 1 else { return nil }
        return (observed - expected) / (1 - expected)
    }

    /// The count of items the reference labelled `reference` and the other `predicted`.
    public func count(reference: String, predicted: String) -> Int {
        guard let row = labels.firstIndex(of: reference), let column = labels.firstIndex(of: predicted) else { return 0 }
        return matrix[row][column]
    }
}
