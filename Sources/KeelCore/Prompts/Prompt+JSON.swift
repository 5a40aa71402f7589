import Foundation

extension PromptVersion {
    /// The version as `/api/prompts` and `keel prompts show --json` give it.
    public var json: JSONValue {
        var object = JSONObject([
            ("object", "prompt.version"), ("name", .string(prompt.name)), ("team", JSONValue(prompt.team)), ("version", .integer(Int64(number))),
            ("content_hash", .string(contentHash)), ("tokens", .integer(Int64(tokens))),
            ("created_at", .string(ISO8601DateFormatter.keel.string(from: createdAt))), ("created_by", JSONValue(createdBy)),
        ])
        for (key, value) in template.json.entries { object[key] = value }
        return .object(object)
    }
}

extension PromptSummary {
    public var json: JSONValue {
        .object(
            JSONObject([
                ("object", "prompt"), ("name", .string(prompt.name)), ("team", JSONValue(prompt.team)), ("latest", .integer(Int64(latest))),
                ("labels", .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))),
                ("updated_at", .string(ISO8601DateFormatter.keel.string(from: updatedAt))),
            ])
        )
    }
}

extension PromptEvent {
    public var json: JSONValue {
        .object(
            JSONObject([
                ("kind", .string(kind.rawValue)), ("version", .integer(Int64(version))), ("label", JSONValue(label)),
                ("previous", previous.map { .integer(Int64($0)) } ?? .null), ("actor", JSONValue(actor)), ("reason", JSONValue(reason)),
                ("at", .string(ISO8601DateFormatter.keel.string(from: at))),
            ])
        )
    }
}
