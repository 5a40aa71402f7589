/// A person's verdict on an answer, to calibrate a judge against: one line of a labels file,
/// `{"id": "…", "input": "…", "answer": "…", "reference": "…", "label": "pass"}` (`id` and
/// `reference` optional; `input` text or any JSON).
public struct HumanLabel: Sendable, Hashable {
    public var id: String?
    public var input: String
    public var answer: String
    public var reference: String?
    /// The label, lowercased: `pass`/`fail` compare with a judge's verdicts.
    public var label: String

    static let fields: Set<String> = ["id", "input", "answer", "reference", "label"]

    public init(json value: JSONValue) throws(KeelError) {
        let reader = try FieldReader(body: value)
        if let unknown = reader.object.keys.first(where: { !Self.fields.contains($0) }) {
            throw reader.invalid(unknown, "is not a field of a label (\(Self.fields.sorted().joined(separator: ", "))).")
        }
        id = try reader.optional("id", "a string or a number") { $0.stringValue ?? $0.integerValue.map(String.init) }
        let input = try reader.required("input", "text or JSON") { Optional($0) }
        self.input = Scorer.text(input)
        answer = try reader.required("answer", "a string") { $0.stringValue }
        reference = reader.value("reference").map(Scorer.text)
        label = Scorer.label(.string(try reader.required("label", "a string") { $0.stringValue }))
    }

    /// The labels of a JSONL file, or every problem found in it.
    public static func parse(_ text: String) -> Result<[HumanLabel], DatasetFile.ProblemList> {
        DatasetFile.lines(of: text, noun: "labels", HumanLabel.init(json:), id: \.id)
    }
}
