import KeelCore
import KeelProviders
import KeelStore
import Logging

/// Everything `keel.yaml` says, checked and with defaults filled in.
public struct KeelConfiguration: Sendable {
    public struct Server: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Larger request bodies are refused with 413 before they are read whole.
        public var maximumBodySize = 4 * 1024 * 1024
        /// Open client connections; `nil` for what the file-descriptor limit leaves (see ``ConnectionLimits``).
        public var maximumConnections: Int?
        /// A keep-alive connection with no request for this long is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// A request's head must arrive whole within this long of its first byte (or of the connection opening).
        public var headerTimeout: Duration = .seconds(10)
    }

    /// Where Keel keeps its state: SQLite by default, PostgreSQL for several replicas.
    public var storage = StorageConfiguration.default

    /// How replicas share work in flight.
    public struct Replicas: Sendable {
        /// How long a replica's claim on its work in flight lasts without renewal: a replica that
        /// stops (or loses the database) for this long has its steps, keys and reservations taken back.
        public var leaseDuration: Duration = .seconds(10)
    }

    public struct Log: Sendable {
        /// Whether request and response bodies are kept in the request log.
        public var bodies: RecordStage.BodyCapture = .none
        /// A kept body is cut at this many bytes, and says so.
        public var maximumBodyBytes = RecordStage.defaultMaximumBodyBytes
        public var level: Logger.Level = .info
    }

    public struct Provider: Sendable {
        public enum Kind: String, Sendable, CaseIterable {
            case openai, anthropic, simulated
        }

        public var name: String
        public var kind: Kind
        public var baseURL: String?
        /// The provider's key, read from the environment variable the configuration names.
        public var apiKey: String?
        /// How long Keel waits on the provider and how much it reads from it.
        public var limits = UpstreamLimits()
        /// How a `simulated` provider behaves.
        public var simulation = SimulationProfile()
    }

    /// A key provisioned from configuration: its secret comes from the environment.
    public struct ProvisionedKey: Sendable {
        public var name: String
        public var role: APIKey.Role
        public var secret: String
        public var team: String?
    }

    /// Traces exported over OTLP/HTTP: off unless an endpoint is configured.
    public struct Tracing: Sendable {
        public enum WireProtocol: String, Sendable, CaseIterable {
            case protobuf = "http/protobuf"
            case json = "http/json"
        }

        /// The collector's base URL (`http://collector:4318`); spans go to its `/v1/traces`.
        public var endpoint: String?
        public var wireProtocol = WireProtocol.protobuf
        public var serviceName = "keel"
        /// Whether prompts and answers go on spans (`gen_ai.input.messages`, `gen_ai.output.messages`).
        public var content = false
        /// The share of traces recorded (by trace id, so a trace is whole or absent); a client's
        /// sampled `traceparent` is always followed.
        public var sampleRatio = 1.0
        /// How long finished spans wait to be sent together.
        public var batchDelay: Duration = .milliseconds(250)
    }

    public var server = Server()
    /// What one request may ask for.
    public var limits = RequestLimits()
    public var replicas = Replicas()
    public var log = Log()
    public var providers: [Provider] = []
    public var models: [ModelDeployment] = []
    public var routes: [Route] = []
    /// How every deployment's circuit breaker trips and probes.
    public var circuitBreaker = CircuitBreaker.Configuration()
    public var budgets: [Budget] = []
    /// Requests and tokens per minute for keys without limits of their own.
    public var defaultRateLimit = RateLimits.Limit()
    /// Limits of particular keys, by name.
    public var rateLimits: [String: RateLimits.Limit] = [:]
    public var keys: [ProvisionedKey] = []
    public var alerts = Alerts()
    public var tracing = Tracing()
    /// Whether requests are counted and `/metrics` is served.
    public var metricsEnabled = true
    /// Whether `/metrics` answers without an admin key (for a scraper on a private network).
    public var metricsOpen = false
    /// How long an `Idempotency-Key`'s answer is kept for its repeats.
    public var idempotencyLifetime: Duration = .seconds(86_400)
    /// How long a repeat waits for the first request with its key, running on another replica.
    public var idempotencyWait: Duration = .seconds(60)
    /// An open workflow without a step for this long counts as abandoned in its figures.
    public var workflowIdleTime = WorkflowReporter.defaultIdleTime

    /// Where spend alerts go (always the log; a webhook when configured) and what raises them.
    public struct Alerts: Sendable {
        /// Receives each alert as a JSON POST; it may hold a secret, so it is never logged.
        public var webhookURL: String?
        public var spend = SpendWatch.Policy()
        /// How often daily spend is checked.
        public var checkInterval: Duration = .seconds(60)
    }

    /// The audit trail's checkpoints: how often, and the key they are signed with.
    public struct Audit: Sendable {
        /// The HMAC key (from `signing_key_env`); without one, checkpoints are unsigned.
        public var signingKey: String?
        public var checkpointInterval: Duration = .seconds(60)
    }

    public var audit = Audit()

    public struct Retention: Sendable {
        /// The periods of every route without its own.
        public var periods = RetentionPeriods()
        /// How often each replica purges what is past its period.
        public var interval: Duration = .seconds(3600)
    }

    public var retention = Retention()

    /// The periods route by route, as the purge applies them.
    public var retentionPolicy: RetentionPolicy {
        RetentionPolicy(
            defaults: retention.periods,
            routes: Dictionary(uniqueKeysWithValues: routes.compactMap { route in route.retention.map { (route.name, $0) } })
        )
    }
    /// SHA-256 of the configuration's text, as the audit trail records it at start.
    public var sourceHash: String?

    public init() {}
}
