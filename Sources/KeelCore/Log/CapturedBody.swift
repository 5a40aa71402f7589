/// A request or response body kept for the log: appended to in place (linear however a stream is
/// chunked) and cut at a size, after which it says where it was cut.
struct CapturedBody: Sendable {
    let limit: Int
    private(set) var text = ""
    private(set) var isCut = false

    init(limit: Int) { self.limit = limit }

    mutating func append(_ piece: String) {
        guard !isCut else { return }
        let room = limit - text.utf8.count
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
        append(String(decoding: bytes.prefix(limit - text.utf8.count + 4), as: UTF8.self))
        if bytes.count > limit { isCut = true }
    }

    /// The text as stored: cut bodies end with a line saying so.
    var stored: String { isCut ? text + "\n[keel: body cut at \(limit) bytes (log.max_body_bytes)]" : text }
}
