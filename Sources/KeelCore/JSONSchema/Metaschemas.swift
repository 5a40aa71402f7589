import Foundation

/// The draft 2020-12 meta-schema and its vocabularies, shipped with Keel (`Metaschemas/`) and read
/// the first time a schema names one.
enum Metaschemas {
    static let base = "https://json-schema.org/draft/2020-12/"

    private static let all: [String: SchemaIndex.Resource] = {
        var index = SchemaIndex()
        let files =
            ["schema"]
            + ["applicator", "content", "core", "format-annotation", "format-assertion", "meta-data", "unevaluated", "validation"]
            .map { "meta-\($0)" }
        for file in files {
            guard let url = Bundle.module.url(forResource: file, withExtension: "json", subdirectory: "Metaschemas"),
                let data = try? Data(contentsOf: url), let schema = try? JSONParser.parse(data)
            else { continue }
            index.add(schema, base: base + (file == "schema" ? "schema" : "meta/" + file.dropFirst(5)))
        }
        return index.resources
    }()

    static func resource(_ uri: String) -> SchemaIndex.Resource? {
        guard uri.hasPrefix(base) else { return nil }
        return all[uri]
    }
}
