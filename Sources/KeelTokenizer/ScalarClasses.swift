/// The text to split, one entry per Unicode scalar: the character classes the pre-tokenisation
/// patterns test, and where each scalar starts in the UTF-8 bytes.
struct ScalarClasses {
    struct Class: OptionSet {
        let rawValue: UInt8
        /// `\p{L}`.
        static let letter = Class(rawValue: 1)
        /// `\p{Lu}` or `\p{Lt}`.
        static let upper = Class(rawValue: 2)
        /// `\p{Ll}`.
        static let lower = Class(rawValue: 4)
        /// `\p{Lm}` or `\p{Lo}`.
        static let otherLetter = Class(rawValue: 8)
        /// `\p{M}`.
        static let mark = Class(rawValue: 16)
        /// `\p{N}`.
        static let number = Class(rawValue: 32)
        /// `\s`: the White_Space property.
        static let space = Class(rawValue: 64)
        /// `\r` or `\n`.
        static let newline = Class(rawValue: 128)
    }

    private(set) var classes: [Class] = []
    private(set) var values: [UInt32] = []
    /// The byte offset of each scalar, and the byte count at the end.
    private(set) var offsets: [Int] = []

    init(_ text: String) {
        let estimated = text.utf8.count
        classes.reserveCapacity(estimated)
        values.reserveCapacity(estimated)
        offsets.reserveCapacity(estimated + 1)
        var offset = 0
        for scalar in text.unicodeScalars {
            offsets.append(offset)
            values.append(scalar.value)
            classes.append(Self.classify(scalar))
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
    }

    var count: Int { values.count }

    private static let ascii: [Class] = (0..<128).map { classifySlowly(Unicode.Scalar(UInt8($0))) }

    static func classify(_ scalar: Unicode.Scalar) -> Class {
        scalar.value < 128 ? ascii[Int(scalar.value)] : classifySlowly(scalar)
    }

    private static func classifySlowly(_ scalar: Unicode.Scalar) -> Class {
        var result: Class = []
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: result = [.letter, .upper]
        case .lowercaseLetter: result = [.letter, .lower]
        case .modifierLetter, .otherLetter: result = [.letter, .otherLetter]
        case .nonspacingMark, .spacingMark, .enclosingMark: result = .mark
        case .decimalNumber, .letterNumber, .otherNumber: result = .number
        default: break
        }
        if scalar.properties.isWhitespace { result.insert(.space) }
        if scalar == "\r" || scalar == "\n" { result.insert(.newline) }
        return result
    }
}
