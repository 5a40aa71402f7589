import Foundation
import Synchronization

/// Watches the gateway's daily spend (UTC days) and raises an alert, once a day each, when the day's
/// spend crosses a threshold or jumps past its trailing average.
public final class SpendWatch: Sendable {
    public struct Policy: Sendable, Hashable {
        /// Alert when a day's spend crosses this; `nil` for no threshold.
        public var dailyThreshold: Money?
        /// Alert when a day's spend passes this many times the average of the days before; `nil` for none.
        public var jumpFactor: Double?
        /// How many days before today make the average (fewer while the log is younger).
        public var trailingDays: Int

        public init(dailyThreshold: Money? = nil, jumpFactor: Double? = nil, trailingDays: Int = 7) {
            self.dailyThreshold = dailyThreshold
            self.jumpFactor = jumpFactor
            self.trailingDays = trailingDays
        }

        public var isEnabled: Bool { dailyThreshold != nil || jumpFactor != nil }
    }

    public let policy: Policy
    private let clock: KeelClock
    /// The alerts raised today, by kind.
    private let raised = Mutex<(day: String, kinds: Set<SpendAlert.Kind>)>(("", []))

    public init(policy: Policy, clock: KeelClock) {
        self.policy = policy
        self.clock = clock
    }

    /// The period whose daily costs ``check(_:)`` needs: the trailing days and today so far.
    public var period: (since: Date, until: Date) {
        let now = clock.now()
        let today = Budget.Window.day.bounds(of: now).start
        return (today.addingTimeInterval(-Double(policy.trailingDays) * 86_400), now.addingTimeInterval(1))
    }

    /// The alerts the daily costs of ``period`` (a cost report by day) raise that were not raised today.
    public func check(_ days: [CostReport.Line]) -> [SpendAlert] {
        let today = Self.dayName(clock.now())
        let spent = days.first { $0.group == today }?.cost ?? .zero
        let before = days.filter { ($0.group ?? "") < today }
        var alerts: [SpendAlert] = []
        if let threshold = policy.dailyThreshold, spent > threshold {
            alerts.append(
                SpendAlert(
                    kind: .dailySpend,
                    subject: "all",
                    spent: spent,
                    threshold: threshold,
                    message: "Spend today (\(today)) is \(spent), over the daily threshold of \(threshold)."
                )
            )
        }
        if let factor = policy.jumpFactor, let first = before.first?.group, let firstDay = Self.date(first) {
            // Averaged over the days since the log's first day in the window, quiet days included.
            let span = min(policy.trailingDays, max(1, Int((Self.date(today)!.timeIntervalSince(firstDay) / 86_400).rounded())))
            let average = Money(picodollars: before.reduce(Money.zero) { $0 + $1.cost }.picodollars / Int64(span))
            let bar = Money(dollars: average.dollars * factor)
            if average > .zero, spent > bar {
                alerts.append(
                    SpendAlert(
                        kind: .dailySpendJump,
                        subject: "all",
                        spent: spent,
                        threshold: bar,
                        message: "Spend today (\(today)) is \(spent), more than \(factor)× the trailing \(span)-day average of \(average)."
                    )
                )
            }
        }
        return raised.withLock { raised in
            if raised.day != today { raised = (today, []) }
            let fresh = alerts.filter { !raised.kinds.contains($0.kind) }
            raised.kinds.formUnion(fresh.map(\.kind))
            return fresh
        }
    }

    static func dayName(_ date: Date) -> String { String(ISO8601DateFormatter.keel.string(from: date).prefix(10)) }

    static func date(_ day: String) -> Date? { ISO8601DateFormatter.keel.date(from: day + "T00:00:00.000Z") }
}
