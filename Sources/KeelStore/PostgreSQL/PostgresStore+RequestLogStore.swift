import Foundation
import KeelCore
import NIOCore
import PostgresNIO

extension PostgresStore: RequestLogStore {
    static let requestColumns = [
        "id", "started_at", "operation", "key_id", "team", "requested_model", "route", "model", "provider", "stream", "status", "error_code",
        "error_message", "duration_ms", "upstream_ms", "ttft_ms", "input_tokens", "output_tokens", "cached_input_tokens", "cost_picodollars",
        "usage_estimated", "retry_cost_picodollars", "prompt_tokens", "degraded", "replay_of", "workflow_id", "request_body", "response_body",
        "prompt_name", "prompt_version", "evaluation_run", "finish_reasons", "metadata", "input_script", "refusal", "answer_json",
        "risk_tier", "redactions", "subject", "api",
    ]
    static let attemptColumns = ["request_id", "number", "provider", "model", "start_offset_ms", "duration_ms", "upstream_status", "error"]

    /// Appends a batch with `COPY … FROM STDIN`, requests and attempts in one transaction: one round
    /// trip per table however large the batch.
    public func append(_ records: [RequestRecord]) async throws {
        guard !records.isEmpty else { return }
        var requests = CopyText()
        var attempts = CopyText()
        for record in records {
            requests.row([
                record.id, record.startedAt.timeIntervalSince1970, record.operation, record.keyID, record.team, record.requestedModel,
                record.route, record.model, record.provider, record.stream, record.status, record.errorCode, record.errorMessage,
                record.durationMs, record.upstreamMs, record.timeToFirstTokenMs, record.inputTokens, record.outputTokens,
                record.cachedInputTokens, record.cost?.picodollars, record.usageEstimated, record.retryCost?.picodollars,
                record.promptTokens, record.degraded, record.replayOf, record.workflowID, record.requestBody, record.responseBody,
                record.promptName, record.promptVersion, record.evaluationRun, record.storedFinishReasons, record.storedMetadata,
                record.signals?.inputScript?.rawValue, record.signals?.refusal, record.signals?.answerJSON, record.riskTier?.rawValue,
                record.storedRedactions, record.subject, record.api?.rawValue,
            ])
            for item in record.attempts {
                attempts.row([
                    record.id, item.number, item.provider, item.model, item.startOffsetMs, item.durationMs, item.upstreamStatus, item.error,
                ])
            }
        }
        try await transaction { connection in
            try await connection.copyFrom(table: "requests", columns: Self.requestColumns, logger: logger) { try await $0.write(requests.buffer) }
            if attempts.buffer.readableBytes > 0 {
                try await connection.copyFrom(table: "attempts", columns: Self.attemptColumns, logger: logger) { try await $0.write(attempts.buffer) }
            }
        }
    }

    public func spend(since: Date, keyIDs: [String]?, route: String?) async throws -> Money {
        var statement = PostgresStatement("SELECT COALESCE(SUM(cost_picodollars), 0)::BIGINT AS spent FROM requests WHERE started_at >= ")
        statement.bind(since.timeIntervalSince1970)
        if let keyIDs {
            guard !keyIDs.isEmpty else { return .zero }
            statement.append(" AND key_id = ANY(")
            statement.bind(keyIDs)
            statement.append(")")
        }
        if let route {
            statement.append(" AND route = ")
            statement.bind(route)
        }
        return try await rows(statement).first?.money("spent") ?? .zero
    }

