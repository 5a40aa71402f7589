import Foundation
import KeelCore
import KeelTokenizer
import Testing

/// The tokenizer against OpenAI's tiktoken: every count of the committed fixture must be equal.
@Suite struct TokenizerTests {
    struct Row {
        let text: String
        let counts: [String: Int]
    }

    static let fixture: [Row] = {
        let url = Bundle.module.url(forResource: "tiktoken-counts", withExtension: "jsonl", subdirectory: "Fixtures")!
        let data = try! Data(contentsOf: url)
        return data.split(separator: UInt8(ascii: "\n")).map { line in
            let object = try! JSONParser.parse(line).objectValue!
            var counts: [String: Int] = [:]
            for (key, value) in object.entries where key != "text" { counts[key] = Int(value.integerValue!) }
            return Row(text: object["text"]!.stringValue!, counts: counts)
        }
    }()

    @Test(arguments: Tokenizer.Encoding.allCases)
    func everyCountOfTheFixtureEqualsTiktokens(encoding: Tokenizer.Encoding) async throws {
        let tokenizer = try Tokenizer.named(encoding)
        #expect(Self.fixture.count > 400)
        var mismatches: [String] = []
        for row in Self.fixture {
            let plain = tokenizer.count(row.text)
            let special = tokenizer.encode(row.text, allowedSpecial: Set(encoding.specialTokens.keys)).count
            if plain != row.counts[encoding.rawValue] || special != row.counts[encoding.rawValue + "_special"] {
                mismatches.append("\(row.text.debugDescription.prefix(60)): \(plain)/\(special), tiktoken \(row.counts[encoding.rawValue]!)")
            }
            // Seconds of counting in a debug build: let the tests that watch the clock have the threads too.
            await Task.yield()
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(5))")
    }

    @Test func theTokensThemselvesAreTiktokens() throws {
        let o200k = try Tokenizer.named(.o200kBase)
        #expect(o200k.encode("Hello, world! 12345 héllo 👋") == [13225, 11, 2375, 0, 220, 7633, 2548, 37024, 72807, 61138, 233])
        #expect(o200k.encode("<|endoftext|>", allowedSpecial: ["<|endoftext|>"]) == [199_999])
        #expect(o200k.encode("<|endoftext|>").count > 1, "special text that is not allowed is plain text")
    }

    @Test func modelsMapToTheirEncodings() {
        #expect(Tokenizer.Encoding(model: "gpt-4o-mini-2024-07-18") == .o200kBase)
        #expect(Tokenizer.Encoding(model: "o3-mini") == .o200kBase)
        #expect(Tokenizer.Encoding(model: "gpt-4-turbo") == .cl100kBase)
        #expect(Tokenizer.Encoding(model: "text-embedding-3-small") == .cl100kBase)
        #expect(Tokenizer.Encoding(model: "llama3.1:8b") == nil)
    }

    /// The figures of OpenAI's cookbook (`num_tokens_from_messages`, `num_tokens_for_tools`) with tiktoken.
    @Test func chatFramingCountsAsOpenAIsCookbookDoes() throws {
        let counter = try ChatTokenCounter(deployments: [Self.gpt4o, Self.llama])
        let messages = try ChatCompletionRequest(
            json: JSONParser.parse(
                #"{"model": "gpt-4o", "messages": [{"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."}, {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."}, {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."}, {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}]}"#
            )
        )
        #expect(counter.inputTokens(of: messages, for: Self.gpt4o) == 79)
        let tools = try ChatCompletionRequest(
            json: JSONParser.parse(
                #"{"model": "gpt-4o", "messages": [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What's the weather like in San Francisco?"}], "tools": [{"type": "function", "function": {"name": "get_current_weather", "description": "Get the current weather in a given location.", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"}, "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}]}"#
            )
        )
        #expect(counter.inputTokens(of: tools, for: Self.gpt4o) == 93)
        #expect(counter.isExact(for: Self.gpt4o) && !counter.isExact(for: Self.llama))
        #expect(counter.inputTokens(of: tools, for: Self.llama) == EstimatingTokenCounter.inputTokens(of: tools), "an unknown model is estimated")
    }

    @Test func anUnknownConfiguredEncodingIsRefused() {
        var odd = Self.llama
        odd.tokenizer = "p50k_base"
        #expect(throws: TokenizerError.unknownEncoding("p50k_base")) { try ChatTokenCounter(deployments: [odd]) }
    }

    static let gpt4o = ModelDeployment(name: "gpt4o", provider: "openai", upstreamModel: "gpt-4o")
    static let llama = ModelDeployment(name: "llama", provider: "ollama", upstreamModel: "llama3.1:8b")
}
