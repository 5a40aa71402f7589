/// A request or response body kept for the log: appended to in place (linear however a stream is
/// chunked) and cut at a size, after which it says where it was cut. A body to be masked is kept
/// a little past its size, so that a value the cut would split is still found whole.
struct CapturedBody: Sendable {
    let limit: Int
    /// How far past the limit a body to be masked is kept: longer than any value Keel finds.
    static let maskingSlack = 512
    private let room: Int
    private(set) var text = ""
    private(set) var isCut = false

    init(limit: Int, masked: Bool = false) {
        self.limit = limit
        self.room = masked ? limit + Self.maskingSlack : limit
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

    /// The body with its text masked, when there is a policy.
    func masked(by policy: PIIPolicy?) -> CapturedBody { policy.map { replacingText($0.redacted(text)) } ?? self }

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
