/// One server-sent event: its `event:` name (if any) and its `data:` lines joined.
struct ServerSentEvent: Sendable, Equatable {
    var event: String?
    var data: String
}

/// Splits a byte stream into server-sent events as the bytes arrive, whatever the chunking.
struct ServerSentEventParser {
    /// The longest line kept; an event's data lines together may not pass it either.
    let maximumLineBytes: Int
    private var line: [UInt8] = []
    private var event: String?
    private var data: [String] = []
    private var dataBytes = 0

    init(maximumLineBytes: Int = 1 << 20) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Feeds bytes and returns the events they complete; `nil` once a line (or an event's data)
    /// grows past ``maximumLineBytes``, which nothing can recover from.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent]? {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let completed = endLine() { events.append(completed) }
                guard dataBytes <= maximumLineBytes else { return nil }
            } else if byte != UInt8(ascii: "\r") {
                guard line.count < maximumLineBytes else { return nil }
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the input: a final event without its blank line still counts.
    mutating func finish() -> ServerSentEvent? {
        if !line.isEmpty { _ = endLine() }
        return dispatch()
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else { return dispatch() }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data":
            data.append(String(value))
            dataBytes += value.utf8.count + 1
        case "event": event = String(value)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            event = nil
            data.removeAll()
            dataBytes = 0
        }
        guard !data.isEmpty else { return nil }
        return ServerSentEvent(event: event, data: data.joined(separator: "\n"))
    }
}
