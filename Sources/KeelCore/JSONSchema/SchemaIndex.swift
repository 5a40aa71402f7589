import Foundation

/// Where every subschema of a set of schemas lives: their resources (a root, or a subschema with an
/// `$id`) by absolute URI, each with its `$anchor`s and `$dynamicAnchor`s, so that references
/// resolve wherever they point.
struct SchemaIndex: Sendable {
    /// A subschema and the base URI of the resource it belongs to.
    struct Located: Sendable {
        var node: JSONValue
        var base: String
    }

    struct Resource: Sendable {
        var root: JSONValue
        var anchors: [String: JSONValue] = [:]
        var dynamicAnchors: [String: JSONValue] = [:]
    }

    private(set) var resources: [String: Resource] = [:]
    private(set) var patterns: [String: NSRegularExpression] = [:]

    /// The keywords whose value is a schema, an array of schemas, or an object of them.
    static let schemaKeywords: Set<String> = [
        "additionalProperties", "unevaluatedProperties", "items", "unevaluatedItems", "contains", "propertyNames", "not", "if",
        "then", "else",
    ]
    static let schemaArrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let schemaMapKeywords: Set<String> = ["$defs", "definitions", "properties", "patternProperties", "dependentSchemas"]

    /// Indexes `schema` with `base` as its retrieval URI; returns the base URI it declares.
    @discardableResult
    mutating func add(_ schema: JSONValue, base: String) -> String {
        let declared = Self.declaredBase(of: schema, against: Self.stripFragment(base))
        resources[declared] = Resource(root: schema)
        if declared != Self.stripFragment(base) { resources[Self.stripFragment(base)] = Resource(root: schema) }
        walk(schema, resource: declared, isRoot: true)
        return declared
    }

    private mutating func walk(_ node: JSONValue, resource: String, isRoot: Bool) {
        guard let object = node.objectValue else { return }
        var resource = resource
        if !isRoot, object["$id"]?.stringValue != nil {
            resource = Self.declaredBase(of: node, against: resource)
            resources[resource] = Resource(root: node)
        }
        if let anchor = object["$anchor"]?.stringValue { resources[resource]?.anchors[anchor] = node }
        if let anchor = object["$dynamicAnchor"]?.stringValue {
            resources[resource]?.anchors[anchor] = node
            resources[resource]?.dynamicAnchors[anchor] = node
        }
        if let pattern = object["pattern"]?.stringValue { compile(pattern) }
        for (key, value) in object.entries {
            if Self.schemaKeywords.contains(key) {
                walk(value, resource: resource, isRoot: false)
            } else if Self.schemaArrayKeywords.contains(key), let items = value.arrayValue {
                for item in items { walk(item, resource: resource, isRoot: false) }
            } else if Self.schemaMapKeywords.contains(key), let members = value.objectValue {
                for member in members.entries {
                    if key == "patternProperties" { compile(member.key) }
                    walk(member.value, resource: resource, isRoot: false)
                }
            }
        }
    }

    private mutating func compile(_ pattern: String) {
        guard patterns[pattern] == nil, let regex = try? NSRegularExpression(pattern: pattern) else { return }
        patterns[pattern] = regex
    }

    /// The subschema `reference` names, resolved against `base`; the draft's meta-schemas are loaded
    /// when first named.
    func resolve(_ reference: String, from base: String) -> Located? {
        let absolute = Self.resolveURI(reference, against: base)
        let (uri, fragment) = Self.split(absolute)
        guard let resource = resources[uri] ?? Metaschemas.resource(uri) else { return nil }
        guard let fragment, !fragment.isEmpty else { return Located(node: resource.root, base: uri) }
        if fragment.hasPrefix("/") { return Self.pointer(fragment, in: resource.root, base: uri) }
        return resource.anchors[fragment].map { Located(node: $0, base: uri) }
    }

    /// The `$dynamicAnchor` named `name` of the resource at `uri`, if it has one.
    func dynamicAnchor(_ name: String, in uri: String) -> JSONValue? {
        (resources[uri] ?? Metaschemas.resource(uri))?.dynamicAnchors[name]
    }

    /// The vocabularies a schema's `$schema` enables; `nil` for all of them.
    func vocabularies(of schema: Located) -> Set<String>? {
        guard let uri = schema.node.objectValue?["$schema"]?.stringValue, let meta = resolve(uri, from: schema.base),
            let vocabulary = meta.node.objectValue?["$vocabulary"]?.objectValue
        else { return nil }
        return Set(vocabulary.keys)
    }

