/// A route's last resort when every target has failed: off unless configured.
public struct DegradationPolicy: Sendable, Hashable {
    /// How long a successful answer may be served again to an identical request; `nil` keeps no cache.
    public var cacheTTL: Duration?
    /// The answer given when nothing else can be; `nil` for none.
    public var staticAnswer: String?

    public init(cacheTTL: Duration? = nil, staticAnswer: String? = nil) {
        self.cacheTTL = cacheTTL
        self.staticAnswer = staticAnswer
    }

    public var isEnabled: Bool { cacheTTL != nil || staticAnswer != nil }
}
