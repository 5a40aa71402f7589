extension KeelError {
    /// Anthropic's error body, `{"type":"error","error":{"type","message"},"request_id"}`, for the
    /// Messages API's clients; the status stays the error's own.
    public func anthropicBody(requestID: String?) -> JSONValue {
        var object = JSONObject([("type", "error"), ("error", ["type": .string(anthropicType), "message": .string(message)])])
        if let requestID { object["request_id"] = .string(requestID) }
        return .object(object)
    }

    /// Anthropic's error `type` for this error.
    public var anthropicType: String {
        switch code.category {
        case .invalidRequest, .conflict, .unprocessable: "invalid_request_error"
        case .authentication: "authentication_error"
        case .permission: "permission_error"
        case .notFound: "not_found_error"
        case .payloadTooLarge: "request_too_large"
        case .rateLimited: "rate_limit_error"
        case .upstreamUnavailable: "overloaded_error"
        case .upstreamFailed, .upstreamTimeout, .internalError, .clientClosed: "api_error"
        }
    }
}
