/// One server-sent event of an API whose streams name their events (`event: response.created`,
/// `event: message_start`), with its JSON data.
public struct NamedEvent: Sendable, Hashable {
    public var name: String
    public var data: JSONObject

    public init(_ name: String, _ data: JSONObject) {
        self.name = name
        self.data = data
    }
}
