import Foundation

/// Applies a schema to an instance, keyword by keyword, collecting errors and — for
/// `unevaluatedProperties` and `unevaluatedItems` — which properties and items the schema and its
/// in-place subschemas evaluated.
struct SchemaEvaluator {
    struct Outcome {
        var errors: [String] = []
        var properties: Set<String> = []
        var items: Set<Int> = []
        var valid: Bool { errors.isEmpty }

        /// Takes in a subschema's outcome: its errors, and its annotations when it held.
        mutating func absorb(_ other: Outcome) {
            errors += other.errors
            if other.valid { annotate(other) }
        }

        mutating func annotate(_ other: Outcome) {
            properties.formUnion(other.properties)
            items.formUnion(other.items)
        }
    }

    static let vocabulary = "https://json-schema.org/draft/2020-12/vocab/"
    static let maximumDepth = 512

    let index: SchemaIndex
    /// The vocabularies in force; `nil` for all.
    let vocabularies: Set<String>?

    private func uses(_ name: String) -> Bool { vocabularies?.contains(Self.vocabulary + name) ?? true }

    func evaluate(_ schema: SchemaIndex.Located, _ instance: JSONValue, at path: String, scope: [String], depth: Int = 0) -> Outcome {
        if let flag = schema.node.boolValue {
            return flag ? Outcome() : Outcome(errors: ["\(Self.place(path)): no value is allowed here"])
        }
        guard let object = schema.node.objectValue else { return Outcome() }
        guard depth < Self.maximumDepth else { return Outcome(errors: ["\(Self.place(path)): the schema's references recurse too deeply"]) }
        let base = schema.base
        var scope = scope
        if scope.last != base { scope.append(base) }
        var outcome = Outcome()
        // A subschema with an `$id` of its own starts a resource; a reference's target has its base already.
        func sub(_ node: JSONValue, _ value: JSONValue, _ at: String) -> Outcome {
            let located = SchemaIndex.Located(node: node, base: SchemaIndex.declaredBase(of: node, against: base))
            return evaluate(located, value, at: at, scope: scope, depth: depth + 1)
        }

        if let reference = object["$ref"]?.stringValue, let target = index.resolve(reference, from: base) {
            outcome.absorb(evaluate(target, instance, at: path, scope: scope, depth: depth + 1))
        }
        if let reference = object["$dynamicRef"]?.stringValue, let target = dynamicTarget(reference, base: base, scope: scope) {
            outcome.absorb(evaluate(target, instance, at: path, scope: scope, depth: depth + 1))
        }
        if uses("validation") { validate(object, instance, at: path, into: &outcome) }
        if uses("applicator") { applyInPlace(object, instance, at: path, into: &outcome, sub) }
        if uses("applicator") { applyToChildren(object, instance, at: path, into: &outcome, sub) }
        if uses("unevaluated") { applyUnevaluated(object, instance, at: path, into: &outcome, sub) }
        if !outcome.valid {
            outcome.properties = []
            outcome.items = []
        }
        return outcome
    }

