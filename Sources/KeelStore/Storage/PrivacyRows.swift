import KeelCore

/// How both backends keep the log's privacy facts: each request's redactions as a JSON array,
/// and its data subject's digest, indexed for `keel subjects`.
enum PrivacyRows {
    static let requestColumns = [
        "ALTER TABLE requests ADD COLUMN redactions TEXT",
        "ALTER TABLE requests ADD COLUMN subject TEXT",
        "CREATE INDEX requests_subject ON requests (subject) WHERE subject IS NOT NULL",
    ]
}

extension RequestRecord {
    var storedRedactions: String? { redactions.isEmpty ? nil : JSONValue.array(redactions.map(\.json)).jsonString }

    mutating func restore(redactions stored: String?, subject: String?) {
        redactions = stored.flatMap { try? JSONParser.parse($0).arrayValue }?.compactMap(PIIRedaction.init(json:)) ?? []
        self.subject = subject
    }
}
