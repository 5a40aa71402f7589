import Foundation

extension RequestRecord {
    /// The record as the admin API and `keel logs --json` show it.
    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["started_at"] = .string(ISO8601DateFormatter.keel.string(from: startedAt))
        object["operation"] = .string(operation)
        object["api"] = JSONValue(api?.rawValue)
        object["key_id"] = JSONValue(keyID)
        object["team"] = JSONValue(team)
        object["requested_model"] = JSONValue(requestedModel)
        object["route"] = JSONValue(route)
        object["model"] = JSONValue(model)
        object["provider"] = JSONValue(provider)
        object["stream"] = .bool(stream)
        object["status"] = JSONValue(status)
        object["error_code"] = JSONValue(errorCode)
        object["error_message"] = JSONValue(errorMessage)
        object["duration_ms"] = .double(durationMs)
        object["upstream_ms"] = upstreamMs.map(JSONValue.double) ?? .null
        object["time_to_first_token_ms"] = timeToFirstTokenMs.map(JSONValue.double) ?? .null
        object["input_tokens"] = inputTokens.map(JSONValue.init) ?? .null
        object["output_tokens"] = outputTokens.map(JSONValue.init) ?? .null
        object["cached_input_tokens"] = cachedInputTokens.map(JSONValue.init) ?? .null
        object["cost_usd"] = cost.map { .double($0.dollars) } ?? .null
        object["usage_estimated"] = .bool(usageEstimated)
        object["retry_cost_usd"] = retryCost.map { .double($0.dollars) } ?? .null
        object["prompt_tokens"] = promptTokens.map(JSONValue.init) ?? .null
        object["degraded"] = JSONValue(degraded)
        object["replay_of"] = JSONValue(replayOf)
        object["workflow_id"] = JSONValue(workflowID)
        object["prompt"] = promptName.map { .string($0) } ?? .null
        object["prompt_version"] = promptVersion.map(JSONValue.init) ?? .null
        object["evaluation_run"] = JSONValue(evaluationRun)
        object["finish_reasons"] = .array(finishReasons.map(JSONValue.string))
        object["metadata"] = metadata.map(JSONValue.object) ?? .null
        object["risk_tier"] = JSONValue(riskTier?.rawValue)
        object["redactions"] = .array(redactions.map(\.json))
        object["subject"] = JSONValue(subject)
        object["input_script"] = JSONValue(signals?.inputScript?.rawValue)
        object["refusal"] = signals?.refusal.map(JSONValue.bool) ?? .null
        object["answer_json"] = signals?.answerJSON.map(JSONValue.bool) ?? .null
        if let requestBody { object["request_body"] = .string(requestBody) }
        if let responseBody { object["response_body"] = .string(responseBody) }
        object["attempts"] = .array(
            attempts.map { attempt in
                [
                    "number": JSONValue(attempt.number), "provider": .string(attempt.provider), "model": .string(attempt.model),
                    "start_offset_ms": .double(attempt.startOffsetMs), "duration_ms": .double(attempt.durationMs),
                    "upstream_status": attempt.upstreamStatus.map(JSONValue.init) ?? .null, "error": JSONValue(attempt.error),
                ]
            }
        )
        return .object(object)
    }
}

extension ISO8601DateFormatter {
    /// Timestamps with milliseconds, UTC.
    nonisolated(unsafe) public static let keel: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
