/// What changed from one prompt version to another, as `keel prompts diff` prints it: each
/// message's text line by line, then the variables, parameters and answer schema.
public enum PromptDiff {
    public static func lines(from old: PromptTemplate, to new: PromptTemplate) -> [String] {
        var lines: [String] = []
        for index in 0..<max(old.messages.count, new.messages.count) {
            let before = index < old.messages.count ? old.messages[index] : nil
            let after = index < new.messages.count ? new.messages[index] : nil
            let role = before?.role == after?.role ? (after?.role ?? "") : "\(before?.role ?? "none") → \(after?.role ?? "none")"
            lines.append("messages.\(index) [\(role)]")
            let text = LineDiff(
                before.map { $0.content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? [],
                after.map { $0.content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
            )
            lines += text.lines.map { "  " + $0 }
        }
        let oldVariables = Dictionary(uniqueKeysWithValues: old.variables.map { ($0.name, $0) })
        let newVariables = Dictionary(uniqueKeysWithValues: new.variables.map { ($0.name, $0) })
        func describe(_ variable: PromptVariable) -> String { "\(variable.name): \(variable.kind.rawValue)\(variable.required ? "" : ", optional")" }
        for name in Set(oldVariables.keys).union(newVariables.keys).sorted() {
            switch (oldVariables[name], newVariables[name]) {
            case (nil, let added?): lines.append("variables  + \(describe(added))")
            case (let removed?, nil): lines.append("variables  - \(describe(removed))")
            case (let before?, let after?) where before != after: lines.append("variables  \(describe(before)) → \(describe(after))")
            default: break
            }
        }
        for key in Set(old.parameters.keys).union(new.parameters.keys).sorted() where old.parameters[key] != new.parameters[key] {
            lines.append("parameters  \(key): \(old.parameters[key]?.jsonString ?? "none") → \(new.parameters[key]?.jsonString ?? "none")")
        }
        if old.responseSchema != new.responseSchema {
            lines.append(
                "response_schema  \(old.responseSchema.map { JSONValue.object($0).jsonString } ?? "none") → \(new.responseSchema.map { JSONValue.object($0).jsonString } ?? "none")"
            )
        }
        return lines
    }
}