    /// `$dynamicRef`: the schema it names, unless that is a `$dynamicAnchor` the outermost resource of
    /// the dynamic scope also has — then that one.
    private func dynamicTarget(_ reference: String, base: String, scope: [String]) -> SchemaIndex.Located? {
        guard let target = index.resolve(reference, from: base) else { return nil }
        let fragment = reference.split(separator: "#", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        guard reference.contains("#"), !fragment.isEmpty, !fragment.hasPrefix("/"),
            target.node.objectValue?["$dynamicAnchor"]?.stringValue == fragment
        else { return target }
        for uri in scope {
            if let anchored = index.dynamicAnchor(fragment, in: uri) { return SchemaIndex.Located(node: anchored, base: uri) }
        }
        return target
    }

    // MARK: Validation vocabulary

    private func validate(_ schema: JSONObject, _ instance: JSONValue, at path: String, into outcome: inout Outcome) {
        func fail(_ message: String) { outcome.errors.append("\(Self.place(path)): \(message)") }
        if let type = schema["type"] {
            let names = type.stringValue.map { [$0] } ?? type.arrayValue?.compactMap(\.stringValue) ?? []
            if !names.contains(where: { Self.matches(instance, type: $0) }) {
                fail("must be \(names.joined(separator: " or ")), not \(Self.typeName(instance))")
            }
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { SchemaEquality.equal($0, instance) }) {
            fail("must be one of \(allowed.map(\.jsonString).joined(separator: ", "))")
        }
        if let constant = schema["const"], !SchemaEquality.equal(constant, instance) { fail("must be \(constant.jsonString)") }
        switch instance {
        case .integer, .double:
            validateNumber(schema, instance, fail)
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = schema["minLength"]?.doubleValue, Double(length) < minimum { fail("must be at least \(Int(minimum)) characters long") }
            if let maximum = schema["maxLength"]?.doubleValue, Double(length) > maximum { fail("must be at most \(Int(maximum)) characters long") }
            if let pattern = schema["pattern"]?.stringValue, let regex = index.patterns[pattern], !Self.search(regex, text) {
                fail("must match /\(pattern)/")
            }
        case .array(let items):
            if let minimum = schema["minItems"]?.doubleValue, Double(items.count) < minimum { fail("must have at least \(Int(minimum)) items") }
            if let maximum = schema["maxItems"]?.doubleValue, Double(items.count) > maximum { fail("must have at most \(Int(maximum)) items") }
            if schema["uniqueItems"]?.boolValue == true, SchemaEquality.hasDuplicates(items) { fail("must not repeat items") }
        case .object(let members):
            if let minimum = schema["minProperties"]?.doubleValue, Double(members.count) < minimum {
                fail("must have at least \(Int(minimum)) properties")
            }
            if let maximum = schema["maxProperties"]?.doubleValue, Double(members.count) > maximum {
                fail("must have at most \(Int(maximum)) properties")
            }
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                fail("must have the property '\(name)'")
            }
            for (name, required) in schema["dependentRequired"]?.objectValue?.entries ?? [] where members[name] != nil {
                for other in required.arrayValue?.compactMap(\.stringValue) ?? [] where members[other] == nil {
                    fail("must have the property '\(other)' when it has '\(name)'")
                }
            }
        default:
            break
        }
    }

    private func validateNumber(_ schema: JSONObject, _ instance: JSONValue, _ fail: (String) -> Void) {
        guard let value = instance.doubleValue else { return }
        if let minimum = schema["minimum"]?.doubleValue, value < minimum { fail("must be at least \(Self.number(minimum))") }
        if let maximum = schema["maximum"]?.doubleValue, value > maximum { fail("must be at most \(Self.number(maximum))") }
        if let minimum = schema["exclusiveMinimum"]?.doubleValue, value <= minimum { fail("must be more than \(Self.number(minimum))") }
        if let maximum = schema["exclusiveMaximum"]?.doubleValue, value >= maximum { fail("must be less than \(Self.number(maximum))") }
        if let divisor = schema["multipleOf"], !Self.isMultiple(instance, of: divisor) { fail("must be a multiple of \(divisor.jsonString)") }
    }

