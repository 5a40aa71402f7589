/// A dataset as JSONL: one case a line (blank lines skipped). Every line that is not a valid
/// case is reported with its number and why — and a file with any such line is refused whole, so
/// that a dataset never silently lacks a case. Judges' human labels are read the same way.
public enum DatasetFile {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The cases of `text`, or every problem found in it.
    public static func parse(_ text: String) -> Result<[EvaluationCase], ProblemList> {
        lines(of: text, noun: "cases", EvaluationCase.init(json:), id: \.id)
    }

    /// The items of a JSONL `text`, read by `read`, or every problem found in it; `id` names each
    /// item, and no two may share one.
    public static func lines<Item>(
        of text: String,
        noun: String,
        _ read: (JSONValue) throws(KeelError) -> Item,
        id: (Item) -> String?
    ) -> Result<[Item], ProblemList> {
        var items: [Item] = []
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(String(line)) } catch {
                problems.append(Problem(line: number, message: "not JSON: \(error)"))
                continue
            }
            do {
                let item = try read(value)
                if let name = id(item) {
                    if let first = seen[name] {
                        problems.append(Problem(line: number, message: "the id '\(name)' is already the one of line \(first)"))
                        continue
                    }
                    seen[name] = number
                }
                items.append(item)
            } catch {
                problems.append(Problem(line: number, message: error.message))
            }
        }
        if items.isEmpty, problems.isEmpty { problems.append(Problem(line: 1, message: "the file has no \(noun)")) }
        return problems.isEmpty ? .success(items) : .failure(ProblemList(noun: noun, problems: problems))
    }

    /// Every problem of a refused file.
    public struct ProblemList: Error, CustomStringConvertible {
        public var noun: String
        public var problems: [Problem]
        public var description: String {
            "\(problems.count) line(s) are not valid \(noun), so nothing was read:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
