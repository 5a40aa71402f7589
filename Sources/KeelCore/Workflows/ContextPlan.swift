/// A step's context: the step's own instructions, the workflow's pinned messages, its summary, as
/// many of its latest turns as the budget holds, and the step's new messages, in that order.
public struct ContextPlan: Sendable {
    public var messages: [JSONObject]
    /// The turns left out, oldest first.
    public var dropped: [WorkflowHistory.Turn]
    /// The input tokens of ``messages``.
    public var tokens: Int
    /// The input tokens the dropped turns would have added.
    public var droppedTokens: Int

    /// Whether a message always stays in the context: system and developer messages, and messages
    /// sent with `"pinned": true`.
    public static func isPinned(_ message: JSONObject) -> Bool {
        let role = message["role"]?.stringValue
        return role == "system" || role == "developer" || message["pinned"]?.boolValue == true
    }

    /// The message as an upstream gets it: without Keel's `pinned` mark.
    public static func forUpstream(_ message: JSONObject) -> JSONObject {
        var message = message
        message["pinned"] = nil
        return message
    }

    /// The summary as the context carries it.
    public static func summaryMessage(_ text: String) -> JSONObject {
        JSONObject([("role", "system"), ("content", .string("Summary of the earlier steps of this conversation:\n" + text))])
    }

    /// Plans the context of `new` on `history` within `budget` input tokens (no limit when `nil`),
    /// counting a list of messages as a request of them with `count`. Turns are dropped oldest first;
    /// the instructions, pinned messages, the summary and the new messages are never dropped.
    public static func plan(
        history: WorkflowHistory,
        summary: String?,
        instructions: [JSONObject] = [],
        new: [JSONObject],
        budget: Int?,
        count: ([JSONObject]) throws -> Int
    ) rethrows -> ContextPlan {
        let head = instructions + history.pinned.map(forUpstream) + (summary.map { [summaryMessage($0)] } ?? [])
        let tail = new.map(forUpstream)
        var turns = history.turns.map { turn in (turn, turn.messages.map(forUpstream)) }
        let fixed = try count(head + tail)
        // A turn's messages counted alone, less the reply priming every request has.
        var weights = try turns.map { try count($0.1) - 3 }
        var total = fixed + weights.reduce(0, +)
        var dropped: [WorkflowHistory.Turn] = []
        var droppedTokens = 0
        while let budget, total > budget, !turns.isEmpty {
            dropped.append(turns.removeFirst().0)
            let weight = weights.removeFirst()
            droppedTokens += weight
            total -= weight
        }
        let messages = head + turns.flatMap(\.1) + tail
        return ContextPlan(messages: messages, dropped: dropped, tokens: try count(messages), droppedTokens: droppedTokens)
    }
}
