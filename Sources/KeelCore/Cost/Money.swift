import Foundation

/// An amount in US dollars, held as whole picodollars (10⁻¹² USD) so that sums are exact.
public struct Money: Sendable, Hashable, Comparable, AdditiveArithmetic, CustomStringConvertible {
    public var picodollars: Int64

    public init(picodollars: Int64) { self.picodollars = picodollars }

    public init(dollars: Double) { self.picodollars = Int64((dollars * 1e12).rounded()) }

    public static let zero = Money(picodollars: 0)
    public var dollars: Double { Double(picodollars) / 1e12 }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(picodollars: lhs.picodollars + rhs.picodollars) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(picodollars: lhs.picodollars - rhs.picodollars) }
    public static func * (lhs: Money, rhs: Int) -> Money { Money(picodollars: lhs.picodollars * Int64(rhs)) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.picodollars < rhs.picodollars }

    public var description: String { "$" + dollarsText }

    /// The amount in dollars with six decimals, as headers and reports print it: `12.345678`.
    public var dollarsText: String { String(format: "%.6f", dollars) }
}
