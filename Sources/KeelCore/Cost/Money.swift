import Foundation

/// An amount in US dollars, held as whole picodollars (10⁻¹² USD) so that sums are exact.
///
/// Arithmetic saturates at ±9.2 million dollars instead of trapping: an amount derived from a
/// client's or an upstream's numbers can be absurd, and must never stop the process.
public struct Money: Sendable, Hashable, Comparable, AdditiveArithmetic, CustomStringConvertible {
    public var picodollars: Int64

    public init(picodollars: Int64) { self.picodollars = picodollars }

    public init(dollars: Double) { self.picodollars = Int64(saturating: dollars * 1e12) }

    public static let zero = Money(picodollars: 0)
    public var dollars: Double { Double(picodollars) / 1e12 }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(picodollars: lhs.picodollars.saturatingAdd(rhs.picodollars)) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(picodollars: lhs.picodollars.saturatingSubtract(rhs.picodollars)) }
    public static func * (lhs: Money, rhs: Int) -> Money { Money(picodollars: lhs.picodollars.saturatingMultiply(Int64(rhs))) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.picodollars < rhs.picodollars }

    public var description: String { "$" + dollarsText }

    /// The amount in dollars with six decimals, as headers and reports print it: `12.345678`.
    public var dollarsText: String { String(format: "%.6f", dollars) }
}
