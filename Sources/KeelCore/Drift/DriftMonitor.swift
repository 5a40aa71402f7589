/// A route's drift monitor (its `drift` section): the features it watches, what the current window
/// is compared with, how long drift must last before it counts, and the tests and thresholds.
///
/// ```yaml
/// drift:
///   features: [input_tokens, output_tokens, latency_ms, finish_reason, input_script, metadata.segment,
///              { name: metadata.amount, kind: numerical }]
///   window: { minutes: 60 }          # or { requests: 1000 }: at least that many, in whole minutes
///   baseline: { trailing_windows: 24 }   # or { fixed_windows: 24 }: the first windows, kept;
///                                        # or { dataset: NAME }: the route's latest evaluation run on it
///   persistence: 2                   # windows in a row a feature must drift before it alerts
///   min_samples: 100                 # a feature with fewer values in a window is not judged
///   max_samples: 10000               # a window keeps at most this many requests, a uniform sample of them
///   tests: { input_tokens: psi }     # the test of a feature, instead of Evidently's choice
///   thresholds: { psi: 0.2 }         # a test's threshold, instead of its default
/// ```
///
/// Several features tested every window would multiply false alarms, so the p-value tests of a window
/// share its significance (Bonferroni: each feature's p-value is held to α ÷ the features judged),
/// and a feature alerts only when it drifts `persistence` windows in a row.
public struct DriftMonitor: Sendable, Hashable {
    public enum Window: Sendable, Hashable {
        case seconds(Double)
        /// At least this many requests (of every replica), made of whole slices of a minute.
        case requests(Int)

        /// What requests are gathered in and stored by: the window itself, or for a row-count
        /// window a slice of ``requestSliceSeconds``.
        public var sliceSeconds: Double {
            switch self {
            case .seconds(let length): length
            case .requests: Self.requestSliceSeconds
            }
        }

        public static let requestSliceSeconds: Double = 60
    }

    public enum Baseline: Sendable, Hashable {
        /// The windows just before the current one.
        case trailing(windows: Int)
        /// The first windows the monitor saw, kept.
        case fixed(windows: Int)
        /// The route's answers to an evaluation dataset: the requests of its latest finished run on the route.
        case dataset(String)

        /// How many windows make the baseline; `nil` for a dataset.
        public var windows: Int? {
            switch self {
            case .trailing(let windows), .fixed(let windows): windows
            case .dataset: nil
            }
        }
    }

    public var features: [DriftFeature]
    public var window: Window
    public var baseline: Baseline
    public var persistence: Int
    public var minimumSamples: Int
    /// The most requests a window keeps (a uniform reservoir sample of them), so that judging
    /// costs the same however busy the route.
    public var maximumSamples: Int
    public var tests: [String: DriftTest]
    public var thresholds: [DriftTest: Double]

    public init(
        features: [DriftFeature],
        window: Window = .seconds(3600),
        baseline: Baseline = .trailing(windows: 24),
        persistence: Int = 2,
        minimumSamples: Int = 100,
        maximumSamples: Int = 10_000,
        tests: [String: DriftTest] = [:],
        thresholds: [DriftTest: Double] = [:]
    ) {
        self.features = features
        self.window = window
        self.baseline = baseline
        self.persistence = persistence
        self.minimumSamples = minimumSamples
        self.maximumSamples = maximumSamples
        self.tests = tests
        self.thresholds = thresholds
    }

    /// Whether the monitor watches a feature of the content, which its route's requests then note.
    public var readsContent: Bool { features.contains(where: \.readsContent) }

    static let fields: Set<String> = ["features", "window", "baseline", "persistence", "min_samples", "max_samples", "tests", "thresholds"]

    public init(json value: JSONValue, path: String = "") throws(KeelError) {
        guard let object = value.objectValue else { throw KeelError(.invalidType, "A drift monitor is an object.", param: path) }
        let reader = FieldReader(object, path: path)
        if let unknown = object.keys.first(where: { !Self.fields.contains($0) }) {
            throw reader.invalid(unknown, "is not a drift setting (\(Self.fields.sorted().joined(separator: ", "))).")
        }
        var features: [DriftFeature] = []
        for (index, item) in (try reader.array("features") ?? DriftFeature.defaults.map(JSONValue.string)).enumerated() {
            let feature = try DriftFeature(json: item, path: reader.param("features.\(index)"))
            guard !features.contains(where: { $0.name == feature.name }) else {
                throw reader.invalid("features.\(index)", "names '\(feature.name)' twice.")
            }
            features.append(feature)
        }
        guard !features.isEmpty else { throw reader.invalid("features", "name at least one feature.") }
        var window = Window.seconds(3600)
        if let given = try reader.object("window") {
            let windowReader = FieldReader(given, path: reader.param("window"))
            if let minutes = try windowReader.number("minutes", in: 0.1...100_000) {
                window = .seconds(minutes * 60)
            } else if let requests = try windowReader.integer("requests", in: 10...10_000_000) {
                window = .requests(requests)
            } else {
                throw reader.invalid("window", "write { minutes: 60 } or { requests: 1000 }.")
            }
        }
        var baseline = Baseline.trailing(windows: 24)
        if let given = try reader.object("baseline") {
            let baselineReader = FieldReader(given, path: reader.param("baseline"))
            if let windows = try baselineReader.integer("trailing_windows", in: 1...10_000) {
                baseline = .trailing(windows: windows)
            } else if let windows = try baselineReader.integer("fixed_windows", in: 1...10_000) {
                baseline = .fixed(windows: windows)
            } else if let dataset = try baselineReader.string("dataset") {
                baseline = .dataset(dataset)
            } else {
                throw reader.invalid("baseline", "write { trailing_windows: 24 }, { fixed_windows: 24 } or { dataset: NAME }.")
            }
        }
        var tests: [String: DriftTest] = [:]
        for entry in try reader.object("tests")?.entries ?? [] {
            guard features.contains(where: { $0.name == entry.key }) else {
                throw reader.invalid("tests.\(entry.key)", "is not one of the monitor's features.")
            }
            guard let test = entry.value.stringValue.flatMap(DriftTest.init(rawValue:)) else {
                throw reader.invalid("tests.\(entry.key)", "is not a test (\(DriftTest.allCases.map(\.rawValue).joined(separator: ", "))).")
            }
            tests[entry.key] = test
        }
        var thresholds: [DriftTest: Double] = [:]
        for entry in try reader.object("thresholds")?.entries ?? [] {
            guard let test = DriftTest(rawValue: entry.key) else {
                throw reader.invalid("thresholds.\(entry.key)", "is not a test (\(DriftTest.allCases.map(\.rawValue).joined(separator: ", "))).")
            }
            guard let threshold = entry.value.doubleValue, threshold > 0 else {
                throw reader.invalid("thresholds.\(entry.key)", "is a positive number.")
            }
            thresholds[test] = threshold
        }
        self.init(
            features: features,
            window: window,
            baseline: baseline,
            persistence: try reader.integer("persistence", in: 1...1_000) ?? 2,
            minimumSamples: try reader.integer("min_samples", in: 1...10_000_000) ?? 100,
            maximumSamples: try reader.integer("max_samples", in: 100...10_000_000) ?? 10_000,
            tests: tests,
            thresholds: thresholds
        )
    }
}
