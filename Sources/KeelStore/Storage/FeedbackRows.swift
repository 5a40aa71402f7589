import Foundation
import KeelCore

/// Feedback as both backends store it: one row of `feedback`, its correction as JSON text.
enum FeedbackRows {
    static let insert = """
        INSERT INTO feedback (id, request_id, team, key_id, score, label, correction, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The mean feedback score of each version of a prompt's requests since a time (both bound).
    static let scores = """
        SELECT r.prompt_version AS version, AVG(f.score) AS mean, COUNT(f.score) AS count
        FROM feedback f JOIN requests r ON r.id = f.request_id
        WHERE r.prompt_name = ? AND f.score IS NOT NULL AND r.started_at >= ? AND r.prompt_version IS NOT NULL
        GROUP BY r.prompt_version ORDER BY r.prompt_version
        """

    static func values(of feedback: Feedback) -> [StoredValue] {
        [
            .text(feedback.id), .text(feedback.requestID), .text(feedback.team ?? ""), .text(feedback.keyID), .real(feedback.score),
            .text(feedback.label), .text(feedback.correction?.jsonString), .text(feedback.comment), .real(feedback.createdAt.timeIntervalSince1970),
        ]
    }

    static func feedback(
        id: String,
        requestID: String,
        team: String,
        keyID: String?,
        score: Double?,
        label: String?,
        correction: String?,
        comment: String?,
        createdAt: Double
    ) throws -> Feedback {
        Feedback(
            id: id,
            requestID: requestID,
            team: team.isEmpty ? nil : team,
            keyID: keyID,
            score: score,
            label: label,
            correction: try correction.map { try JSONParser.parse($0) },
            comment: comment,
            createdAt: Date(timeIntervalSince1970: createdAt)
        )
    }
}
