import KeelCore
import KeelProviders
import Yams

/// A fault rehearsal: a Keel configuration whose providers are simulated, traffic to send through
/// it, and phases that change how the simulated providers behave (a spike of 5xx, an outage, the
/// recovery), each with figures it is expected to hold.
public struct RehearsalScenario: Sendable {
    /// What one phase expects; every figure is optional.
    public struct Expectations: Sendable {
        /// The least share of requests that must succeed (a labelled degraded answer counts).
        public var successRate: Double?
        /// The most requests that may run past their latency budget plus ``RehearsalReport/budgetMargin``.
        public var overBudget: Int?
        /// The most upstream calls per request.
        public var amplification: Double?
        /// The most share of requests sent while a deployment's breaker is open that may still reach it (probes aside).
        public var shareWhileOpen: [String: Double] = [:]
    }

    public struct Phase: Sendable {
        public var name: String
        public var duration: Duration
        /// The simulated providers' behaviour during the phase, by provider name; the others keep theirs.
        public var profiles: [String: SimulationProfile]
        public var expectations: Expectations
    }

    public struct Traffic: Sendable {
        /// The route the requests name as `model`.
        public var route: String
        /// Requests started per second, on schedule whatever the answers do (an open loop, as real clients are).
        public var rate: Double
        /// Share of requests that stream.
        public var streamShare: Double = 0
        /// The prompt each request sends.
        public var prompt = "Summarise the incident report in three sentences."
    }

    public var description: String
    public var gateway: KeelConfiguration
    public var traffic: Traffic
    public var phases: [Phase]

    public var duration: Duration { phases.reduce(.zero) { $0 + $1.duration } }

    /// Reads a scenario file; throws a ``ConfigurationError`` listing every problem.
    public static func load(file: String) throws -> RehearsalScenario {
        let text = try ConfigurationError.text(of: file)
        let (scenario, problems) = check(yaml: text)
        guard let scenario, problems.isEmpty else { throw ConfigurationError(file: file, problems: problems) }
        return scenario
    }

