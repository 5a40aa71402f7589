/// The routes clients can name, looked up by their public model name.
public struct RouteTable: Sendable {
    private let routes: [String: Route]
    /// Routes in configuration order.
    public let all: [Route]

    public init(_ routes: [Route]) {
        self.all = routes
        self.routes = Dictionary(routes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func route(named name: String) -> Route? { routes[name] }

    /// The route for `model`, or the OpenAI `model_not_found` error.
    public func resolve(_ model: String) throws(KeelError) -> Route {
        guard let route = routes[model] else {
            throw KeelError(.modelNotFound, "The model '\(model)' does not exist or you do not have access to it.", param: "model")
        }
        return route
    }
}
