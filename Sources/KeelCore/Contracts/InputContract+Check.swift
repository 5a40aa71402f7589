import Foundation

extension InputContract {
    /// What of `chat` the contract reads: its prompt's variables, or its metadata.
    public func input(of chat: ChatCompletionRequest) -> JSONValue? {
        switch input {
        case .variables: chat.prompt.map { .object($0.variables) }
        case .metadata: chat.json["metadata"]
        }
    }

    /// The record a client sent (an object, or a string holding one) checked and normalised:
    /// parsed, upgraded from its version, every string's steps, null markers, each field's steps,
    /// the missing-field policy, then the schema over the result. `today` reads two-digit years.
    public func check(_ payload: JSONValue?, today: Date) -> ContractOutcome {
        var problems: [ContractProblem] = []
        var payload = payload ?? .null
        if let text = payload.stringValue {
            guard let parsed = try? JSONParser.parse(text) else {
                return outcome([ContractProblem(field: "", code: .invalidPayload, message: "The record is a string that holds no JSON.")], nil)
            }
            payload = parsed
        }
        guard var record = payload.objectValue else {
            return outcome(
                [ContractProblem(field: "", code: .invalidPayload, message: "The record is \(payload.typeDescription), not an object.")],
                nil
            )
        }
        if let versions {
            let written = record[versions.field]
            let version = written.flatMap { $0.integerValue.map(Int.init) ?? $0.stringValue.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            guard let version = version ?? (written == nil || written!.isNull ? versions.missing : nil), version <= versions.current,
                version >= (versions.upgrades.first?.from ?? versions.current)
            else {
                let message =
                    "The record's version is not one this contract reads (\(versions.upgrades.first?.from ?? versions.current)–\(versions.current))."
                return outcome([ContractProblem(field: "/\(versions.field)", code: .unknownVersion, message: message)], record)
            }
            for upgrade in versions.upgrades where upgrade.from >= version {
                for (old, new) in upgrade.rename where record[old] != nil {
                    record[new] = record[old]
                    record[old] = nil
                }
                for (field, step) in upgrade.values { try? step.apply(to: &record, field: field, today: today) }
                for (field, steps) in upgrade.steps.sorted(by: { $0.key < $1.key }) {
                    if let problem = Self.apply(steps, to: &record, field: field, today: today) { problems.append(problem) }
                }
                for entry in upgrade.set.entries { record[entry.key] = entry.value }
                for field in upgrade.drop { record[field] = nil }
            }
            record[versions.field] = JSONValue(versions.current)
        }
        let failed = Set(problems.map(\.field))
        for field in record.keys where record[field]?.stringValue != nil && !failed.contains("/\(field)") {
            if let problem = Self.apply(strings, to: &record, field: field, today: today) { problems.append(problem) }
            if let text = record[field]?.stringValue, text.utf8.count <= longestNullMarker,
                nullMarkers.contains(text.trimmingCharacters(in: .whitespaces).lowercased())
            {
                record[field] = .null
            }
        }
        for (field, steps) in fields where !problems.contains(where: { $0.field == "/\(field)" }) {
            if let problem = Self.apply(steps, to: &record, field: field, today: today) { problems.append(problem) }
        }
        for (field, policy) in missing.sorted(by: { $0.key < $1.key }) where record[field] == nil || record[field]!.isNull {
            switch policy {
            case .null: record[field] = .null
            case .value(let value): record[field] = value
            case .quarantine: problems.append(ContractProblem(field: "/\(field)", code: .missing, message: "is missing."))
            case .reject: problems.append(ContractProblem(field: "/\(field)", code: .missing, message: "is missing.", rejects: true))
            }
        }
        if let schema {
            let reported = Set(problems.map(\.field))
            for message in schema.validate(.object(record)) {
                let (pointer, text) = Self.split(message)
                // A field already reported is not reported again by the schema.
                guard !reported.contains(where: { pointer == $0 || pointer.hasPrefix($0 + "/") }) else { continue }
                problems.append(ContractProblem(field: pointer, code: .schema, message: text))
            }
        }
        return outcome(problems, record)
    }

    /// The status of a record with `problems`.
    func outcome(_ problems: [ContractProblem], _ record: JSONObject?) -> ContractOutcome {
        let status: ContractOutcome.Status =
            problems.isEmpty ? .accepted : problems.contains(where: \.rejects) || !quarantine ? .rejected : .quarantined
        return ContractOutcome(status: status, problems: problems, normalized: record, dedupeKey: record.flatMap(dedupeKey))
    }

    /// The digest of the dedupe fields' normalised values; `nil` when one of them has none.
    func dedupeKey(_ record: JSONObject) -> String? {
        guard let dedupe else { return nil }
        var parts: [String] = []
        for field in dedupe.key {
            guard let value = record[field], !value.isNull else { return nil }
            parts.append(value.stringValue ?? value.jsonString)
        }
        return Digest.sha256Hex(parts.joined(separator: "\u{1F}"))
    }

    /// The steps applied in order; the first that fails stops them and is the field's problem.
    static func apply(_ steps: [FieldStep], to record: inout JSONObject, field: String, today: Date) -> ContractProblem? {
        for step in steps {
            do throws(FieldFailure) {
                try step.apply(to: &record, field: field, today: today)
            } catch {
                return ContractProblem(field: "/\(field)", code: error.code, message: error.message + ".")
            }
        }
        return nil
    }

    /// A schema message (`/amount: must be …`) as its pointer and its text; a missing required
    /// property is the problem of that property.
    static func split(_ message: String) -> (String, String) {
        guard let colon = message.range(of: ": ") else { return ("", message) }
        var pointer = String(message[..<colon.lowerBound])
        if pointer == "/" { pointer = "" }
        let text = String(message[colon.upperBound...])
        if text.hasPrefix("must have the property '"), let name = text.dropFirst("must have the property '".count).split(separator: "'").first {
            return (pointer + "/" + name, "is missing.")
        }
        return (pointer, text)
    }
}
