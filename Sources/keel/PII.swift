import ArgumentParser
import Foundation
import KeelCore

struct PII: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pii",
        abstract: "Personal and secret data in text, found as the gateway finds it.",
        subcommands: [Scan.self]
    )

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Find PII in texts: one {\"id\", \"text\"} a line in, one {\"id\", \"spans\": [{\"start\", \"end\", \"type\", \"score\"}]} a line out.",
            discussion: """
                Offsets are in Unicode code points, end exclusive, so that any corpus can be scored. A line that is not such an \
                object is printed as {"line", "error"} and the command exits 1 after the others. The structured types are \
                email, phone, card, iban, ssn, nino, ipv4, ipv6 and secret; person and address are a weaker tier, on with --weak.
                """
        )

        @Option(help: "The JSONL file ('-' for standard input).") var input = "-"
        @Option(help: "Only these types, comma-separated.") var types: String?
        @Flag(help: "Also the weaker tier: person names and postal addresses.") var weak = false
        @Option(help: "Drop findings scored below this.") var minimumScore = 0.5
        @Option(help: "Scan every text this many times and print the time a text took to standard error (for benchmarks).") var repeats = 1

        func run() async throws {
            var chosen = Set(types.map { $0.split(separator: ",").map { PIIType(rawValue: String($0)) } } ?? PIIType.structured)
            if weak { chosen.formUnion(PIIType.weak) }
            let known = Set(PIIType.structured + PIIType.weak)
            if let unknown = chosen.first(where: { !known.contains($0) }) { throw ValidationError("'\(unknown)' is not a PII type") }
            let detector = PIIDetector(types: chosen, minimumScore: minimumScore)
            var texts: [(id: JSONValue, text: String)] = []
            var failed = false
            for (number, line) in try jsonLines(input) {
                let object = (try? JSONParser.parse(line))?.objectValue
                guard let object, let text = object["text"]?.stringValue else {
                    print(JSONValue.object(JSONObject([("line", JSONValue(number)), ("error", "is not an object with a 'text' string")])).jsonString)
                    failed = true
                    continue
                }
                texts.append((object["id"] ?? .null, text))
            }
            let started = ContinuousClock.now
            for _ in 1..<max(repeats, 1) { for item in texts { _ = detector.scan(item.text) } }
            for item in texts {
                let spans = detector.scan(item.text)
                print(JSONValue.object(JSONObject([("id", item.id), ("spans", .array(spans.map { .object($0.json) }))])).jsonString)
            }
            if repeats > 1, !texts.isEmpty {
                let elapsed = ContinuousClock.now - started
                let microseconds = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
                FileHandle.standardError.write(
                    Data(String(format: "%.2f µs a text over %d scans\n", microseconds / Double(texts.count * repeats), texts.count * repeats).utf8)
                )
            }
            if failed { throw ExitCode(1) }
        }
    }
}
