import Synchronization

/// Stops sending to a target that keeps failing, and tests it again later with a single probe.
///
/// Closed: calls pass; the breaker opens after `consecutiveFailures` failures in a row, or when at
/// least `minimumCalls` calls in the last `window` failed at `failureRate` or more. Open: calls are
/// refused at no cost until `openDuration` has passed. Half-open: one probe passes; its success closes
/// the breaker, its failure opens it again. Time is read from the injected clock.
public final class CircuitBreaker: Sendable {
    public enum State: String, Sendable, Hashable {
        case closed, open
        case halfOpen = "half_open"
    }

    public struct Configuration: Sendable, Hashable {
        public var consecutiveFailures = 5
        public var failureRate = 0.5
        public var minimumCalls = 20
        public var window: Duration = .seconds(30)
        public var openDuration: Duration = .seconds(10)

        public init() {}
    }

    /// A change of state, for logs and metrics.
    public struct Transition: Sendable, Hashable {
        public var from: State
        public var to: State

        public init(from: State, to: State) {
            self.from = from
            self.to = to
        }
    }

    /// Calls and failures in one tenth of the window.
    private struct Bucket {
        var index: Int64
        var calls = 0
        var failures = 0
    }

    private struct Status {
        var state: State = .closed
        var consecutiveFailures = 0
        var buckets: [Bucket] = []
        var openedAt: Duration = .zero
        var probeInFlight = false
    }

    public let configuration: Configuration
    private let clock: KeelClock
    private let status = Mutex(Status())
    private let onTransition: @Sendable (Transition) -> Void

    /// - Parameter onTransition: told of every change of state, outside the breaker's lock.
    public init(configuration: Configuration = Configuration(), clock: KeelClock, onTransition: @escaping @Sendable (Transition) -> Void = { _ in }) {
        self.configuration = configuration
        self.clock = clock
        self.onTransition = onTransition
    }

    /// The state now (an open breaker whose time is up reads as half-open).
    public var state: State {
        let now = clock.uptime()
        return status.withLock { status in
            status.state == .open && now - status.openedAt >= configuration.openDuration ? .halfOpen : status.state
        }
    }

    /// Whether a call may go ahead now; in half-open only one probe at a time may.
    public func allowsCall() -> Bool {
        let now = clock.uptime()
        let (allowed, transition) = status.withLock { status -> (Bool, Transition?) in
            switch status.state {
            case .closed:
                return (true, nil)
            case .open:
                guard now - status.openedAt >= configuration.openDuration else { return (false, nil) }
                status.state = .halfOpen
                status.probeInFlight = true
                return (true, Transition(from: .open, to: .halfOpen))
            case .halfOpen:
                guard !status.probeInFlight else { return (false, nil) }
                status.probeInFlight = true
                return (true, nil)
            }
        }
        if let transition { onTransition(transition) }
        return allowed
    }

    /// Records the outcome of an allowed call; returns the transition it caused, if any.
    @discardableResult
    public func record(success: Bool) -> Transition? {
        let now = clock.uptime()
        let transition = status.withLock { status -> Transition? in
            let before = status.state
            switch status.state {
            case .halfOpen:
                status.probeInFlight = false
                if success {
                    status = Status()
                } else {
                    open(&status, at: now)
                }
            case .closed:
                let index = bucketIndex(at: now)
                status.buckets.removeAll { $0.index <= index - 10 }
                if status.buckets.last?.index != index { status.buckets.append(Bucket(index: index)) }
                status.buckets[status.buckets.count - 1].calls += 1
                if !success { status.buckets[status.buckets.count - 1].failures += 1 }
                status.consecutiveFailures = success ? 0 : status.consecutiveFailures + 1
                let calls = status.buckets.reduce(0) { $0 + $1.calls }
                let failures = status.buckets.reduce(0) { $0 + $1.failures }
                let rateTripped = calls >= configuration.minimumCalls && Double(failures) / Double(calls) >= configuration.failureRate
                if status.consecutiveFailures >= configuration.consecutiveFailures || rateTripped { open(&status, at: now) }
            case .open:
                break
            }
            return before == status.state ? nil : Transition(from: before, to: status.state)
        }
        if let transition { onTransition(transition) }
        return transition
    }

    private func bucketIndex(at now: Duration) -> Int64 {
        let width = max(configuration.window / 10, .milliseconds(1))
        return Int64(now / width)
    }

    private func open(_ status: inout Status, at now: Duration) {
        status.state = .open
        status.openedAt = now
        status.buckets.removeAll()
        status.consecutiveFailures = 0
        status.probeInFlight = false
    }
}
