import Synchronization

/// Answers kept for identical requests, each for its route's time to live, in memory and bounded.
///
/// Two requests are identical when their bodies are, apart from how the answer is delivered
/// (`stream`, `stream_options`): the same question asked streaming or not has the same answer.
public final class ResponseCache: Sendable {
    private struct Entry {
        var completion: ChatCompletion
        var expires: Duration
    }

    private let capacity: Int
    private let clock: KeelClock
    private let entries = Mutex<[String: Entry]>([:])

    public init(capacity: Int = 10_000, clock: KeelClock) {
        self.capacity = capacity
        self.clock = clock
    }

    /// The key of `request`: its body without the delivery fields, as compact JSON.
    public static func key(for request: ChatCompletionRequest, route: String) -> String {
        var body = request.json
        body["stream"] = nil
        body["stream_options"] = nil
        body["model"] = .string(route)
        return body.jsonText
    }

    public func store(_ completion: ChatCompletion, for key: String, ttl: Duration) {
        let now = clock.uptime()
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil {
                entries = entries.filter { $0.value.expires > now }
                // Still full of live answers: drop the half that expires soonest.
                if entries.count >= capacity {
                    let kept = entries.sorted { $0.value.expires > $1.value.expires }.prefix(capacity / 2)
                    entries = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
                }
            }
            entries[key] = Entry(completion: completion, expires: now + ttl)
        }
    }

    /// The live answer for `key`, if any.
    public func answer(for key: String) -> ChatCompletion? {
        let now = clock.uptime()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.completion
        }
    }
}