    /// Reads a scenario and reports every problem, as `keel config check` does for configurations.
    public static func check(yaml: String) -> (RehearsalScenario?, [ConfigurationProblem]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return (nil, [ConfigurationProblem(severity: .error, path: "", message: "not valid YAML: \(error)")])
        }
        var reader = YAMLReader()
        let sections = reader.mapping(root, "", allowed: ["description", "gateway", "traffic", "phases"])
        let section = Dictionary(sections.map { ($0.key, $0.node) }, uniquingKeysWith: { first, _ in first })
        let description = reader.string(section["description"], "description") ?? ""
        // Keys for a rehearsal's gateway are made on the spot; none come from the environment.
        let gateway = KeelConfiguration.read(section["gateway"], environment: [:], &reader)
        for provider in gateway.providers where provider.kind != .simulated {
            reader.report(
                section["gateway"],
                "gateway.providers.\(provider.name)",
                "a rehearsal only drives simulated providers.",
                fix: "use 'type: simulated'."
            )
        }
        let traffic = readTraffic(section["traffic"], gateway: gateway, &reader)
        let phases = readPhases(section["phases"], gateway: gateway, &reader)
        guard let traffic, !phases.isEmpty, reader.problems.isEmpty else {
            if phases.isEmpty, reader.problems.isEmpty {
                reader.report(root, "phases", "a rehearsal needs at least one phase.", fix: "add 'phases:' with a name and seconds each.")
            }
            return (nil, reader.problems)
        }
        return (RehearsalScenario(description: description, gateway: gateway, traffic: traffic, phases: phases), reader.problems)
    }

    private static func readTraffic(_ node: Node?, gateway: KeelConfiguration, _ reader: inout YAMLReader) -> Traffic? {
        let entries = Dictionary(
            reader.mapping(node, "traffic", allowed: ["route", "rate_per_second", "stream_share", "prompt"]).map { ($0.key, $0.node) },
            uniquingKeysWith: { first, _ in first }
        )
        guard let route = reader.string(entries["route"], "traffic.route"),
            let rate = reader.number(entries["rate_per_second"], "traffic.rate_per_second", in: 0.1...100_000)
        else {
            reader.report(node, "traffic", "needs a route and a rate.", fix: "write 'traffic: { route: NAME, rate_per_second: 200 }'.")
            return nil
        }
        guard gateway.routes.contains(where: { $0.name == route }) else {
            reader.report(
                entries["route"],
                "traffic.route",
                "the gateway has no route named '\(route)'.",
                fix: "name one of the routes under gateway.routes."
            )
            return nil
        }
        var traffic = Traffic(route: route, rate: rate)
        traffic.streamShare = reader.number(entries["stream_share"], "traffic.stream_share", in: 0...1) ?? 0
        traffic.prompt = reader.string(entries["prompt"], "traffic.prompt") ?? traffic.prompt
        return traffic
    }

    private static func readPhases(_ node: Node?, gateway: KeelConfiguration, _ reader: inout YAMLReader) -> [Phase] {
        guard let node else { return [] }
        guard case .sequence(let items) = node else {
            reader.report(node, "phases", "expected a list of phases.")
            return []
        }
        var phases: [Phase] = []
        for (index, item) in items.enumerated() {
            let path = "phases.\(index)"
            let entries = Dictionary(
                reader.mapping(item, path, allowed: ["name", "seconds", "providers", "expect"]).map { ($0.key, $0.node) },
                uniquingKeysWith: { first, _ in first }
            )
            guard let seconds = reader.number(entries["seconds"], "\(path).seconds", in: 0.1...86_400) else {
                reader.report(item, "\(path).seconds", "a phase needs its length.", fix: "add 'seconds: 30'.")
                continue
            }
            var profiles: [String: SimulationProfile] = [:]
            for (name, settings) in reader.mapping(entries["providers"], "\(path).providers") {
                guard let provider = gateway.providers.first(where: { $0.name == name }) else {
                    reader.report(settings, "\(path).providers.\(name)", "the gateway has no provider named '\(name)'.")
                    continue
                }
                let allowed = ["latency", "tokens_per_second", "output_tokens", "faults"]
                let overrides = Dictionary(
                    reader.mapping(settings, "\(path).providers.\(name)", allowed: allowed).map { ($0.key, $0.node) },
                    uniquingKeysWith: { first, _ in first }
                )
                profiles[name] = KeelConfiguration.readSimulation(overrides, path: "\(path).providers.\(name)", base: provider.simulation, &reader)
            }
            phases.append(
                Phase(
                    name: reader.string(entries["name"], "\(path).name") ?? "phase \(index + 1)",
                    duration: .milliseconds(Int64(seconds * 1000)),
                    profiles: profiles,
                    expectations: readExpectations(entries["expect"], path: "\(path).expect", gateway: gateway, &reader)
                )
            )
        }
        return phases
    }

    private static func readExpectations(_ node: Node?, path: String, gateway: KeelConfiguration, _ reader: inout YAMLReader) -> Expectations {
        var expectations = Expectations()
        for (key, value) in reader.mapping(node, path, allowed: ["success_rate", "over_budget", "amplification", "share_while_open"]) {
            switch key {
            case "success_rate": expectations.successRate = reader.number(value, "\(path).success_rate", in: 0...1)
            case "over_budget": expectations.overBudget = reader.integer(value, "\(path).over_budget", in: 0...Int.max)
            case "amplification": expectations.amplification = reader.number(value, "\(path).amplification", in: 1...100)
            default:
                for (model, share) in reader.mapping(value, "\(path).share_while_open") {
                    guard gateway.models.contains(where: { $0.name == model }) else {
                        reader.report(share, "\(path).share_while_open.\(model)", "the gateway has no model named '\(model)'.")
                        continue
                    }
                    expectations.shareWhileOpen[model] = reader.number(share, "\(path).share_while_open.\(model)", in: 0...1)
                }
            }
        }
        return expectations
    }
}
