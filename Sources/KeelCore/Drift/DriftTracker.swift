/// A monitor's judgement window after window: each feature's test against the baseline, the
/// window's shared significance, how long each feature has drifted, and the monitor's state —
/// `drifting` once a feature drifts `persistence` windows in a row, `ok` again once no feature has
/// drifted for as many. The live service and `keel drift replay` both run one.
public struct DriftTracker: Sendable {
    public enum State: String, Sendable, Hashable {
        case ok, drifting
    }

    /// One feature's test in one window.
    public struct Finding: Sendable, Hashable {
        public var feature: String
        public var test: DriftTest
        public var value: Double
        /// The threshold it was held to (a p-value test's, divided among the window's p-value tests).
        public var threshold: Double
        public var drifted: Bool
        /// Windows in a row this feature has drifted, this one included.
        public var streak: Int

        public init(feature: String, test: DriftTest, value: Double, threshold: Double, drifted: Bool, streak: Int) {
            self.feature = feature
            self.test = test
            self.value = value
            self.threshold = threshold
            self.drifted = drifted
            self.streak = streak
        }

        /// How far past its threshold the value is: > 1 drifted, for ordering what moved most.
        public var severity: Double {
            test.isPValue ? threshold / max(value, .leastNonzeroMagnitude) : value / threshold
        }
    }

    public struct Judgement: Sendable, Hashable {
        public var window: Int
        public var state: State
        public var findings: [Finding]
        /// The features that moved most when the state turned to drifting (empty otherwise).
        public var alerts: [Finding]
        /// Features not judged for lack of values, in the window or the baseline.
        public var skipped: [String]
    }

    public let monitor: DriftMonitor
    public private(set) var state = State.ok
    private var streaks: [String: Int] = [:]
    private var calm = 0

    public init(monitor: DriftMonitor) { self.monitor = monitor }

    /// A tracker carrying on after a stored judgement: its state, each feature's streak, its calm.
    public init(monitor: DriftMonitor, after last: DriftJudgementRecord?) {
        self.monitor = monitor
        guard let last else { return }
        state = last.state
        calm = last.calm
        for finding in last.findings { streaks[finding.feature] = finding.streak }
    }

    /// The windows in a row without a drifting feature, while drifting.
    public var calmWindows: Int { calm }

    /// Judges `current` against `baseline`, feature by feature.
    public mutating func judge(window: Int, baseline: [String: DriftSample], current: [String: DriftSample]) -> Judgement {
        var measured: [(DriftFeature, DriftTest, Double)] = []
        var skipped: [String] = []
        for feature in monitor.features {
            guard let reference = baseline[feature.name], let sample = current[feature.name],
                reference.count >= monitor.minimumSamples, sample.count >= monitor.minimumSamples
            else {
                skipped.append(feature.name)
                continue
            }
            let test = monitor.tests[feature.name] ?? DriftTest.chosen(reference: reference, current: sample)
            measured.append((feature, test, test.value(reference: reference, current: sample)))
        }
        let pValueTests = max(measured.count { $0.1.isPValue }, 1)
        var findings: [Finding] = []
        for (feature, test, value) in measured {
            let base = monitor.thresholds[test] ?? test.defaultThreshold
            let threshold = test.isPValue ? base / Double(pValueTests) : base
            let drifted = test.drifts(value, threshold: threshold)
            let streak = drifted ? (streaks[feature.name] ?? 0) + 1 : 0
            streaks[feature.name] = streak
            findings.append(Finding(feature: feature.name, test: test, value: value, threshold: threshold, drifted: drifted, streak: streak))
        }
        for name in skipped { streaks[name] = 0 }
        let persisting = findings.filter { $0.streak >= monitor.persistence }
        var alerts: [Finding] = []
        switch state {
        case .ok where !persisting.isEmpty:
            state = .drifting
            calm = 0
            alerts = persisting.sorted { $0.severity > $1.severity }
        case .drifting:
            calm = findings.contains(where: \.drifted) ? 0 : calm + 1
            if calm >= monitor.persistence { state = .ok }
        default:
            break
        }
        return Judgement(window: window, state: state, findings: findings, alerts: alerts, skipped: skipped)
    }
}
