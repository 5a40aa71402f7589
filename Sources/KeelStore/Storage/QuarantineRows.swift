import Foundation
import KeelCore

/// Quarantined requests and claimed dedupe keys as both backends store them (respelled by
/// ``RegistrySchema``), and the request log's risk tier.
enum QuarantineRows {
    static let tables = """
        CREATE TABLE quarantine (
            id TEXT PRIMARY KEY, route TEXT NOT NULL, team TEXT, key_id TEXT, received_at DOUBLE NOT NULL, body TEXT NOT NULL,
            problems TEXT NOT NULL, status TEXT NOT NULL, replayed_as TEXT, resolved_at DOUBLE
        );
        CREATE INDEX quarantine_route ON quarantine (route, received_at);
        CREATE TABLE contract_keys (
            route TEXT NOT NULL, key TEXT NOT NULL, request_id TEXT NOT NULL, expires_at DOUBLE NOT NULL, PRIMARY KEY (route, key)
        )
        """

    static let requestColumns = ["ALTER TABLE requests ADD COLUMN risk_tier TEXT"]

    static let insert = """
        INSERT INTO quarantine (id, route, team, key_id, received_at, body, problems, status, replayed_as, resolved_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Takes a free or expired key (bound: route, key, request id, expiry, now); returns a row when taken.
    static let claim = """
        INSERT INTO contract_keys (route, key, request_id, expires_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (route, key) DO UPDATE SET request_id = excluded.request_id, expires_at = excluded.expires_at
        WHERE contract_keys.expires_at <= ? RETURNING request_id
        """

    static func values(of request: QuarantinedRequest) -> [StoredValue] {
        [
            .text(request.id), .text(request.route), .text(request.team), .text(request.keyID), .real(request.receivedAt.timeIntervalSince1970),
            .text(request.body), .text(JSONValue.array(request.problems.map(\.json)).jsonString), .text(request.status.rawValue),
            .text(request.replayedAs), .real(request.resolvedAt?.timeIntervalSince1970),
        ]
    }

    static func request(
        id: String,
        route: String,
        team: String?,
        keyID: String?,
        receivedAt: Double,
        body: String,
        problems: String,
        status: String,
        replayedAs: String?,
        resolvedAt: Double?
    ) throws -> QuarantinedRequest {
        QuarantinedRequest(
            id: id,
            route: route,
            team: team,
            keyID: keyID,
            receivedAt: Date(timeIntervalSince1970: receivedAt),
            body: body,
            problems: try (JSONParser.parse(problems).arrayValue ?? []).map { try ContractProblem(json: $0) },
            status: QuarantinedRequest.Status(rawValue: status) ?? .held,
            replayedAs: replayedAs,
            resolvedAt: resolvedAt.map(Date.init(timeIntervalSince1970:))
        )
    }
}
