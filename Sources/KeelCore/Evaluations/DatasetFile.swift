/// A dataset as JSONL: one case a line (blank lines skipped). Every line that is not a valid
/// case is reported with its number and why — and a file with any such line is refused whole, so
/// that a dataset never silently lacks a case.
public enum DatasetFile {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The cases of `text`, or every problem found in it.
    public static func parse(_ text: String) -> Result<[EvaluationCase], ProblemList> {
        var cases: [EvaluationCase] = []
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            do {
                let item = try EvaluationCase(json: try JSONParser.parse(String(line)))
                if let first = seen[item.id] {
                    problems.append(Problem(line: number, message: "the id '\(item.id)' is already the case of line \(first)"))
                    continue
                }
                seen[item.id] = number
                cases.append(item)
            } catch let error as KeelError {
                problems.append(Problem(line: number, message: error.message))
            } catch {
                problems.append(Problem(line: number, message: "not JSON: \(error)"))
            }
        }
        if cases.isEmpty, problems.isEmpty { problems.append(Problem(line: 1, message: "the file has no cases")) }
        return problems.isEmpty ? .success(cases) : .failure(ProblemList(problems: problems))
    }

    /// Every problem of a refused file.
    public struct ProblemList: Error, CustomStringConvertible {
        public var problems: [Problem]
        public var description: String {
            "\(problems.count) line(s) are not valid cases, so nothing was imported:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
