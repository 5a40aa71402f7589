import Foundation

/// What one logged request contributes to the traffic figures.
public struct TrafficSample: Sendable, Hashable {
    public var startedAt: Date
    public var route: String?
    public var durationMs: Double
    public var failed: Bool
    public var tokens: Int
    public var cost: Money

    public init(startedAt: Date, route: String?, durationMs: Double, failed: Bool, tokens: Int, cost: Money) {
        self.startedAt = startedAt
        self.route = route
        self.durationMs = durationMs
        self.failed = failed
        self.tokens = tokens
        self.cost = cost
    }
}

/// Requests, errors, latency percentiles, tokens and cost of a set of requests.
public struct TrafficFigures: Sendable, Hashable {
    public var requests = 0
    public var errors = 0
    public var tokens = 0
    public var cost = Money.zero
    /// Latency percentiles in milliseconds; `nil` without requests.
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?

    public init(_ samples: some Collection<TrafficSample>) {
        requests = samples.count
        var durations: [Double] = []
        durations.reserveCapacity(samples.count)
        for sample in samples {
            if sample.failed { errors += 1 }
            tokens += sample.tokens
            cost += sample.cost
            durations.append(sample.durationMs)
        }
        durations.sort()
        p50 = Self.percentile(0.50, of: durations)
        p95 = Self.percentile(0.95, of: durations)
        p99 = Self.percentile(0.99, of: durations)
    }

    public var errorRate: Double? { requests == 0 ? nil : Double(errors) / Double(requests) }

    /// The nearest-rank percentile of sorted values.
    static func percentile(_ fraction: Double, of sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// The request log over a period, in equal time buckets and by route: the dashboard's overview.
public struct Traffic: Sendable {
    public struct Bucket: Sendable, Hashable {
        public var start: Date
        public var figures: TrafficFigures
    }

    public var since: Date
    public var until: Date
    public var buckets: [Bucket]
    public var total: TrafficFigures
    /// By route name; requests refused before routing are under `nil`.
    public var routes: [(route: String?, figures: TrafficFigures)]

    public init(samples: [TrafficSample], since: Date, until: Date, bucketCount: Int) {
        self.since = since
        self.until = until
        let length = max(until.timeIntervalSince(since), 1) / Double(max(bucketCount, 1))
        var grouped = [[TrafficSample]](repeating: [], count: max(bucketCount, 1))
        for sample in samples {
            let index = Int(sample.startedAt.timeIntervalSince(since) / length)
            if grouped.indices.contains(index) { grouped[index].append(sample) }
        }
        buckets = grouped.enumerated().map { index, samples in
            Bucket(start: since.addingTimeInterval(Double(index) * length), figures: TrafficFigures(samples))
        }
        total = TrafficFigures(samples)
        routes = Dictionary(grouping: samples, by: \.route).map { ($0.key, TrafficFigures($0.value)) }
            .sorted { ($0.figures.requests, $1.route ?? "") > ($1.figures.requests, $0.route ?? "") }
    }
}

/// Where the traffic figures are read from.
public protocol TrafficStore: Sendable {
    /// Every request of `scope` that started in `since..<until`, as a sample.
    func trafficSamples(since: Date, until: Date, in scope: TeamScope) async throws -> [TrafficSample]
}
