import Foundation
import KeelCore
import Synchronization

/// A built-in upstream that behaves like a real one — latency, streaming speed, 429s, 5xx,
/// hangs and cut streams at configured rates — so that Keel can be run, tested and rehearsed
/// with no provider. Each request draws its fate from the seed and its arrival number. The
/// profile can change while it serves, as a rehearsal's phases change it.
public final class SimulatedUpstream: Upstream {
    private let clock: KeelClock
    private let arrivals = Atomic<UInt64>(0)
    private let current: Mutex<SimulationProfile>

    public init(profile: SimulationProfile, clock: KeelClock = .system) {
        self.current = Mutex(profile)
        self.clock = clock
    }

    /// How it behaves now.
    public var profile: SimulationProfile {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    public func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletion {
        try checkWindow(request)
        var plan = makePlan(for: request)
        try await plan.wait(plan.latency)
        try plan.raiseFault()
        let completion = ChatCompletion(
            id: plan.id,
            created: plan.created,
            model: request.model,
            contents: Array(repeating: plan.text, count: request.choiceCount),
            finishReason: plan.finishReason,
            usage: plan.usage(choices: request.choiceCount)
        )
        guard let call = plan.toolCall else { return completion }
        return completion.mappingChoices { choices in
            let called: [JSONValue] = (choices.arrayValue ?? []).map { choice in
                guard var choice = choice.objectValue, var message = choice["message"]?.objectValue else { return choice }
                message["content"] = .null
                message["tool_calls"] = [call.json]
                choice["message"] = .object(message)
                return .object(choice)
            }
            return .array(called)
        }
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> ChatStream {
        try checkWindow(request)
        var plan = makePlan(for: request)
        try await plan.wait(plan.latency)
        try plan.raiseFault()
        return ChatStream(SimulatedChunks(plan: plan, model: request.model, tokensPerSecond: plan.tokensPerSecond))
    }

    /// The most numbers one simulated embeddings answer holds (inputs × dimensions, about 5 MB of
    /// JSON): the simulator refuses more, as a real model refuses what it cannot answer, so that no
    /// request can make it allocate without bound.
    public static let maximumEmbeddingValues = 1 << 18

    public func embed(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse {
        let dimensions = request.dimensions ?? 16
        let values = request.inputCount.saturatingMultiply(dimensions)
        guard values <= Self.maximumEmbeddingValues else {
            throw UpstreamError(
                .rejected,
                "\(request.inputCount) inputs of \(dimensions) dimensions are \(values) values; the simulator answers at most \(Self.maximumEmbeddingValues).",
                status: 400
            )
        }
        var plan = makePlan(for: nil)
        try await plan.wait(plan.latency)
        try plan.raiseFault()
        let texts = request.inputs.isEmpty ? Array(repeating: "", count: request.inputCount) : request.inputs
        let vectors = texts.map { Self.embedding(of: $0, dimensions: dimensions) }
        let tokens = texts.reduce(0) { $0 + max(1, EstimatingTokenCounter.tokens(in: $1)) }
        return EmbeddingsResponse(model: request.model, vectors: vectors, inputTokens: tokens)
    }

    private func checkWindow(_ request: ChatCompletionRequest) throws {
        guard let window = profile.contextWindow else { return }
        let requested = EstimatingTokenCounter.inputTokens(of: request) + (request.maxOutputTokens ?? 0)
        guard requested > window else { return }
        throw UpstreamError(
            .rejected,
            "context_length_exceeded: This model's maximum context length is \(window) tokens. However, you requested \(requested) tokens.",
            status: 400
        )
    }

    private func makePlan(for request: ChatCompletionRequest?) -> SimulatedPlan {
        let arrival = arrivals.wrappingAdd(1, ordering: .relaxed).oldValue
        let profile = self.profile
        var random = SeededRandom(seed: profile.seed &+ arrival &* 0x9E37_79B9_7F4A_7C15)
        return SimulatedPlan(profile: profile, request: request, random: &random, created: Int(clock.now().timeIntervalSince1970))
    }

    /// A deterministic unit vector for `text`.
    static func embedding(of text: String, dimensions: Int) -> [Double] {
        var hasher = SeededRandom(seed: text.utf8.reduce(1_469_598_103_934_665_603) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
        let raw = (0..<dimensions).map { _ in hasher.unit() * 2 - 1 }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / max(norm, 1e-12) }
    }
}

/// What one simulated request will do, drawn up front.
struct SimulatedPlan: Sendable {
    enum Fault: Sendable {
        case rateLimited, serverError, unavailable, hang, streamCut
    }

    let id: String
    let created: Int
    let latency: Duration
    let fault: Fault?
    let words: [String]
    let finishReason: String
    let inputTokens: Int
    let outputTokens: Int
    let hangTime: Duration
    let retryAfter: Int
    let tokensPerSecond: Double?
    /// The tool the model calls instead of answering: a request that offers tools and has no
    /// tool's result yet calls one (the one `tool_choice` names, else the first).
    let toolCall: SimulatedToolCall?

    private static let vocabulary = [
        "the", "system", "keeps", "context", "across", "steps", "and", "every", "request", "walks", "one", "path", "through",
        "validation", "routing", "inference", "accounting", "so", "that", "latency", "cost", "drift", "stay", "visible", "to",
        "operators", "who", "need", "answers", "they", "can", "explain", "later",
    ]

    init(profile: SimulationProfile, request: ChatCompletionRequest?, random: inout SeededRandom, created: Int) {
        self.id = RandomID.make(prefix: "chatcmpl-sim-")
        self.created = created
        self.hangTime = profile.hangTime
        self.retryAfter = profile.retryAfterSeconds
        self.tokensPerSecond = profile.tokensPerSecond
        let p50 = profile.latencyP50.seconds
        let p99 = max(profile.latencyP99.seconds, p50)
        if p50 > 0 {
            // Log-normal: the median is p50, and p99 sits 2.326 standard deviations above it.
            let sigma = log(p99 / p50) / 2.326
            self.latency = .milliseconds(Int64(saturating: exp(log(p50) + sigma * random.normal()) * 1000))
        } else {
            self.latency = .zero
        }
        let draw = random.unit()
        var threshold = 0.0
        var chosen: Fault?
        let faultRates: [(Fault, Double)] = [
            (.rateLimited, profile.rateLimitRate), (.serverError, profile.serverErrorRate), (.unavailable, profile.unavailableRate),
            (.hang, profile.timeoutRate), (.streamCut, request?.stream == true ? profile.streamCutRate : 0),
        ]
        for (fault, rate) in faultRates {
            threshold += rate
            if chosen == nil, draw < threshold { chosen = fault }
        }
        self.fault = chosen
        var planned = Int.random(in: profile.outputTokens, using: &random)
        let limit = request?.maxOutputTokens ?? Int.max
        let callID = "call_" + id.dropFirst("chatcmpl-sim-".count)
        self.toolCall = request.flatMap { SimulatedToolCall(answering: $0, id: callID) }
        if let toolCall {
            self.words = []
            self.finishReason = "tool_calls"
            self.inputTokens = request.map(EstimatingTokenCounter.inputTokens(of:)) ?? 0
            self.outputTokens = EstimatingTokenCounter.tokens(in: toolCall.name + toolCall.arguments)
            return
        }
        if let scripted = request.flatMap({ Self.scriptedAnswer(to: $0, in: profile.answers) }) {
            let words = scripted.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            planned = words.count
            self.words = Array(words.prefix(limit))
        } else {
            self.words = (0..<min(planned, limit)).map { _ in Self.vocabulary.randomElement(using: &random)! }
        }
        self.finishReason = planned > limit ? "length" : "stop"
        self.inputTokens = request.map(EstimatingTokenCounter.inputTokens(of:)) ?? 0
        self.outputTokens = words.count
    }

    var text: String { words.joined(separator: " ") }

    /// The text of the first scripted answer whose pattern the request's messages match.
    static func scriptedAnswer(to request: ChatCompletionRequest, in answers: [SimulationProfile.ScriptedAnswer]) -> String? {
        guard !answers.isEmpty else { return nil }
        let text = (request.json["messages"]?.arrayValue ?? []).compactMap { $0.objectValue?["content"]?.stringValue }.joined(separator: "\n")
        return answers.first { answer in (try? Regex(answer.pattern)).map { text.contains($0) } ?? false }?.text
    }

    func usage(choices: Int = 1) -> TokenUsage { TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens * choices) }

    /// Sleeps, or for a hang, sleeps the whole hang time and then times out.
    mutating func wait(_ duration: Duration) async throws {
        if case .hang = fault {
            try await Task.sleep(for: hangTime)
            throw UpstreamError(.timeout, "the simulated upstream hung")
        }
        if duration > .zero { try await Task.sleep(for: duration) }
    }

    func raiseFault() throws {
        switch fault {
        case .rateLimited: throw UpstreamError(.rateLimited, "simulated rate limit", status: 429, retryAfter: retryAfter)
        case .serverError: throw UpstreamError(.serverError, "simulated server error", status: 500)
        case .unavailable: throw UpstreamError(.unavailable, "simulated outage", status: 503)
        case .hang, .streamCut, nil: return
        }
    }

    var cutsStream: Bool {
        if case .streamCut = fault { return true }
        return false
    }
}

/// The chunks of a simulated stream, paced at the profile's tokens per second.
struct SimulatedChunks: AsyncSequence, Sendable {
    let plan: SimulatedPlan
    let model: String
    let tokensPerSecond: Double?

    struct AsyncIterator: AsyncIteratorProtocol {
        let plan: SimulatedPlan
        let model: String
        let interval: Duration?
        var position = -1

        mutating func next() async throws -> ChatCompletionChunk? {
            defer { position += 1 }
            let words = plan.words
            if let call = plan.toolCall {
                return toolCallChunk(call)
            }
            if position == -1 {
                return ChatCompletionChunk(
                    id: plan.id,
                    created: plan.created,
                    model: model,
                    delta: JSONObject([("role", "assistant"), ("content", "")])
                )
            }
            if position < words.count {
                if plan.cutsStream, position == words.count / 2 {
                    throw UpstreamError(.streamInterrupted, "the simulated stream was cut")
                }
                if let interval { try await Task.sleep(for: interval) }
                let text = position == 0 ? words[position] : " " + words[position]
                return ChatCompletionChunk(id: plan.id, created: plan.created, model: model, delta: JSONObject([("content", .string(text))]))
            }
            if position == words.count {
                return ChatCompletionChunk(id: plan.id, created: plan.created, model: model, delta: JSONObject(), finishReason: plan.finishReason)
            }
            if position == words.count + 1 {
                return ChatCompletionChunk(id: plan.id, created: plan.created, model: model, usage: plan.usage())
            }
            return nil
        }

        /// A tool call streamed as a model streams one: the call named, its arguments in two
        /// pieces, the finish reason, the usage.
        private func toolCallChunk(_ call: SimulatedToolCall) -> ChatCompletionChunk? {
            let half = call.arguments.index(call.arguments.startIndex, offsetBy: call.arguments.count / 2)
            func chunk(_ delta: JSONObject, finishReason: String? = nil) -> ChatCompletionChunk {
                ChatCompletionChunk(id: plan.id, created: plan.created, model: model, delta: delta, finishReason: finishReason)
            }
            func arguments(_ text: Substring) -> JSONObject {
                JSONObject([("tool_calls", [["index": 0, "function": ["arguments": .string(String(text))]]])])
            }
            switch position {
            case -1: return chunk(JSONObject([("role", "assistant"), ("content", .null)]))
            case 0:
                let named: JSONValue = [
                    "index": 0, "id": .string(call.id), "type": "function", "function": ["name": .string(call.name), "arguments": ""],
                ]
                return chunk(JSONObject([("tool_calls", [named])]))
            case 1: return chunk(arguments(call.arguments[..<half]))
            case 2: return chunk(arguments(call.arguments[half...]))
            case 3: return chunk(JSONObject(), finishReason: "tool_calls")
            case 4: return ChatCompletionChunk(id: plan.id, created: plan.created, model: model, usage: plan.usage())
            default: return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        let interval = tokensPerSecond.map { Duration.nanoseconds(Int64(1e9 / $0)) }
        return AsyncIterator(plan: plan, model: model, interval: interval)
    }
}
