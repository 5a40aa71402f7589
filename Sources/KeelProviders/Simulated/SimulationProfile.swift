/// How a simulated upstream behaves: its latency, its speed, and how often it fails in each way.
public struct SimulationProfile: Sendable, Hashable {
    /// Seed of the random choices; the same seed and request order give the same run.
    public var seed: UInt64
    /// Median time to the first token (or the whole answer when not streaming).
    public var latencyP50: Duration
    /// 99th percentile of the same; latency is log-normal between the two.
    public var latencyP99: Duration
    /// Streaming speed; `nil` sends all tokens at once.
    public var tokensPerSecond: Double?
    /// Words (one token each) in an answer when the request sets no limit.
    public var outputTokens: ClosedRange<Int>
    /// Share of requests answered 429 with `Retry-After`.
    public var rateLimitRate: Double
    /// Share answered 500.
    public var serverErrorRate: Double
    /// Share answered 503.
    public var unavailableRate: Double
    /// Share that never answer until `hangTime` passes.
    public var timeoutRate: Double
    /// Share of streams cut half-way.
    public var streamCutRate: Double
    public var retryAfterSeconds: Int
    public var hangTime: Duration
    /// The model's context window: a request whose input (estimated) and `max_tokens` exceed it is
    /// refused with 400 `context_length_exceeded`, as a real model refuses it. `nil` for no limit.
    public var contextWindow: Int?
    /// Scripted answers: the first whose pattern the request's messages match gives the answer's
    /// text (instead of random words), so that evaluations and demos have something to score.
    public var answers: [ScriptedAnswer] = []

    /// A pattern (a regular expression over the request's messages, one a line) and the answer to it.
    public struct ScriptedAnswer: Sendable, Hashable {
        public var pattern: String
        public var text: String

        public init(pattern: String, text: String) {
            self.pattern = pattern
            self.text = text
        }
    }

    public init(
        seed: UInt64 = 42,
        latencyP50: Duration = .milliseconds(200),
        latencyP99: Duration = .milliseconds(800),
        tokensPerSecond: Double? = 80,
        outputTokens: ClosedRange<Int> = 16...64,
        rateLimitRate: Double = 0,
        serverErrorRate: Double = 0,
        unavailableRate: Double = 0,
        timeoutRate: Double = 0,
        streamCutRate: Double = 0,
        retryAfterSeconds: Int = 1,
        hangTime: Duration = .seconds(60),
        contextWindow: Int? = nil
    ) {
        self.seed = seed
        self.latencyP50 = latencyP50
        self.latencyP99 = latencyP99
        self.tokensPerSecond = tokensPerSecond
        self.outputTokens = outputTokens
        self.rateLimitRate = rateLimitRate
        self.serverErrorRate = serverErrorRate
        self.unavailableRate = unavailableRate
        self.timeoutRate = timeoutRate
        self.streamCutRate = streamCutRate
        self.retryAfterSeconds = retryAfterSeconds
        self.hangTime = hangTime
        self.contextWindow = contextWindow
    }

    /// An upstream that answers at once and never fails: the baseline for benchmarks.
    public static let instant = SimulationProfile(
        latencyP50: .zero,
        latencyP99: .zero,
        tokensPerSecond: nil,
        outputTokens: 16...16
    )
}
