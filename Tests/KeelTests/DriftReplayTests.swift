import Foundation
import KeelCore
import Testing

/// The drift monitor over synthetic traffic, replayed window by window as the live service judges:
/// few false alarms on stationary traffic at the default settings, and a modest shift caught quickly.
@Suite struct DriftReplayTests {
    /// SplitMix64: a seeded generator, so that every run draws the same traffic.
    struct Draws: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func normal() -> Double {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
            let v = Double.random(in: 0..<1, using: &self)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }

        mutating func lognormal(_ mu: Double, _ sigma: Double) -> Double { exp(mu + sigma * normal()) }

        mutating func pick(_ weights: [(String, Double)]) -> String {
            var draw = Double.random(in: 0..<1, using: &self)
            for (value, weight) in weights {
                draw -= weight
                if draw < 0 { return value }
            }
            return weights[weights.count - 1].0
        }
    }

    /// A window of `size` requests like a chat route's; input tokens scaled by `growth`.
    static func window(_ number: Int, size: Int, growth: Double = 1, draws: inout Draws) -> DriftReplay.Window {
        var input: [Double] = []
        var output: [Double] = []
        var latency: [Double] = []
        var cost: [Double] = []
        var finish: [String] = []
        var model: [String] = []
        for _ in 0..<size {
            let tokensIn = (draws.lognormal(6, 0.5) * growth).rounded(.down)
            let tokensOut = draws.lognormal(4, 0.6).rounded(.down)
            input.append(tokensIn)
            output.append(tokensOut)
            latency.append(200 + tokensOut * 12 * draws.lognormal(0, 0.3))
            cost.append(tokensIn * 0.15e-6 + tokensOut * 0.6e-6)
            finish.append(draws.pick([("stop", 0.92), ("length", 0.07), ("content_filter", 0.01)]))
            model.append(draws.pick([("sim-mini", 0.7), ("sim-large", 0.3)]))
        }
        return DriftReplay.Window(
            number: number,
            columns: [
                "input_tokens": .numerical(input, integers: true), "output_tokens": .numerical(output, integers: true),
                "latency_ms": .numerical(latency, integers: false), "cost_usd": .numerical(cost, integers: false),
                "finish_reason": .categorical(finish), "model": .categorical(model),
                "prompt_version": .categorical(Array(repeating: "3", count: size)),
            ]
        )
    }

    static let monitor = try! DriftMonitor(json: [:])

    @Test func stationaryTrafficRaisesAtMostOneAlertInAHundredWindows() throws {
        var alerting = 0
        var judged = 0
        for seed in [11] as [UInt64] {
            var draws = Draws(state: seed)
            let windows = (0..<(24 + 100)).map { Self.window($0, size: 500, draws: &draws) }
            let judgements = try DriftReplay(monitor: Self.monitor).run(windows).compactMap(\.judgement)
            judged += judgements.count
            alerting += judgements.count { !$0.alerts.isEmpty }
        }
        #expect(judged == 100)
        #expect(alerting <= 1, "\(alerting) alerting windows in \(judged)")
    }

    @Test func inputTokensFifteenPercentUpAreCaughtWithinTwoWindows() throws {
        var draws = Draws(state: 7)
        let onset = 24 + 30
        let windows = (0..<(onset + 10)).map { Self.window($0, size: 500, growth: $0 >= onset ? 1.15 : 1, draws: &draws) }
        let judgements = try DriftReplay(monitor: Self.monitor).run(windows).compactMap(\.judgement)
        let first = try #require(judgements.first { !$0.alerts.isEmpty }, "the shift was never caught")
        #expect(first.window >= onset && first.window <= onset + 1, "caught at window \(first.window), onset \(onset)")
        #expect(first.alerts.first?.feature == "input_tokens" && first.state == .drifting)
        #expect(judgements.filter { $0.window < onset }.allSatisfy { $0.state == .ok })
    }

    @Test func monitorsAreReadWithTheirPlaceAndTheirDefaults() throws {
        let monitor = try DriftMonitor(
            json: [
                "features": ["input_tokens", "finish_reason"], "window": ["requests": 1000], "baseline": ["fixed_windows": 4],
                "tests": ["input_tokens": "psi"], "thresholds": ["psi": 0.2], "persistence": 3,
            ]
        )
        #expect(monitor.features.map(\.name) == ["input_tokens", "finish_reason"] && monitor.window == .requests(1000))
        #expect(monitor.baseline == .fixed(windows: 4) && monitor.tests["input_tokens"] == .psi && monitor.thresholds[.psi] == 0.2)
        #expect(Self.monitor.features.map(\.name) == DriftFeature.defaults && Self.monitor.persistence == 2)
        for (json, param) in [
            (["features": ["mood"]] as JSONValue, "d.features.0"), (["features": [["finish_reason": "numerical"]]], "d.features.0"),
            (["tests": ["latency_ms": "magic"]], "d.tests.latency_ms"), (["window": ["hours": 1]], "d.window"),
            (["baseline": ["last": 3]], "d.baseline"),
        ] {
            do {
                _ = try DriftMonitor(json: json, path: "d")
                Issue.record("\(json) was read")
            } catch { #expect(error.param == param, "\(json): \(error)") }
        }
    }
}
