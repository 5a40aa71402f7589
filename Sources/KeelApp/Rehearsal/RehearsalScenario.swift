import KeelCore
import KeelProviders
import Yams

/// A fault rehearsal: a Keel configuration whose providers are simulated, traffic to send through
/// it, and phases that change how the simulated providers behave (a spike of 5xx, an outage, the
/// recovery), each with figures it is expected to hold. A scenario without a `gateway` of its own
/// rehearses a deployment's configuration: its routes, models and policies as they are, each of
/// its providers stood in for by a simulator of the same name.
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
    /// Whether the gateway is a deployment's configuration rather than the scenario's own: a
    /// rehearsal of it is that route's evidence.
    public var rehearsesConfiguration = false
    public var traffic: Traffic
    public var phases: [Phase]

    public var duration: Duration { phases.reduce(.zero) { $0 + $1.duration } }

    /// Reads a scenario file, over `configuration` when it has no gateway of its own; throws a
    /// ``ConfigurationError`` listing every problem.
    public static func load(file: String, configuration: KeelConfiguration? = nil) throws -> RehearsalScenario {
        let text = try ConfigurationError.text(of: file)
        let (scenario, problems) = check(yaml: text, configuration: configuration)
        guard let scenario, problems.isEmpty else { throw ConfigurationError(file: file, problems: problems) }
        return scenario
    }

    /// Reads a scenario and reports every problem, as `keel config check` does for configurations.
    public static func check(yaml: String, configuration: KeelConfiguration? = nil) -> (RehearsalScenario?, [ConfigurationProblem]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return (nil, [ConfigurationProblem(severity: .error, path: "", message: "not valid YAML: \(error)")])
        }
        let reader = YAMLReader()
        let scenario = reader.section(root, "") { section -> RehearsalScenario? in
            let description = section.string("description") ?? ""
            let gatewayNode = section.node("gateway")
            let gateway: KeelConfiguration
            if gatewayNode == nil, let configuration {
                gateway = configuration.simulated
            } else {
                if gatewayNode == nil {
                    reader.report(
                        root,
                        "gateway",
                        "a scenario without a gateway rehearses a configuration's.",
                        fix: "give --config, or a 'gateway' section."
                    )
                }
                // Keys for a rehearsal's gateway are made on the spot; none come from the environment.
                gateway = KeelConfiguration.read(gatewayNode, environment: [:], reader)
                for provider in gateway.providers where provider.kind != .simulated {
                    reader.report(
                        gatewayNode,
                        "gateway.providers.\(provider.name)",
                        "a rehearsal only drives simulated providers.",
                        fix: "use 'type: simulated'."
                    )
                }
            }
            let traffic = section.section("traffic") { readTraffic(&$0, gateway: gateway) }
            let phases = readPhases(section.node("phases"), gateway: gateway, reader)
            if phases.isEmpty, reader.problems.isEmpty {
                reader.report(root, "phases", "a rehearsal needs at least one phase.", fix: "add 'phases:' with a name and seconds each.")
            }
            guard let traffic, !phases.isEmpty else { return nil }
            var scenario = RehearsalScenario(description: description, gateway: gateway, traffic: traffic, phases: phases)
            scenario.rehearsesConfiguration = gatewayNode == nil
            return scenario
        }
        guard reader.problems.isEmpty else { return (nil, reader.problems) }
        return (scenario, reader.problems)
    }

    private static func readTraffic(_ section: inout YAMLSection, gateway: KeelConfiguration) -> Traffic? {
        guard let route = section.string("route"), let rate = section.number("rate_per_second", in: 0.1...100_000) else {
            section.reader.report(
                section.node,
                "traffic",
                "needs a route and a rate.",
                fix: "write 'traffic: { route: NAME, rate_per_second: 200 }'."
            )
            return nil
        }
        guard gateway.routes.contains(where: { $0.name == route }) else {
            section.report("route", "the gateway has no route named '\(route)'.", fix: "name one of the routes under gateway.routes.")
            return nil
        }
        var traffic = Traffic(route: route, rate: rate)
        traffic.streamShare = section.number("stream_share", in: 0...1) ?? 0
        traffic.prompt = section.string("prompt") ?? traffic.prompt
        return traffic
    }

    private static func readPhases(_ node: Node?, gateway: KeelConfiguration, _ reader: YAMLReader) -> [Phase] {
        var phases: [Phase] = []
        for (index, (path, item)) in reader.items(node, "phases", fix: "write a list of phases, each with a name and seconds.").enumerated() {
            reader.section(item, path) { section in
                guard let duration = section.seconds("seconds", in: 0.1...86_400) else {
                    if section.node("seconds") == nil { section.report("seconds", "a phase needs its length.", fix: "add 'seconds: 30'.") }
                    return section.abandon()
                }
                var profiles: [String: SimulationProfile] = [:]
                for (name, settings) in reader.entries(section.node("providers"), section.path("providers")) {
                    guard let provider = gateway.providers.first(where: { $0.name == name }) else {
                        reader.report(settings, "\(section.path("providers")).\(name)", "the gateway has no provider named '\(name)'.")
                        continue
                    }
                    profiles[name] = reader.section(settings, "\(section.path("providers")).\(name)") {
                        KeelConfiguration.readSimulation(&$0, base: provider.simulation)
                    }
                }
                phases.append(
                    Phase(
                        name: section.string("name") ?? "phase \(index + 1)",
                        duration: duration,
                        profiles: profiles,
                        expectations: section.section("expect") { readExpectations(&$0, gateway: gateway) }
                    )
                )
            }
        }
        return phases
    }

    private static func readExpectations(_ section: inout YAMLSection, gateway: KeelConfiguration) -> Expectations {
        var expectations = Expectations()
        expectations.successRate = section.number("success_rate", in: 0...1)
        expectations.overBudget = section.integer("over_budget", in: 0...Int.max)
        expectations.amplification = section.number("amplification", in: 1...100)
        let shares = section.node("share_while_open")
        for (model, share) in section.reader.entries(shares, section.path("share_while_open")) {
            let path = "\(section.path("share_while_open")).\(model)"
            guard gateway.models.contains(where: { $0.name == model }) else {
                section.reader.report(share, path, "the gateway has no model named '\(model)'.")
                continue
            }
            expectations.shareWhileOpen[model] = section.reader.number(share, path, in: 0...1)
        }
        return expectations
    }
}
