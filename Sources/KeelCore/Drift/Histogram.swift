import Foundation

/// NumPy's histograms, as Evidently bins numerical features for PSI and Jensen–Shannon:
/// `histogram_bin_edges(…, bins="sturges")` over both samples, then `histogram` of each on those edges.
enum Histogram {
    /// Sturges' edges over `values`: ⌈range / width⌉ equal bins, width = range / (log₂ n + 1) (at
    /// least 1 for integer data), from `linspace(min, max)`; a range of 0 is widened by ½ each way.
    static func sturgesEdges(_ values: [Double], integers: Bool) -> [Double] {
        guard var first = values.min(), var last = values.max() else { return [0, 1] }
        var width = (last - first) / (log2(Double(values.count)) + 1)
        if first == last {
            first -= 0.5
            last += 0.5
        }
        var bins = 1
        if width > 0 {
            if integers, width < 1 { width = 1 }
            bins = Int(((last - first) / width).rounded(.up))
        }
        return linspace(first, last, count: bins + 1)
    }

    /// `numpy.linspace(start, stop, count)` with its endpoint, computed as NumPy computes it.
    static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        let divisions = Double(count - 1)
        let step = (stop - start) / divisions
        var values = (0..<count).map { Double($0) * step + start }
        if step == 0 { values = (0..<count).map { Double($0) / divisions * (stop - start) + start } }
        values[count - 1] = stop
        return values
    }

    /// `numpy.histogram(values, edges)`: each bin counts [edgeᵢ, edgeᵢ₊₁), the last one its right edge too.
    static func counts(_ values: [Double], edges: [Double]) -> [Int] {
        let sorted = values.sorted()
        var bounds = edges.dropLast().map { lowerBound(sorted, $0) }
        bounds.append(upperBound(sorted, edges[edges.count - 1]))
        return zip(bounds, bounds.dropFirst()).map { $1 - $0 }
    }

    /// The first index whose value is not below `value` (`searchsorted`, side left).
    static func lowerBound(_ sorted: [Double], _ value: Double) -> Int {
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first index whose value is above `value` (`searchsorted`, side right).
    static func upperBound(_ sorted: [Double], _ value: Double) -> Int {
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