    static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        if case .integer(let a) = value, case .integer(let b) = divisor, b != 0 { return a % b == 0 }
        guard let a = value.doubleValue, let b = divisor.doubleValue, b != 0 else { return true }
        let quotient = a / b
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }

    // MARK: Applicators

    private typealias Sub = (JSONValue, JSONValue, String) -> Outcome

    /// The keywords that apply subschemas to the instance itself.
    private func applyInPlace(_ schema: JSONObject, _ instance: JSONValue, at path: String, into outcome: inout Outcome, _ sub: Sub) {
        if let all = schema["allOf"]?.arrayValue {
            for item in all { outcome.absorb(sub(item, instance, path)) }
        }
        if let any = schema["anyOf"]?.arrayValue {
            let results = any.map { sub($0, instance, path) }
            let held = results.filter(\.valid)
            if held.isEmpty { outcome.errors.append("\(Self.place(path)): must match at least one of anyOf's \(any.count) schemas") }
            for result in held { outcome.annotate(result) }
        }
        if let one = schema["oneOf"]?.arrayValue {
            let results = one.map { sub($0, instance, path) }
            let held = results.filter(\.valid)
            if held.count != 1 {
                outcome.errors.append("\(Self.place(path)): must match exactly one of oneOf's \(one.count) schemas, not \(held.count)")
            }
            for result in held { outcome.annotate(result) }
        }
        if let not = schema["not"], sub(not, instance, path).valid {
            outcome.errors.append("\(Self.place(path)): must not match the schema under 'not'")
        }
        if let condition = schema["if"] {
            let test = sub(condition, instance, path)
            if test.valid {
                outcome.annotate(test)
                if let then = schema["then"] { outcome.absorb(sub(then, instance, path)) }
            } else if let otherwise = schema["else"] {
                outcome.absorb(sub(otherwise, instance, path))
            }
        }
        if case .object(let members) = instance, let dependent = schema["dependentSchemas"]?.objectValue {
            for (name, dependency) in dependent.entries where members[name] != nil { outcome.absorb(sub(dependency, instance, path)) }
        }
    }

    /// The keywords that apply subschemas to an array's items or an object's properties.
    private func applyToChildren(_ schema: JSONObject, _ instance: JSONValue, at path: String, into outcome: inout Outcome, _ sub: Sub) {
        switch instance {
        case .array(let items):
            let prefix = schema["prefixItems"]?.arrayValue ?? []
            for (position, item) in zip(prefix.indices, items) {
                outcome.errors += sub(prefix[position], item, "\(path)/\(position)").errors
                outcome.items.insert(position)
            }
            if let rest = schema["items"], items.count > prefix.count {
                for position in prefix.count..<items.count {
                    outcome.errors += sub(rest, items[position], "\(path)/\(position)").errors
                    outcome.items.insert(position)
                }
            }
            if let contains = schema["contains"] {
                let matching = items.indices.filter { sub(contains, items[$0], "\(path)/\($0)").valid }
                outcome.items.formUnion(matching)
                let minimum = schema["minContains"]?.doubleValue ?? 1
                if Double(matching.count) < minimum {
                    outcome.errors.append("\(Self.place(path)): must contain at least \(Int(minimum)) matching items, not \(matching.count)")
                }
                if let maximum = schema["maxContains"]?.doubleValue, Double(matching.count) > maximum {
                    outcome.errors.append("\(Self.place(path)): must contain at most \(Int(maximum)) matching items, not \(matching.count)")
                }
            }
        case .object(let members):
            let properties = schema["properties"]?.objectValue
            let patterns = (schema["patternProperties"]?.objectValue?.entries ?? []).compactMap { entry in
                index.patterns[entry.key].map { (regex: $0, schema: entry.value) }
            }
            for (name, value) in members.entries {
                let place = "\(path)/\(Self.escape(name))"
                var matched = false
                if let property = properties?[name] {
                    matched = true
                    outcome.errors += sub(property, value, place).errors
                }
                for pattern in patterns where Self.search(pattern.regex, name) {
                    matched = true
                    outcome.errors += sub(pattern.schema, value, place).errors
                }
                if matched {
                    outcome.properties.insert(name)
                } else if let additional = schema["additionalProperties"] {
                    outcome.errors += sub(additional, value, place).errors
                    outcome.properties.insert(name)
                }
            }
            if let names = schema["propertyNames"] {
                for name in members.keys { outcome.errors += sub(names, .string(name), "\(path)/\(Self.escape(name))").errors }
            }
        default:
            break
        }
    }

    /// `unevaluatedItems` and `unevaluatedProperties`, after every other keyword has had its say.
    private func applyUnevaluated(_ schema: JSONObject, _ instance: JSONValue, at path: String, into outcome: inout Outcome, _ sub: Sub) {
        switch instance {
        case .array(let items):
            guard let rest = schema["unevaluatedItems"] else { return }
            for position in items.indices where !outcome.items.contains(position) {
                outcome.errors += sub(rest, items[position], "\(path)/\(position)").errors
                outcome.items.insert(position)
            }
        case .object(let members):
            guard let rest = schema["unevaluatedProperties"] else { return }
            for (name, value) in members.entries where !outcome.properties.contains(name) {
                outcome.errors += sub(rest, value, "\(path)/\(Self.escape(name))").errors
                outcome.properties.insert(name)
            }
        default:
            break
        }
    }

    // MARK: Helpers

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .integer), ("number", .double), ("integer", .integer): true
        case ("integer", .double(let number)): number.isFinite && number.rounded() == number
        default: false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func search(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func escape(_ name: String) -> String { name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }

    static func place(_ path: String) -> String { path.isEmpty ? "/" : path }
}