    public func requests(matching query: RequestQuery) async throws -> [RequestRecord] {
        var statement = PostgresStatement("SELECT * FROM requests WHERE ")
        statement.team(query.scope, column: "team")
        func equal<Value: PostgresDynamicTypeEncodable>(_ column: String, _ value: Value?) {
            guard let value else { return }
            statement.append(" AND \(column) = ")
            statement.bind(value)
        }
        equal("id", query.id)
        equal("route", query.route)
        equal("key_id", query.keyID)
        equal("evaluation_run", query.evaluationRun)
        equal("status", query.status)
        if query.failedOnly { statement.append(" AND (status >= 400 OR error_code IS NOT NULL)") }
        if let since = query.since {
            statement.append(" AND started_at >= ")
            statement.bind(since.timeIntervalSince1970)
        }
        if let before = query.before {
            statement.append(" AND (started_at, id) < (SELECT started_at, id FROM requests WHERE id = ")
            statement.bind(before)
            statement.append(")")
        }
        statement.append(" ORDER BY started_at DESC, id DESC LIMIT ")
        statement.bind(query.limit)
        let rows = try await rows(statement)
        let ids: [String] = try rows.map { try $0.value("id") }
        var attempts: [String: [AttemptRecord]] = [:]
        if !ids.isEmpty {
            var attemptQuery = PostgresStatement("SELECT * FROM attempts WHERE request_id = ANY(")
            attemptQuery.bind(ids)
            attemptQuery.append(") ORDER BY request_id, number")
            for row in try await self.rows(attemptQuery) {
                attempts[try row.value("request_id"), default: []].append(
                    AttemptRecord(
                        number: try row.value("number"),
                        provider: try row.value("provider"),
                        model: try row.value("model"),
                        startOffsetMs: try row.value("start_offset_ms"),
                        durationMs: try row.value("duration_ms"),
                        upstreamStatus: try row.value("upstream_status"),
                        error: try row.value("error")
                    )
                )
            }
        }
        return try rows.map { row in
            let id: String = try row.value("id")
            var record = RequestRecord(
                id: id,
                startedAt: try row.date("started_at"),
                operation: try row.value("operation"),
                keyID: try row.value("key_id"),
                team: try row.value("team"),
                requestedModel: try row.value("requested_model"),
                route: try row.value("route"),
                model: try row.value("model"),
                provider: try row.value("provider"),
                stream: try row.value("stream"),
                status: try row.value("status"),
                errorCode: try row.value("error_code"),
                errorMessage: try row.value("error_message"),
                durationMs: try row.value("duration_ms"),
                upstreamMs: try row.value("upstream_ms"),
                timeToFirstTokenMs: try row.value("ttft_ms"),
                inputTokens: try row.value("input_tokens"),
                outputTokens: try row.value("output_tokens"),
                cachedInputTokens: try row.value("cached_input_tokens"),
                cost: try row.optionalMoney("cost_picodollars"),
                usageEstimated: try row.value("usage_estimated"),
                retryCost: try row.optionalMoney("retry_cost_picodollars"),
                promptTokens: try row.value("prompt_tokens"),
                degraded: try row.value("degraded"),
                replayOf: try row.value("replay_of"),
                workflowID: try row.value("workflow_id"),
                requestBody: try row.value("request_body"),
                responseBody: try row.value("response_body"),
                attempts: attempts[id] ?? []
            )
            record.promptName = try row.value("prompt_name")
            record.promptVersion = try row.value("prompt_version")
            record.evaluationRun = try row.value("evaluation_run")
            record.restore(finishReasons: try row.value("finish_reasons"), metadata: try row.value("metadata"))
            record.restoreSignals(
                inputScript: try row.value("input_script"),
                refusal: try row.value("refusal"),
                answerJSON: try row.value("answer_json")
            )
            record.riskTier = (try row.value("risk_tier") as String?).flatMap(RiskTier.init(rawValue:))
            record.restore(redactions: try row.value("redactions"), subject: try row.value("subject"))
            record.api = (try row.value("api") as String?).flatMap(ClientAPI.init(rawValue:))
            return record
        }
    }
}

extension PostgresStore: TrafficStore {
    public func trafficSamples(since: Date, until: Date, in scope: TeamScope) async throws -> [TrafficSample] {
        var statement = PostgresStatement(
            """
            SELECT started_at, route, duration_ms, (status >= 400 OR error_code IS NOT NULL) AS failed,
                (COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0))::BIGINT AS tokens, COALESCE(cost_picodollars, 0)::BIGINT AS cost
            FROM requests WHERE started_at >= $1 AND started_at < $2 AND
            """
        )
        statement.binds.append(since.timeIntervalSince1970)
        statement.binds.append(until.timeIntervalSince1970)
        statement.append(" ")
        statement.team(scope, column: "team")
        return try await reporting {
            var samples: [TrafficSample] = []
            let rows = try await client.query(statement.query, logger: logger).decode((Double, String?, Double, Bool, Int64, Int64).self)
            for try await (started, route, duration, failed, tokens, cost) in rows {
                samples.append(
                    TrafficSample(
                        startedAt: Date(timeIntervalSince1970: started),
                        route: route,
                        durationMs: duration,
                        failed: failed,
                        tokens: Int(tokens),
                        cost: Money(picodollars: cost)
                    )
                )
            }
            return samples
        }
    }
}

/// Rows in the text format of `COPY … FROM STDIN`: tab-separated, `\N` for NULL, with backslash,
/// tab, newline and carriage return escaped.
struct CopyText {
    var buffer = ByteBuffer()

    mutating func row(_ values: [(any Sendable)?]) {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            write(value)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private mutating func write(_ value: (any Sendable)?) {
        switch value {
        case nil: buffer.writeString("\\N")
        case let text as String: escape(text)
        case let flag as Bool: buffer.writeString(flag ? "t" : "f")
        case let number as Int: buffer.writeString(String(number))
        case let number as Int64: buffer.writeString(String(number))
        case let number as Double: buffer.writeString(number.isFinite ? String(number) : "0")
        case let other?: escape("\(other)")
        }
    }

    /// `text` in COPY's text format: runs of ordinary bytes copied whole, the four special ones escaped.
    private mutating func escape(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let escaped: StaticString
                switch bytes[index] {
                case UInt8(ascii: "\\"): escaped = "\\\\"
                case UInt8(ascii: "\t"): escaped = "\\t"
                case UInt8(ascii: "\n"): escaped = "\\n"
                case UInt8(ascii: "\r"): escaped = "\\r"
                case 0: escaped = ""  // PostgreSQL text holds no NUL
                default: continue
                }
                buffer.writeBytes(bytes[start..<index])
                buffer.writeStaticString(escaped)
                start = index + 1
            }
            buffer.writeBytes(bytes[start...])
        }
    }
}
