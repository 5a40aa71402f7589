import Foundation
import Synchronization

/// An exact tokenizer for OpenAI's `o200k_base` and `cl100k_base` encodings: the same tokens as
/// tiktoken, from the same rank files (shipped in Keel's resources, MIT, from OpenAI's tiktoken).
public final class Tokenizer: Sendable {
    public enum Encoding: String, Sendable, CaseIterable {
        case o200kBase = "o200k_base"
        case cl100kBase = "cl100k_base"

        /// The encoding OpenAI uses for `model`, or `nil` for models it does not know.
        public init?(model: String) {
            let name = model.lowercased()
            let o200k = ["gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss"]
            let cl100k = ["gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002"]
            if o200k.contains(where: { name.hasPrefix($0) }) {
                self = .o200kBase
            } else if cl100k.contains(where: { name.hasPrefix($0) }) {
                self = .cl100kBase
            } else {
                return nil
            }
        }

        var pattern: PreTokenizer { self == .o200kBase ? .o200k : .cl100k }

        /// The special tokens, which the rank files do not hold.
        public var specialTokens: [String: Int] {
            switch self {
            case .o200kBase: ["<|endoftext|>": 199_999, "<|endofprompt|>": 200_018]
            case .cl100kBase:
                [
                    "<|endoftext|>": 100_257, "<|fim_prefix|>": 100_258, "<|fim_middle|>": 100_259, "<|fim_suffix|>": 100_260,
                    "<|endofprompt|>": 100_276,
                ]
            }
        }
    }

    public let encoding: Encoding
    private let ranks: BytePairRanks

    init(encoding: Encoding, ranks: BytePairRanks) {
        self.encoding = encoding
        self.ranks = ranks
    }

    private static let loaded = Mutex<[Encoding: Tokenizer]>([:])

    /// The tokenizer for `encoding`, loaded from Keel's resources on first use (about 0.1 s) and shared.
    public static func named(_ encoding: Encoding) throws(TokenizerError) -> Tokenizer {
        if let known = loaded.withLock({ $0[encoding] }) { return known }
        let file = "\(encoding.rawValue).tiktoken"
        guard let url = Bundle.module.url(forResource: encoding.rawValue, withExtension: "tiktoken"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { throw TokenizerError.missingResource(file) }
        let tokenizer = Tokenizer(encoding: encoding, ranks: try BytePairRanks(tiktoken: text))
        return loaded.withLock { loaded in
            if let raced = loaded[encoding] { return raced }
            loaded[encoding] = tokenizer
            return tokenizer
        }
    }

    /// The tokens of `text`, as tiktoken's `encode(text, allowed_special=…, disallowed_special=())`:
    /// the special tokens in `allowedSpecial` become their ids, any other special text is plain text.
    public func encode(_ text: String, allowedSpecial: Set<String> = []) -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(text.utf8.count / 3)
        var rest = Substring(text)
        let specials = encoding.specialTokens.filter { allowedSpecial.contains($0.key) }
        while !rest.isEmpty {
            let next = specials.compactMap { special in rest.range(of: special.key).map { ($0, special.value) } }.min {
                $0.0.lowerBound < $1.0.lowerBound
            }
            guard let (range, id) = next else {
                encodeOrdinary(String(rest), into: &tokens)
                break
            }
            encodeOrdinary(String(rest[..<range.lowerBound]), into: &tokens)
            tokens.append(id)
            rest = rest[range.upperBound...]
        }
        return tokens
    }

    /// The number of tokens in `text`, special-looking text counted as plain text.
    public func count(_ text: String) -> Int {
        var tokens: [Int] = []
        encodeOrdinary(text, into: &tokens)
        return tokens.count
    }

    private func encodeOrdinary(_ text: String, into tokens: inout [Int]) {
        guard !text.isEmpty else { return }
        let scalars = ScalarClasses(text)
        let ends = encoding.pattern.pieceEnds(scalars)
        var utf8 = text
        utf8.withUTF8 { bytes in
            var start = 0
            for end in ends {
                let piece = UnsafeBufferPointer(rebasing: bytes[scalars.offsets[start]..<scalars.offsets[end]])
                BytePairEncoder.encode(piece, ranks: ranks, into: &tokens)
                start = end
            }
        }
    }
}
