import ArgumentParser
import Foundation
import KeelApp
import KeelCore

struct ReadinessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readiness",
        abstract: "Whether a route is ready for production: the five checks a rollout needs, each with its evidence and what is missing.",
        discussion: """
            Business risk definition (risk tiers, a review path for high cases), data readiness (an input contract and a \\
            recent batch validation: keel validate), a measured evaluation (the production prompt version on the route's gate \\
            dataset: keel eval run), a risk-control and fallback plan (fallbacks, degradation, a latency budget, a recent \\
            rehearsal: keel rehearse --config), and monitoring (budgets, alerts with a webhook, drift monitors in state ok). \\
            Exits 1 when any check fails, for CI.
            """
    )

    @OptionGroup var storage: StorageOptions
    @Argument(help: "The route; every chat route when none is given.") var route: String?
    @Option(help: "How many days old a validation, an evaluation or a rehearsal may be.") var maxAgeDays = 30.0
    @Flag(help: "As JSON.") var json = false

    func run() async throws {
        let configuration = try storage.configuration()
        let maximumAge = maxAgeDays * 86_400
        let reports = try await storage.withStorage { storage in
            let readiness = Readiness(configuration: configuration, storage: storage)
            if let route { return [try await readiness.report(route: route, maximumAge: maximumAge)] }
            return try await readiness.reports(maximumAge: maximumAge)
        }
        if json {
            let value: JSONValue = route == nil ? ["data": .array(reports.map { .object($0.json) })] : .object(reports[0].json)
            print(value.jsonString)
        } else {
            print(reports.map(\.text).joined(separator: "\n\n"))
        }
        if !reports.allSatisfy(\.ready) { throw ExitCode(1) }
    }
}
