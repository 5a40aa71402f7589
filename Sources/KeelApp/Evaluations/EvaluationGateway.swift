import AsyncHTTPClient
import Foundation
import KeelCore
import KeelProviders
import KeelStore
import Logging
import Synchronization

/// The gateway an evaluation sends its cases through: the components and the pipeline `keel serve`
/// builds from the same configuration, in process, with the same stages, budgets and request log.
/// Its requests are made with the team's `evaluations` key and marked with their run, so that the
/// log, traces and cost reports tell them from an application's traffic.
public final class EvaluationGateway: ModelScoring {
    /// The name of the key an evaluation's requests are made with, one per team.
    public static let keyName = "evaluations"

    public let configuration: KeelConfiguration
    public let storage: KeelStorage
    let pipeline: Pipeline
    let caller: APIKey
    /// The run the requests belong to (``mark(_:)``).
    private let run: Mutex<String?> = Mutex(nil)
    private let records: Records

    private init(configuration: KeelConfiguration, storage: KeelStorage, pipeline: Pipeline, caller: APIKey, records: Records) {
        self.configuration = configuration
        self.storage = storage
        self.pipeline = pipeline
        self.caller = caller
        self.records = records
    }

    /// Runs `body` with the gateway of `configuration` on `storage`, for `team`; writes the request
    /// log as it goes and once more at the end, and closes the upstreams' connections after.
    public static func with<T: Sendable>(
        configuration: KeelConfiguration,
        storage: KeelStorage,
        team: String?,
        logger: Logger = Logger(label: "keel.eval"),
        _ body: (EvaluationGateway) async throws -> T
    ) async throws -> T {
        let caller = try await evaluationKey(team: team, in: storage.keys)
        let client = HTTPClientService.makeClient(for: configuration.providers)
        let trips = LimitTrips()
        let log = RequestLogWriter(store: storage.log, keepsBodies: configuration.log.bodies == .full, logger: logger)
        let records = Records()
        let result: Result<T, any Error>
        do {
            let components = try Gateway.makeComponents(
                configuration: configuration,
                storage: storage,
                upstreams: Gateway.makeUpstreams(configuration.providers, client: client, trips: trips, clock: .system),
                observers: [log, records],
                trips: trips,
                logger: logger
            )
            let gateway = EvaluationGateway(
                configuration: configuration,
                storage: storage,
                pipeline: Gateway.makePipeline(components),
                caller: caller,
                records: records
            )
            result = await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(200))
                        await log.flush()
                    }
                }
                defer { group.cancelAll() }
                do { return .success(try await body(gateway)) } catch { return .failure(error) }
            }
        } catch {
            result = .failure(error)
        }
        await log.flush()
        await client.shutdown()
        try? await client.client.shutdown()
        return try result.get()
    }

    /// The team's `evaluations` key, made the first time (its secret is never shown: in process,
    /// the caller is known without one).
    static func evaluationKey(team: String?, in keys: any APIKeyStore) async throws -> APIKey {
        let scope: TeamScope = .team(team)
        if let key = try await keys.keys(in: scope).first(where: { $0.name == keyName && $0.team == team && $0.revokedAt == nil }) { return key }
        let key = APIKeySecret.generate().key(name: keyName, role: .app, team: team)
        try await keys.insert(key)
        return key
    }

    /// Marks the requests sent from now on as `run`'s.
    func mark(_ run: String) { self.run.withLock { $0 = run } }

    /// Sends one request through the pipeline as the run's (or as `key`, for a quarantined request
    /// replayed as its sender); returns its log record and what it answered.
    public func send(
        _ operation: GatewayRequest.Operation,
        body: JSONValue,
        as key: APIKey? = nil
    ) async -> (record: RequestRecord?, result: Result<GatewayResponse, any Error>) {
        var request = GatewayRequest(operation: operation, credential: nil, body: body.serialized())
        request.caller = key ?? caller
        request.evaluationRun = run.withLock { $0 }
        let (exchange, result) = await pipeline.handle(request)
        return (records.take(exchange.id), result)
    }

    public func embed(_ texts: [String], route: String) async throws -> (vectors: [[Double]], cost: Money) {
        let (record, result) = await send(.embeddings, body: ["model": .string(route), "input": .array(texts.map(JSONValue.string))])
        guard case .embeddings(let response) = try result.get(), let vectors = response.vectors else {
            throw KeelError(.internalError, "The route '\(route)' did not answer embeddings.")
        }
        return (vectors, record?.cost ?? .zero)
    }

    public func complete(_ messages: [JSONObject], route: String) async throws -> (text: String, cost: Money) {
        let body: JSONValue = ["model": .string(route), "messages": .array(messages.map(JSONValue.object)), "temperature": 0]
        let (record, result) = await send(.chat, body: body)
        guard case .completion(let completion) = try result.get() else {
            throw KeelError(.internalError, "The route '\(route)' did not answer a chat completion.")
        }
        return (completion.content ?? "", record?.cost ?? .zero)
    }
}

extension EvaluationGateway {
    /// The records of the requests in flight, handed to whoever sent each.
    final class Records: ExchangeObserver {
        private let records = Mutex<[String: RequestRecord]>([:])

        func exchangeFinished(_ record: RequestRecord) { records.withLock { $0[record.id] = record } }
        func take(_ id: String) -> RequestRecord? { records.withLock { $0.removeValue(forKey: id) } }
    }
}
