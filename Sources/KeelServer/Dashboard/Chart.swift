import Foundation

/// A line chart as inline SVG: one or more series over the same buckets, with a y-axis from zero
/// to the largest value and the first and last bucket labelled.
struct Chart {
    struct Series {
        var name: String
        var color: String
        /// One value a bucket; `nil` where there is none (no requests).
        var values: [Double?]
    }

    var title: String
    var series: [Series]
    /// The bucket labels (times).
    var labels: [String]
    /// How an axis value is written.
    var format: (Double) -> String = { String(format: "%.0f", $0) }

    static let width = 560.0
    static let height = 200.0
    static let margin = (left: 56.0, right: 12.0, top: 24.0, bottom: 28.0)

    /// Whether any series has a value: a chart without one says so instead of drawing axes.
    var hasData: Bool { series.contains { $0.values.contains { $0 != nil } } }

    var svg: String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        let top = max(values.max() ?? 0, 1e-12)
        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        let count = max(labels.count, 2)
        func x(_ index: Int) -> Double { Self.margin.left + plotWidth * Double(index) / Double(count - 1) }
        func y(_ value: Double) -> Double { Self.margin.top + plotHeight * (1 - value / top) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" \
            aria-label="\(HTML.escape(title))" data-points="\(values.count)">
            <text x="\(Self.margin.left)" y="14" font-size="12" font-weight="600">\(HTML.escape(title))</text>
            """
        for fraction in [0.0, 0.5, 1.0] {
            let level = y(top * fraction)
            svg +=
                #"<line x1="\#(Self.margin.left)" x2="\#(Self.width - Self.margin.right)" y1="\#(level)" y2="\#(level)" stroke="rgb(227,230,234)"/>"#
            svg +=
                #"<text x="\#(Self.margin.left - 4)" y="\#(level + 4)" font-size="10" text-anchor="end">\#(HTML.escape(format(top * fraction)))</text>"#
        }
        if let first = labels.first, let last = labels.last {
            svg += #"<text x="\#(x(0))" y="\#(Self.height - 8)" font-size="10">\#(HTML.escape(first))</text>"#
            svg += #"<text x="\#(x(count - 1))" y="\#(Self.height - 8)" font-size="10" text-anchor="end">\#(HTML.escape(last))</text>"#
        }
        for (index, line) in series.enumerated() {
            let points = line.values.enumerated().compactMap { bucket, value in value.map { String(format: "%.1f,%.1f", x(bucket), y($0)) } }
            if points.count == 1 {
                let point = points[0].split(separator: ",")
                svg += #"<circle cx="\#(point[0])" cy="\#(point[1])" r="3" fill="\#(line.color)"/>"#
            } else if !points.isEmpty {
                svg += #"<polyline fill="none" stroke="\#(line.color)" stroke-width="1.8" points="\#(points.joined(separator: " "))"/>"#
            }
            // Right-aligned, so that a long title keeps its room.
            let legend = Self.width - Self.margin.right - Double(series.count - index) * 80
            svg += #"<rect x="\#(legend)" y="5" width="10" height="10" fill="\#(line.color)"/>"#
            svg += #"<text x="\#(legend + 14)" y="14" font-size="11">\#(HTML.escape(line.name))</text>"#
        }
        if !hasData {
            svg += #"<text x="\#(Self.width / 2)" y="\#(Self.height / 2)" font-size="12" text-anchor="middle" fill="rgb(107,114,128)">no data</text>"#
        }
        return "<div class=\"chart\">" + svg + "</svg></div>"
    }
}
