import AsyncHTTPClient
import KeelCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers alerts (spend, drift) — to the log always, to the webhook when one is configured — and
/// checks the daily spend on a schedule. ``raise(_:)`` only queues, so the request that crossed a soft
/// limit never waits for a webhook.
final class AlertService: Service {
    private let watch: SpendWatch
    private let costs: any CostStore
    private let webhookURL: String?
    private let client: HTTPClient
    private let interval: Duration
    private let logger: Logger
    private let queue: AsyncStream<any Alert>
    private let pending: AsyncStream<any Alert>.Continuation

    init(configuration: KeelConfiguration.Alerts, costs: any CostStore, client: HTTPClient, clock: KeelClock, logger: Logger) {
        self.watch = SpendWatch(policy: configuration.spend, clock: clock)
        self.costs = costs
        self.webhookURL = configuration.webhookURL
        self.client = client
        self.interval = configuration.checkInterval
        self.logger = logger
        (queue, pending) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
    }

    /// Queues an alert for delivery.
    func raise(_ alert: any Alert) { pending.yield(alert) }

    /// Checks today's spend against the policy now, queueing what it raises.
    func checkSpend() async throws {
        let period = watch.period
        for alert in watch.check(try await costs.costs(by: .day, since: period.since, until: period.until, in: .all)) { raise(alert) }
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            if watch.policy.isEnabled {
                group.addTask {
                    while !Task.isCancelled, !Task.isShuttingDownGracefully {
                        do { try await self.checkSpend() } catch { self.logger.error("spend check failed", metadata: ["error": "\(error)"]) }
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
                    }
                }
            }
            group.addTask {
                await withGracefulShutdownHandler {
                    for await alert in self.queue { await self.deliver(alert) }
                } onGracefulShutdown: {
                    self.pending.finish()
                }
            }
        }
    }

    private func deliver(_ alert: any Alert) async {
        logger.warning("\(alert.message)", metadata: alert.logMetadata.mapValues { .string($0) })
        guard let webhookURL else { return }
        var request = HTTPClientRequest(url: webhookURL)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: alert.json.serialized()))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                logger.error(
                    "the alert webhook refused an alert",
                    metadata: ["alert": "\(alert.alertKind)", "status": "\(response.status.code)"]
                )
                return
            }
        } catch {
            logger.error("the alert webhook could not be reached", metadata: ["alert": "\(alert.alertKind)", "error": "\(error)"])
        }
    }
}