    /// Walks a JSON Pointer from a resource's root, following the `$id`s it passes.
    private static func pointer(_ pointer: String, in root: JSONValue, base: String) -> Located? {
        var node = root
        var base = base
        for token in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = (String(token).removingPercentEncoding ?? String(token)).replacingOccurrences(of: "~1", with: "/")
                .replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let object):
                guard let next = object[key] else { return nil }
                node = next
            case .array(let items):
                guard let position = Int(key), items.indices.contains(position) else { return nil }
                node = items[position]
            default:
                return nil
            }
            if node.objectValue?["$id"]?.stringValue != nil { base = declaredBase(of: node, against: base) }
        }
        return Located(node: node, base: base)
    }

    /// Reports, with its place, the first keyword of `node` that cannot be applied.
    static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]
    static let numberKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]
    static let countKeywords = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"]

    /// The validation vocabulary's keywords have the types its meta-schema gives them: `type` names
    /// types, `required` lists names, `enum` is an array, bounds are numbers and counts whole and not negative.
    static func checkValidationKeywords(_ object: JSONObject, at path: String) throws(KeelError) {
        func refuse(_ keyword: String, _ expected: String) -> KeelError {
            KeelError(.invalidType, "'\(keyword)' must be \(expected)\(place(path)).", param: "schema")
        }
        if let type = object["type"] {
            let names = type.stringValue.map { [$0] } ?? type.arrayValue?.compactMap(\.stringValue)
            guard let names, names.count == (type.arrayValue?.count ?? 1), names.allSatisfy(typeNames.contains), Set(names).count == names.count
            else {
                throw refuse("type", "a type name or an array of distinct ones")
            }
        }
        if let required = object["required"], required.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            throw refuse("required", "an array of property names")
        }
        if let values = object["enum"], values.arrayValue == nil { throw refuse("enum", "an array") }
        for keyword in numberKeywords {
            if let value = object[keyword], value.doubleValue == nil || (keyword == "multipleOf" && value.doubleValue! <= 0) {
                throw refuse(keyword, keyword == "multipleOf" ? "a number above 0" : "a number")
            }
        }
        for keyword in countKeywords {
            if let value = object[keyword], value.doubleValue.map({ $0 >= 0 && $0.rounded() == $0 }) != true {
                throw refuse(keyword, "a whole number, not negative")
            }
        }
    }

    func check(_ node: JSONValue, base: String, at path: String) throws(KeelError) {
        guard let object = node.objectValue else {
            if node.boolValue == nil { throw KeelError(.invalidValue, "A schema is an object or a boolean\(Self.place(path)).", param: "schema") }
            return
        }
        var base = base
        if path != "", object["$id"]?.stringValue != nil { base = Self.declaredBase(of: node, against: base) }
        for keyword in ["$ref", "$dynamicRef"] {
            guard let reference = object[keyword] else { continue }
            guard let text = reference.stringValue else {
                throw KeelError(.invalidType, "'\(keyword)' must be a string\(Self.place(path)).", param: "schema")
            }
            if resolve(text, from: base) == nil {
                throw KeelError(.invalidValue, "'\(keyword)' \(text) names no schema\(Self.place(path)).", param: "schema")
            }
        }
        try Self.checkValidationKeywords(object, at: path)
        if let pattern = object["pattern"] {
            guard let text = pattern.stringValue, patterns[text] != nil else {
                throw KeelError(.invalidValue, "'pattern' \(pattern.jsonString) is not a regular expression\(Self.place(path)).", param: "schema")
            }
        }
        for (key, value) in object.entries {
            if Self.schemaKeywords.contains(key) {
                try check(value, base: base, at: "\(path)/\(key)")
            } else if Self.schemaArrayKeywords.contains(key) {
                guard let items = value.arrayValue else {
                    throw KeelError(.invalidType, "'\(key)' must be an array of schemas\(Self.place(path)).", param: "schema")
                }
                for (position, item) in items.enumerated() { try check(item, base: base, at: "\(path)/\(key)/\(position)") }
            } else if Self.schemaMapKeywords.contains(key) {
                guard let members = value.objectValue else {
                    throw KeelError(.invalidType, "'\(key)' must be an object of schemas\(Self.place(path)).", param: "schema")
                }
                for member in members.entries {
                    if key == "patternProperties", patterns[member.key] == nil {
                        throw KeelError(.invalidValue, "'\(member.key)' is not a regular expression\(Self.place(path)).", param: "schema")
                    }
                    try check(member.value, base: base, at: "\(path)/\(key)/\(member.key)")
                }
            }
        }
    }

    private static func place(_ path: String) -> String { path.isEmpty ? "" : " (at \(path))" }

    // MARK: URIs

    /// The base URI a schema declares with `$id`, resolved against the enclosing one.
    static func declaredBase(of schema: JSONValue, against base: String) -> String {
        guard let id = schema.objectValue?["$id"]?.stringValue else { return base }
        return stripFragment(resolveURI(id, against: base))
    }

    /// RFC 3986 reference resolution, enough for schema identifiers: fragments, absolute URIs
    /// (URNs included) and paths relative to hierarchical bases.
    static func resolveURI(_ reference: String, against base: String) -> String {
        if reference.isEmpty { return stripFragment(base) }
        if reference.hasPrefix("#") { return stripFragment(base) + reference }
        if reference.firstMatch(of: /^[A-Za-z][A-Za-z0-9+.\-]*:/) != nil { return reference }
        guard let baseURL = URL(string: stripFragment(base)), let resolved = URL(string: reference, relativeTo: baseURL) else {
            return reference
        }
        return resolved.absoluteString
    }

    static func stripFragment(_ uri: String) -> String {
        guard let hash = uri.firstIndex(of: "#") else { return uri }
        return String(uri[..<hash])
    }

    private static func split(_ uri: String) -> (String, String?) {
        guard let hash = uri.firstIndex(of: "#") else { return (uri, nil) }
        return (String(uri[..<hash]), String(uri[uri.index(after: hash)...]))
    }
}
