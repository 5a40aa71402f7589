import AsyncHTTPClient
import Foundation
import KeelCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The review queue's background work, on every replica: escalates each review that passes its
/// SLA undecided (once, whichever replica sees it first) through the alert channels, and POSTs
/// each decided answer whose client is not waiting for it to its route's callback. A callback is
/// leased before it is sent, so one replica at a time tries it, and marked delivered once the
/// receiver accepts it (2xx); a failed one is tried again when its lease lapses. It carries the
/// review id as its `Idempotency-Key`: a receiver that crashed before answering may see it twice.
final class ReviewService: Service {
    private let store: any ReviewStore
    private let callbacks: [String: String]
    private let client: HTTPClient
    private let clock: KeelClock
    private let interval: Duration
    private let logger: Logger
    private let alert: @Sendable (any Alert) -> Void
    /// How long a sender holds a callback before another may try it.
    static let lease: TimeInterval = 30

    init(
        store: any ReviewStore,
        routes: [Route],
        client: HTTPClient,
        clock: KeelClock,
        interval: Duration = .seconds(1),
        logger: Logger,
        alert: @escaping @Sendable (any Alert) -> Void
    ) {
        self.store = store
        self.callbacks = Dictionary(uniqueKeysWithValues: routes.compactMap { route in route.review?.callbackURL.map { (route.name, $0) } })
        self.client = client
        self.clock = clock
        self.interval = interval
        self.logger = logger
        self.alert = alert
    }

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do { try await tick() } catch { logger.error("review check failed", metadata: ["error": "\(error)"]) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    /// Escalates what is overdue and sends the callbacks that are due.
    func tick() async throws {
        let now = clock.now()
        for review in try await store.overdueReviews(now: now, limit: 100) where try await store.markEscalated(id: review.id, at: now) {
            alert(ReviewAlert(review))
        }
        guard !callbacks.isEmpty else { return }
        for review in try await store.undeliveredReviews(routes: callbacks.keys.sorted(), now: now, limit: 50) {
            guard let url = callbacks[review.route],
                try await store.leaseDelivery(id: review.id, until: now.addingTimeInterval(Self.lease), now: now)
            else { continue }
            if await send(review, to: url) { _ = try await store.markDelivered(id: review.id, at: clock.now()) }
        }
    }

    private func send(_ review: Review, to url: String) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "idempotency-key", value: review.id)
        if let outcome = review.outcome { request.headers.add(name: "x-keel-decision", value: outcome.rawValue) }
        request.body = .bytes(ByteBuffer(bytes: JSONValue.object(review.clientJSON(at: clock.now())).serialized()))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                logger.error("a review callback was refused", metadata: ["review_id": "\(review.id)", "status": "\(response.status.code)"])
                return false
            }
            return true
        } catch {
            logger.error("a review callback could not be sent", metadata: ["review_id": "\(review.id)", "error": "\(error)"])
            return false
        }
    }
}
