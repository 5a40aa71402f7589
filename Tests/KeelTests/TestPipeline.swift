import Foundation
import KeelApp
import KeelCore
import KeelStore
import Testing

/// The gateway's own pipeline — `Gateway.makeComponents` and `Gateway.makePipeline`, as `keel serve`
/// builds it — on fresh storage of the suite's backend, with the configuration's providers replaced
/// by `upstreams` and a fresh app key.
struct TestPipeline {
    let pipeline: Pipeline
    let storage: KeelStorage
    let components: GatewayComponents
    /// The app key's secret and record.
    let secret: String
    let key: APIKey

    static func with<T>(
        _ yaml: String,
        upstreams: [String: any Upstream],
        observers: [any ExchangeObserver] = [],
        team: String? = nil,
        backend: TestBackend = .gateway,
        _ body: (TestPipeline) async throws -> T
    ) async throws -> T {
        let (read, problems) = KeelConfiguration.check(yaml: yaml, environment: [:])
        #expect(problems.isEmpty, "\(problems)")
        let configuration = try #require(read)
        return try await backend.withStorage { storage in
            let secret = APIKeySecret.generate()
            let key = secret.key(name: "app", role: .app, team: team)
            try await storage.keys.insert(key)
            let components = try Gateway.makeComponents(configuration: configuration, storage: storage, upstreams: upstreams, observers: observers)
            return try await body(
                TestPipeline(pipeline: Gateway.makePipeline(components), storage: storage, components: components, secret: secret.value, key: key)
            )
        }
    }

    /// Sends `body` as the app key, with an optional workflow and idempotency key.
    func send(
        _ body: String,
        operation: GatewayRequest.Operation = .chat,
        workflow: String? = nil,
        idempotencyKey: String? = nil
    ) async -> (Exchange, Result<GatewayResponse, any Error>) {
        var request = GatewayRequest(operation: operation, credential: secret, body: Array(body.utf8))
        request.workflowID = workflow
        request.idempotencyKey = idempotencyKey
        return await pipeline.handle(request)
    }
}
