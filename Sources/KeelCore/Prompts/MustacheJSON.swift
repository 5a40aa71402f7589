import Mustache

/// A JSON value as Mustache sees it: objects answer dotted names and render as JSON, arrays are
/// sections that repeat and render as JSON, numbers render as written, `null` is missing.
enum MustacheJSON {
    static func context(_ value: JSONValue) -> Any? {
        switch value {
        case .null: nil
        case .bool(let flag): flag
        case .string(let text): text
        case .integer, .double: value.jsonString
        case .array(let items): Items(value: value, items: items.map(context))
        case .object(let object): Object(value: value, object: object)
        }
    }

    struct Object: MustacheParent, MustacheCustomRenderable {
        let value: JSONValue
        let object: JSONObject
        func child(named name: String) -> Any? { object[name].flatMap(MustacheJSON.context) }
        var renderText: String { value.jsonString }
        var isNull: Bool { false }
    }

    struct Items: MustacheSequence, MustacheCustomRenderable {
        let value: JSONValue
        let items: [Any?]
        func makeIterator() -> IndexingIterator<[Any?]> { items.makeIterator() }
        var renderText: String { value.jsonString }
        var isNull: Bool { false }
    }
}
