import Foundation
import KeelCore

/// What retention removes, as both backends run it: for each class the rows that hold its data
/// (one target per table), how to tell they are past the cut, and how they are removed — cleared
/// (bodies and metadata, the request's other facts stay for cost and drift) or deleted.
enum RetentionRows {
    struct Target {
        var table: String
        /// The condition on a row past `?` (the cut, bound once per `?` it holds).
        var past: String
        /// The condition on a row still holding the class's data; its oldest date is `oldest`'s column.
        var holds: String
        var oldest: String
        var route: String
        /// `nil` deletes the row; otherwise the assignments that clear it.
        var clear: String?
        /// Whether its rows are what the purge counts (a workflow's summaries go with its steps).
        var counted = true
    }

    /// The workflows idle past the cut in the scope, as a condition on a step or summary row.
    private static let idleWorkflows = "(key_id, workflow_id) IN (SELECT key_id, id FROM workflows WHERE updated_at < ? AND ROUTE)"

    static func targets(_ data: DataClass) -> [Target] {
        switch data {
        case .bodies:
            [
                Target(
                    table: "requests",
                    past: "started_at < ?",
                    holds: "(request_body IS NOT NULL OR response_body IS NOT NULL)",
                    oldest: "started_at",
                    route: "route",
                    clear: "request_body = NULL, response_body = NULL"
                ),
                Target(table: "quarantine", past: "received_at < ?", holds: "1 = 1", oldest: "received_at", route: "route"),
            ]
        case .metadata:
            [
                Target(
                    table: "requests",
                    past: "started_at < ?",
                    holds: "metadata IS NOT NULL",
                    oldest: "started_at",
                    route: "route",
                    clear: "metadata = NULL"
                )
            ]
        case .workflowSteps:
            // Children first: steps and summaries name their workflow.
            [
                Target(table: "workflow_steps", past: idleWorkflows, holds: "1 = 1", oldest: "started_at", route: ""),
                Target(table: "workflow_summaries", past: idleWorkflows, holds: "1 = 1", oldest: "created_at", route: "", counted: false),
                // The Responses API's kept responses are turns of their conversation's workflow.
                Target(table: "responses", past: idleWorkflows, holds: "1 = 1", oldest: "created_at", route: "", counted: false),
                Target(table: "workflows", past: "updated_at < ?", holds: "1 = 1", oldest: "updated_at", route: "route", counted: false),
            ]
        case .reviews:
            [Target(table: "reviews", past: "decided_at < ?", holds: "decided_at IS NOT NULL", oldest: "decided_at", route: "route")]
        case .audit:
            []
        }
    }

    /// `scope` as a condition on `column` (`ROUTE` in a target's condition when `column` is empty).
    static func scope(_ scope: RetentionScope, column: String) -> (sql: String, values: [StoredValue]) {
        switch scope {
        case .route(let name): ("\(column) = ?", [.text(name)])
        case .others(let excluded) where excluded.isEmpty: ("1 = 1", [])
        case .others(let excluded):
            (
                "(\(column) IS NULL OR \(column) NOT IN (\(Array(repeating: "?", count: excluded.count).joined(separator: ", "))))",
                excluded.map(StoredValue.text)
            )
        }
    }

    /// The target's rows past `before` in `scope`: the condition and its values.
    private static func past(_ target: Target, _ scope: RetentionScope, before: Date) -> (sql: String, values: [StoredValue]) {
        let cut = StoredValue.real(before.timeIntervalSince1970)
        if target.route.isEmpty {
            let inner = Self.scope(scope, column: "route")
            return (target.past.replacingOccurrences(of: "ROUTE", with: inner.sql), [cut] + inner.values)
        }
        let outer = Self.scope(scope, column: target.route)
        return ("\(target.past) AND \(outer.sql)", [cut] + outer.values)
    }

    /// Removes the target's rows past `before` in `scope`.
    static func purge(_ target: Target, _ scope: RetentionScope, before: Date) -> StoredQuery {
        let (condition, values) = past(target, scope, before: before)
        if let clear = target.clear {
            return StoredQuery(sql: "UPDATE \(target.table) SET \(clear) WHERE \(condition) AND \(target.holds)", values: values)
        }
        return StoredQuery(sql: "DELETE FROM \(target.table) WHERE \(condition)", values: values)
    }

    /// Counts the target's rows past `before` in `scope` (`expired`), and gives the oldest date of
    /// those that still hold the data (`oldest`, in seconds since 1970).
    static func retained(_ target: Target, _ scope: RetentionScope, before: Date) -> (expired: StoredQuery, oldest: StoredQuery) {
        let (condition, values) = past(target, scope, before: before)
        let all: (sql: String, values: [StoredValue]) =
            target.route.isEmpty
            ? past(target, scope, before: .distantFuture) : Self.scope(scope, column: target.route)
        return (
            StoredQuery(sql: "SELECT COUNT(*) AS n FROM \(target.table) WHERE \(condition) AND \(target.holds)", values: values),
            StoredQuery(sql: "SELECT MIN(\(target.oldest)) AS oldest FROM \(target.table) WHERE \(all.sql) AND \(target.holds)", values: all.values)
        )
    }
}
