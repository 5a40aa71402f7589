/// Recorded windows fed through a monitor as the live service feeds them: `keel drift replay`.
/// Each line is `{"window": N, "columns": {"feature": [values, …], …}}` (other fields ignored); the
/// baseline is the first `fixed_windows`, or the `trailing_windows` before each one, and windows
/// before a full baseline only fill it.
public struct DriftReplay: Sendable {
    /// A window's number and each watched feature's values in it.
    public struct Window: Sendable {
        public var number: Int
        public var columns: [String: DriftSample]

        public init(number: Int, columns: [String: DriftSample]) {
            self.number = number
            self.columns = columns
        }
    }

    public let monitor: DriftMonitor

    /// A replay of `monitor`, whose baseline must be windows: a dataset's runs are not in a file.
    public init(monitor: DriftMonitor) throws(KeelError) {
        guard monitor.baseline.windows != nil else {
            throw KeelError(.invalidValue, "A replay compares recorded windows; give the monitor a trailing or fixed baseline.", param: "baseline")
        }
        self.monitor = monitor
    }

    /// Reads a line; columns of features the monitor does not watch are ignored, and the watched
    /// ones must have equal lengths.
    public func window(json value: JSONValue) throws(KeelError) -> Window {
        let reader = try FieldReader(body: value)
        let number = try reader.required("window", "an integer") { $0.integerValue.map(Int.init) }
        let columns = try reader.required("columns", "an object of arrays") { $0.objectValue }
        var samples: [String: DriftSample] = [:]
        var length: Int?
        for feature in monitor.features {
            guard let values = columns[feature.name] else { continue }
            guard let items = values.arrayValue else {
                throw KeelError(.invalidType, "'columns.\(feature.name)' is an array.", param: "columns.\(feature.name)")
            }
            if let length, length != items.count {
                throw KeelError(
                    .invalidValue,
                    "The columns have different lengths (\(length) and \(items.count) for '\(feature.name)').",
                    param: "columns.\(feature.name)"
                )
            }
            length = items.count
            do { samples[feature.name] = try feature.sample(items) } catch {
                throw KeelError(error.code, "'columns.\(feature.name)': \(error.message)", param: "columns.\(feature.name)")
            }
        }
        return Window(number: number, columns: samples)
    }

    /// Each window's judgement, in order; windows that only fill the baseline are judged `nil`.
    public func run(_ windows: [Window]) -> [(window: Window, judgement: DriftTracker.Judgement?)] {
        var tracker = DriftTracker(monitor: monitor)
        var results: [(window: Window, judgement: DriftTracker.Judgement?)] = []
        for (index, window) in windows.enumerated() {
            let count = monitor.baseline.windows ?? 0
            guard index >= count else {
                results.append((window, nil))
                continue
            }
            let reference: ArraySlice<Window>
            switch monitor.baseline {
            case .fixed, .dataset: reference = windows[0..<count]
            case .trailing: reference = windows[(index - count)..<index]
            }
            results.append(
                (window, tracker.judge(window: window.number, baseline: Self.merged(reference, monitor.features), current: window.columns))
            )
        }
        return results
    }

    /// The windows' samples of each feature, one after another.
    static func merged(_ windows: ArraySlice<Window>, _ features: [DriftFeature]) -> [String: DriftSample] {
        var merged: [String: DriftSample] = [:]
        for feature in features {
            let samples = windows.compactMap { $0.columns[feature.name] }
            guard !samples.isEmpty else { continue }
            switch feature.kind {
            case .numerical:
                var values: [Double] = []
                var integers = true
                for case .numerical(let part, let whole) in samples {
                    values += part
                    integers = integers && whole
                }
                merged[feature.name] = .numerical(values, integers: integers)
            case .categorical:
                merged[feature.name] = .categorical(samples.flatMap(\.categories))
            }
        }
        return merged
    }
}

extension DriftTracker.Judgement {
    /// `{"window", "state", "alerts": [{"feature", "statistic", "value"}]}`: a replay's line.
    public var json: JSONObject {
        JSONObject([
            ("window", JSONValue(window)), ("state", .string(state.rawValue)),
            (
                "alerts",
                .array(alerts.map { ["feature": .string($0.feature), "statistic": .string($0.test.rawValue), "value": .double($0.value)] })
            ),
        ])
    }
}
