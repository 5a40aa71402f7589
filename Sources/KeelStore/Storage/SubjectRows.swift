import KeelCore

/// A data subject's erasure as both backends run it (each statement binds the subject's digest
/// once): the rows that hang off their requests go first, then the requests forget them.
enum SubjectRows {
    private static let theirs = "SELECT id FROM requests WHERE subject = ?"

    static let requestIDs = "SELECT id FROM requests WHERE subject = ? ORDER BY started_at, id"

    /// Each statement, with the count it adds to (a key path of the erasure).
    static var erasure: [(sql: String, counts: WritableKeyPath<SubjectErasure, Int>?)] {
        [
            ("DELETE FROM reviews WHERE request_id IN (\(theirs))", \.reviews),
            (
                "DELETE FROM workflow_summaries WHERE (key_id, workflow_id) IN (SELECT key_id, workflow_id FROM requests WHERE subject = ? AND workflow_id IS NOT NULL)",
                nil
            ),
            ("DELETE FROM workflow_steps WHERE request_id IN (\(theirs))", \.workflowSteps),
            ("DELETE FROM idempotency_keys WHERE request_id IN (\(theirs))", \.storedAnswers),
            ("DELETE FROM responses WHERE request_id IN (\(theirs))", \.storedAnswers),
            ("DELETE FROM feedback WHERE request_id IN (\(theirs))", \.feedback),
            (
                "UPDATE requests SET request_body = NULL, response_body = NULL, metadata = NULL, error_message = NULL, subject = NULL WHERE subject = ?",
                \.requests
            ),
        ]
    }
}
