import ArgumentParser
import Foundation
import KeelCore
import KeelTokenizer

struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count tokens exactly as OpenAI's tokenizer (tiktoken) does.",
        discussion: """
            Reads standard input and prints its token count. With --jsonl, reads one JSON object a line \
            ({"text": "…"}) and prints one count a line (empty lines are skipped). A line that is not such an \
            object gets an empty line and a message on standard error, and the command exits 1 once every \
            line is counted.
            """
    )

    @Option(help: "The encoding: o200k_base (GPT-4o, GPT-4.1, o-series) or cl100k_base (GPT-4, GPT-3.5).")
    var encoding: Tokenizer.Encoding = .o200kBase
    @Flag(help: "One JSON object with a \"text\" field a line; one count a line.") var jsonl = false
    @Flag(help: "Also print the tokens counted and the time spent counting them (for benchmarks) on standard error.")
    var timing = false

    func run() async throws {
        let tokenizer = try Tokenizer.named(encoding)
        let input = FileHandle.standardInput.readDataToEndOfFile()
        guard jsonl else {
            print(tokenizer.count(String(decoding: input, as: UTF8.self)))
            return
        }
        var failed = 0
        var texts: [String?] = []
        for (number, line) in input.split(separator: UInt8(ascii: "\n")).enumerated() {
            let text = (try? JSONParser.parse(line))?.objectValue?["text"]?.stringValue
            if text == nil {
                FileHandle.standardError.write(Data("line \(number + 1): expected a JSON object with a string \"text\"\n".utf8))
                failed += 1
            }
            texts.append(text)
        }
        let started = ContinuousClock.now
        let counts = texts.map { $0.map(tokenizer.count) }
        let elapsed = ContinuousClock.now - started
        FileHandle.standardOutput.write(Data(counts.map { $0.map(String.init) ?? "" }.joined(separator: "\n").appending("\n").utf8))
        if timing {
            let total = counts.reduce(0) { $0 + ($1 ?? 0) }
            FileHandle.standardError.write(Data("counted \(total) tokens in \(elapsed.seconds) s\n".utf8))
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

extension Tokenizer.Encoding: ExpressibleByArgument {}
