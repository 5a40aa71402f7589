/// What drift monitors read from a request's content, derived as the request finishes so that the
/// log keeps three small facts and never the texts: the script of the input, whether the model
/// refused, and whether an answer meant as JSON is JSON.
public struct ContentSignals: Sendable, Hashable {
    /// The script most of the input's letters are in; `nil` for an input without letters.
    public var inputScript: WritingScript?
    /// Whether the answer is a refusal; `nil` without an answer.
    public var refusal: Bool?
    /// Whether the answer parses as JSON; `nil` unless JSON was asked for (`response_format`) or
    /// the answer starts as JSON does.
    public var answerJSON: Bool?

    public init(inputScript: WritingScript? = nil, refusal: Bool? = nil, answerJSON: Bool? = nil) {
        self.inputScript = inputScript
        self.refusal = refusal
        self.answerJSON = answerJSON
    }

    /// The signals of `request` answered by `answer`.
    public init(request: ChatCompletionRequest, answer: Answer?) {
        let input = request.messages.last { $0.role == .user }?.text ?? ""
        self.init(inputScript: WritingScript.dominant(in: input))
        guard let answer else { return }
        refusal = answer.refusal || answer.finishReason == "content_filter" || Self.readsAsRefusal(answer.text)
        let format = request.json["response_format"]?.objectValue?["type"]?.stringValue
        if format == "json_object" || format == "json_schema" || Self.startsAsJSON(answer.text) {
            answerJSON = AnswerJSON.parse(answer.text) != nil
        }
    }

    /// What the model answered, as the signals need it.
    public struct Answer: Sendable {
        public var text: String
        /// Whether the model answered with a refusal of its own (the message's `refusal`).
        public var refusal: Bool
        public var finishReason: String?

        public init(text: String, refusal: Bool = false, finishReason: String? = nil) {
            self.text = text
            self.refusal = refusal
            self.finishReason = finishReason
        }
    }

    /// The openings of refusals in English, as models phrase them, read in the first 200 bytes.
    static let refusalPhrases: [[UInt8]] = [
        "i'm sorry, but i can't", "i'm sorry, but i cannot", "i am sorry, but i cannot", "sorry, i can't", "i can't help with",
        "i cannot help with", "i can't assist", "i cannot assist", "i'm unable to help", "i am unable to help", "i'm not able to help",
        "i can't comply", "i cannot comply", "i must decline", "i won't be able to help", "i can't provide", "i cannot provide",
        "i can't fulfill", "i cannot fulfill", "as an ai language model, i can",
    ].map { Array($0.utf8) }

    static func readsAsRefusal(_ text: String) -> Bool {
        // ASCII lowercased, the typographic apostrophe (U+2019, E2 80 99) read as "'".
        var opening: [UInt8] = []
        opening.reserveCapacity(200)
        var bytes = text.utf8.prefix(200).makeIterator()
        while let byte = bytes.next() {
            if byte == 0xE2, let second = bytes.next(), let third = bytes.next() {
                opening += second == 0x80 && third == 0x99 ? [UInt8(ascii: "'")] : [byte, second, third]
            } else {
                opening.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
            }
        }
        // Every phrase begins a word with "i", "s" or "a": only there is one compared.
        return opening.indices.contains { start in
            guard opening[start] == UInt8(ascii: "i") || opening[start] == UInt8(ascii: "s") || opening[start] == UInt8(ascii: "a"),
                start == 0 || !(0x61...0x7A).contains(opening[start - 1])
            else { return false }
            return refusalPhrases.contains { phrase in
                phrase.count <= opening.count - start && opening[start..<(start + phrase.count)].elementsEqual(phrase)
            }
        }
    }

    static func startsAsJSON(_ text: String) -> Bool {
        guard let first = text.first(where: { !$0.isWhitespace }) else { return false }
        return first == "{" || first == "[" || text.drop { $0.isWhitespace }.hasPrefix("```json")
    }
}
