/// A request or response body kept for the log: appended to in place (linear however a stream is
/// chunked) and cut at a size, after which it says where it was cut. A body still to be masked is
/// kept a little past its size, so that a value the cut would split is still found whole.
struct CapturedBody: Sendable {
    let limit: Int
    /// Whether the text is still to be masked (by the route's PII policy) before it is stored.
    let needsMasking: Bool
    /// How far past the limit a body to be masked is kept: longer than any value Keel finds.
    static let maskingSlack = 512
    private let room: Int
    private(set) var text = ""
    private(set) var isCut = false

    init(limit: Int, needsMasking: Bool = false) {
        self.limit = limit
        self.needsMasking = needsMasking
        self.room = needsMasking ? limit + Self.maskingSlack : limit
    }

    mutating func append(_ piece: String) {
        guard !isCut else { return }
        let room = room - text.utf8.count
        if piece.utf8.count <= room {
            text += piece
            return
        }
        // Cut at a character boundary within the room left.
        var kept = piece.utf8.prefix(room)
        while !kept.isEmpty, String(kept) == nil { kept = kept.dropLast() }
        text += String(kept) ?? ""
        isCut = true
    }

    /// Appends bytes that should be UTF-8 (a request body), invalid sequences replaced.
    mutating func append(bytes: some Collection<UInt8>) {
        append(String(decoding: bytes.prefix(room - text.utf8.count + 4), as: UTF8.self))
        if bytes.count > room { isCut = true }
    }

    /// The body with `text` instead of its own (its masked text), cut at the limit.
    func replacingText(_ text: String) -> CapturedBody {
        var body = CapturedBody(limit: limit)
        body.append(text)
        body.isCut = body.isCut || isCut
        return body
    }

    /// The text as stored: cut bodies end with a line saying so.
    var stored: String { isCut ? text + "\n[keel: body cut at \(limit) bytes (log.max_body_bytes)]" : text }
}
