import Foundation

extension Workflow {
    /// The workflow as the admin API and `keel workflows` show it.
    public var json: JSONValue {
        [
            "id": .string(id), "object": "workflow", "key_id": .string(keyID), "team": JSONValue(team), "route": JSONValue(route),
            "status": .string(status.rawValue),
            "created_at": .string(ISO8601DateFormatter.keel.string(from: createdAt)),
            "updated_at": .string(ISO8601DateFormatter.keel.string(from: updatedAt)),
        ]
    }

    /// The workflow with its step timeline: the export format.
    public func json(steps: [WorkflowStep]) -> JSONValue {
        var object = json.objectValue ?? JSONObject()
        object["steps"] = .array(steps.map(\.json))
        return .object(object)
    }
}

extension WorkflowStep {
    public var json: JSONValue {
        let base: JSONValue = [
            "number": JSONValue(number), "request_id": .string(requestID), "idempotency_key": JSONValue(idempotencyKey),
            "status": .string(status.rawValue), "input": .array(input.map(JSONValue.object)), "output": output.map(JSONValue.object) ?? .null,
            "input_tokens": usage.map { JSONValue($0.inputTokens) } ?? .null, "output_tokens": usage.map { JSONValue($0.outputTokens) } ?? .null,
            "cost_usd": cost.map { .double($0.dollars) } ?? .null, "attempts": JSONValue(attempts), "error_code": JSONValue(errorCode),
            "started_at": .string(ISO8601DateFormatter.keel.string(from: startedAt)),
            "finished_at": finishedAt.map { .string(ISO8601DateFormatter.keel.string(from: $0)) } ?? .null,
        ]
        var object = base.objectValue ?? JSONObject()
        object["compaction"] =
            compaction.map { compaction in
                [
                    "strategy": .string(compaction.strategy.rawValue), "dropped_steps": JSONValue(compaction.droppedSteps),
                    "tokens_saved": JSONValue(compaction.tokensSaved), "cost_usd": .double(compaction.cost.dollars),
                ]
            } ?? .null
        return .object(object)
    }
}

extension WorkflowReport {
    /// The report as the admin API and `keel workflows report --json` give it.
    public var json: JSONValue {
        [
            "object": "workflow_report", "since": .string(ISO8601DateFormatter.keel.string(from: since)),
            "until": .string(ISO8601DateFormatter.keel.string(from: until)), "idle_minutes": .double(idleTime.seconds / 60),
            "data": .array(lines.map(\.json)), "total": total.json,
        ]
    }
}

extension WorkflowReport.Line {
    public var json: JSONValue {
        [
            "route": JSONValue(route), "started": JSONValue(started), "completed": JSONValue(completed), "abandoned": JSONValue(abandoned),
            "active": JSONValue(active), "completion_rate": completionRate.map(JSONValue.double) ?? .null, "steps": JSONValue(steps),
            "retries": JSONValue(retries), "retries_per_workflow": retriesPerWorkflow.map(JSONValue.double) ?? .null,
            "compactions": JSONValue(compactions), "tokens_saved": JSONValue(tokensSaved), "tokens": JSONValue(tokens),
            "cost_usd": .double(cost.dollars), "cost_per_step_usd": costPerStep.map { .double($0.dollars) } ?? .null,
            "tokens_per_completed_workflow": tokensPerCompletedWorkflow.map(JSONValue.double) ?? .null,
            "cost_per_completed_workflow_usd": costPerCompletedWorkflow.map { .double($0.dollars) } ?? .null,
            "output_consistency": [
                "repeated_inputs": JSONValue(consistency.repeatedInputs), "comparisons": JSONValue(consistency.comparisons),
                "identical_share": consistency.identicalShare.map(JSONValue.double) ?? .null,
                "mean_similarity": consistency.meanSimilarity.map(JSONValue.double) ?? .null,
            ],
        ]
    }
}
