import Foundation

/// A JSON Schema (draft 2020-12), read once and used to validate any number of instances: every
/// keyword of the core, applicator, unevaluated and validation vocabularies, `$ref` and
/// `$dynamicRef` across embedded resources and anchors, and `$vocabulary` in custom meta-schemas.
/// `format` and the content keywords are annotations, as the draft has them by default. The
/// official test suite's required tests are its tests (`JSONSchemaSuiteTests`).
public struct JSONSchema: Sendable {
    let index: SchemaIndex
    let root: SchemaIndex.Located

    /// The base URI of a schema that names none.
    static let defaultBase = "urn:keel:schema"

    /// Reads `schema`; `resources` are other schemas its `$ref`s may name, by absolute URI (the
    /// draft's own meta-schemas are always known). An invalid schema — a keyword of the wrong type,
    /// a `$ref` to nowhere, a pattern that is no regular expression — is an error naming the place.
    public init(_ schema: JSONValue, resources: [String: JSONValue] = [:]) throws(KeelError) {
        var index = SchemaIndex()
        for (uri, resource) in resources { index.add(resource, base: uri) }
        let base = index.add(schema, base: Self.defaultBase)
        try index.check(schema, base: base, at: "")
        self.index = index
        self.root = SchemaIndex.Located(node: schema, base: base)
    }

    /// What makes `instance` invalid, one message a problem, each starting with the instance's
    /// JSON Pointer (`/items/0/name: …`); empty when it is valid.
    public func validate(_ instance: JSONValue) -> [String] {
        let evaluator = SchemaEvaluator(index: index, vocabularies: index.vocabularies(of: root))
        return evaluator.evaluate(root, instance, at: "", scope: []).errors
    }

    public func isValid(_ instance: JSONValue) -> Bool { validate(instance).isEmpty }
}
