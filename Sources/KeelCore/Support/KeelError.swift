/// Every failure Keel reports to a client.
///
/// Callers match on ``code``; new codes break nobody. The HTTP edge turns an error into the
/// OpenAI error body `{"error":{"message","type","param","code"}}` with the code's status.
public struct KeelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a stable machine-readable code (the OpenAI body's `code`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The broad class of the failure, which decides the HTTP status and the OpenAI `type`.
        public enum Category: Sendable, Hashable {
            case invalidRequest, authentication, permission, notFound, conflict, payloadTooLarge, unprocessable, rateLimited
            case upstreamFailed, upstreamUnavailable, upstreamTimeout, internalError
            /// The client went away before the answer was complete.
            case clientClosed

            /// The HTTP status a client receives for this category.
            public var httpStatus: Int {
                switch self {
                case .invalidRequest: 400
                case .authentication: 401
                case .permission: 403
                case .notFound: 404
                case .conflict: 409
                case .payloadTooLarge: 413
                case .unprocessable: 422
                case .rateLimited: 429
                case .upstreamFailed: 502
                case .upstreamUnavailable: 503
                case .upstreamTimeout: 504
                case .internalError: 500
                case .clientClosed: 499
                }
            }
        }

        public let name: String
        public let category: Category

        private init(_ name: String, _ category: Category) {
            self.name = name
            self.category = category
        }

        public var description: String { name }

        public static let invalidJSON = Code("invalid_json", .invalidRequest)
        public static let invalidRequest = Code("invalid_request", .invalidRequest)
        public static let invalidType = Code("invalid_type", .invalidRequest)
        public static let missingField = Code("missing_required_parameter", .invalidRequest)
        public static let invalidValue = Code("invalid_value", .invalidRequest)
        public static let contextLengthExceeded = Code("context_length_exceeded", .invalidRequest)
        public static let unsupportedOperation = Code("unsupported_operation", .invalidRequest)
        public static let missingAPIKey = Code("missing_api_key", .authentication)
        public static let invalidAPIKey = Code("invalid_api_key", .authentication)
        public static let insufficientRole = Code("insufficient_permissions", .permission)
        public static let modelNotFound = Code("model_not_found", .notFound)
        public static let notFound = Code("not_found", .notFound)
        public static let payloadTooLarge = Code("payload_too_large", .payloadTooLarge)
        public static let idempotencyKeyReused = Code("idempotency_key_reused", .invalidRequest)
        public static let idempotencyKeyInUse = Code("idempotency_key_in_use", .conflict)
        public static let workflowCompleted = Code("workflow_completed", .conflict)
        public static let previousResponseNotFound = Code("previous_response_not_found", .invalidRequest)
        public static let rateLimitExceeded = Code("rate_limit_exceeded", .rateLimited)
        public static let budgetExceeded = Code("budget_exceeded", .rateLimited)
        public static let upstreamRateLimited = Code("upstream_rate_limited", .rateLimited)
        public static let upstreamError = Code("upstream_error", .upstreamFailed)
        public static let upstreamUnavailable = Code("upstream_unavailable", .upstreamUnavailable)
        public static let upstreamTimeout = Code("upstream_timeout", .upstreamTimeout)
        public static let streamInterrupted = Code("stream_interrupted", .upstreamFailed)
        public static let contractViolation = Code("contract_violation", .unprocessable)
        public static let piiBlocked = Code("pii_blocked", .invalidRequest)
        public static let duplicateRecord = Code("duplicate_record", .conflict)
        public static let reviewRejected = Code("review_rejected", .unprocessable)
        public static let reviewClaimed = Code("review_claimed", .conflict)
        public static let reviewDecided = Code("review_decided", .conflict)
        public static let internalError = Code("internal_error", .internalError)
        public static let clientClosed = Code("client_closed_request", .clientClosed)
    }

    public let code: Code
    public let message: String
    /// The request parameter at fault, as a dotted path (`messages.0.role`).
    public let param: String?
    /// Seconds after which the client may retry, for rate limits and unavailability.
    public let retryAfter: Int?
    /// More members of the error object: every field's problem of a record a contract refused, the quarantine id.
    public var details = JSONObject()

    public init(_ code: Code, _ message: String, param: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.param = param
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code): \(message)" }

    /// The OpenAI error `type` for this error.
    public var type: String {
        switch code.category {
        case .invalidRequest, .notFound, .conflict, .payloadTooLarge, .unprocessable: "invalid_request_error"
        case .authentication: "authentication_error"
        case .permission: "permission_error"
        case .rateLimited: "rate_limit_error"
        case .upstreamFailed, .upstreamUnavailable, .upstreamTimeout: "upstream_error"
        case .internalError, .clientClosed: "server_error"
        }
    }

    /// The HTTP status a client receives.
    public var status: Int { code.category.httpStatus }

    /// Any error as a client should see it: Keel's own as they are, upstream failures classified,
    /// anything else an internal error that reveals nothing.
    public init(presenting error: any Error) {
        switch error {
        case let error as KeelError: self = error
        case let error as UpstreamError: self = error.clientError
        case is CancellationError: self.init(.clientClosed, "The client closed the request.")
        default: self.init(.internalError, "The server had an error while processing your request.")
        }
    }

    /// The OpenAI error body for this error.
    public var body: JSONValue {
        .object(
            JSONObject([
                (
                    "error",
                    .object(
                        JSONObject(
                            [
                                ("message", .string(message)), ("type", .string(type)), ("param", JSONValue(param)),
                                ("code", .string(code.name)),
                            ] + details.entries.map { ($0.key, $0.value) }
                        )
                    )
                )
            ])
        )
    }
}
