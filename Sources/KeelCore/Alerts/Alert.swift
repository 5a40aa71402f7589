/// Something operators must hear about: written to the log, and POSTed to the alert webhook.
public protocol Alert: Sendable {
    /// What kind of alert it is (`daily_spend`, `drift_started`, …), for the log and the webhook.
    var alertKind: String { get }
    /// One sentence for people.
    var message: String { get }
    /// The webhook's body; a `text` field makes it readable by chat webhooks (Slack, Mattermost).
    var json: JSONValue { get }
    /// The alert's figures for a structured log line.
    var logMetadata: [String: String] { get }
}
