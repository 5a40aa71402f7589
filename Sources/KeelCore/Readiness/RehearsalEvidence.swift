import Foundation

/// A fault rehearsal of a route's own configuration (`keel rehearse SCENARIO --config`), as the
/// audit trail keeps it: when, which scenario, and whether every expectation held.
public struct RehearsalEvidence: AuditedEvidence, Hashable {
    public static let kind = "rehearsal_run"

    public var route: String
    public var at: Date
    public var scenario: String
    /// The scenario's phases, each with its success rate.
    public var phases: [Phase]
    /// The expectations that did not hold; none when it passed.
    public var unmet: [String]

    public struct Phase: Sendable, Hashable {
        public var name: String
        public var successRate: Double

        public init(name: String, successRate: Double) {
            self.name = name
            self.successRate = successRate
        }
    }

    public init(route: String, at: Date, scenario: String, phases: [Phase], unmet: [String]) {
        self.route = route
        self.at = at
        self.scenario = scenario
        self.phases = phases
        self.unmet = unmet
    }

    public var passed: Bool { unmet.isEmpty }

    public func event(by actor: String?) -> AuditEvent {
        let phases: [JSONValue] = phases.map { ["name": .string($0.name), "success_rate": .double($0.successRate)] }
        return AuditEvent(
            Self.kind,
            actor: actor,
            details: JSONObject([
                ("route", .string(route)), ("scenario", .string(scenario)), ("passed", .bool(passed)), ("phases", .array(phases)),
                ("unmet", .array(unmet.map(JSONValue.string))),
            ])
        )
    }

    public init?(audit record: AuditRecord) {
        guard record.kind == Self.kind, let details = try? JSONParser.parse(record.details).objectValue,
            let route = details["route"]?.stringValue
        else { return nil }
        let phases = (details["phases"]?.arrayValue ?? []).compactMap { phase -> Phase? in
            guard let object = phase.objectValue, let name = object["name"]?.stringValue else { return nil }
            return Phase(name: name, successRate: object["success_rate"]?.doubleValue ?? 0)
        }
        self.init(
            route: route,
            at: record.at,
            scenario: details["scenario"]?.stringValue ?? "",
            phases: phases,
            unmet: (details["unmet"]?.arrayValue ?? []).compactMap(\.stringValue)
        )
    }
}
