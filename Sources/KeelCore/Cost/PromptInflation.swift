/// The input tokens a route's answered requests sent on one UTC day.
public struct PromptSize: Sendable, Hashable {
    public var route: String
    /// `2026-11-22`
    public var day: String
    public var requests: Int
    public var inputTokens: Int

    public init(route: String, day: String, requests: Int, inputTokens: Int) {
        self.route = route
        self.day = day
        self.requests = requests
        self.inputTokens = inputTokens
    }

    /// Input tokens per request.
    public var mean: Double { requests == 0 ? 0 : Double(inputTokens) / Double(requests) }
}

/// Prompt inflation: how the input tokens per request of each route move from day to day. Prompts
/// grow quietly (longer system prompts, more retrieved context, history carried along) and cost
/// grows with them while the request count stays flat.
public struct PromptInflation: Sendable, Hashable {
    /// One route's trend over the days it had traffic.
    public struct Trend: Sendable, Hashable {
        public var route: String
        /// Oldest first; days without answered requests are absent.
        public var days: [PromptSize]

        /// The change of input tokens per request from the first day to the last: `0.25` is 25 % more.
        public var change: Double {
            guard let first = days.first, let last = days.last, first.mean > 0 else { return 0 }
            return last.mean / first.mean - 1
        }
    }

    /// By route name.
    public var trends: [Trend]

    public init(_ sizes: [PromptSize]) {
        let byRoute = Dictionary(grouping: sizes, by: \.route)
        self.trends = byRoute.keys.sorted().map { route in
            Trend(route: route, days: byRoute[route, default: []].sorted { $0.day < $1.day })
        }
    }
}
