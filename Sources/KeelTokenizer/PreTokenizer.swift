/// Splits text into the pieces that byte-pair encoding then encodes one by one, exactly as the
/// regular expression of tiktoken's encoding does, hand-written so that no regex engine runs.
///
/// Each function below tries the pattern's alternatives in order at a position, as a backtracking
/// engine does, and returns where the match ends. Comments give the alternative each step implements.
enum PreTokenizer: Sendable {
    /// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    case cl100k
    /// The o200k pattern: cased words with contractions, numbers of up to three digits, punctuation
    /// runs with trailing newlines or slashes, and the whitespace rules.
    case o200k

    /// The end of every piece of `text`, in scalars.
    func pieceEnds(_ text: ScalarClasses) -> [Int] {
        var ends: [Int] = []
        ends.reserveCapacity(text.count / 3 + 1)
        var position = 0
        while position < text.count {
            let end = self == .cl100k ? Self.cl100kMatch(text, at: position) : Self.o200kMatch(text, at: position)
            ends.append(end)
            position = end
        }
        return ends
    }

    private typealias Class = ScalarClasses.Class

    private static func cl100kMatch(_ text: ScalarClasses, at start: Int) -> Int {
        let classes = text.classes
        let count = text.count
        let first = classes[start]
        // '(?i:[sdmt]|ll|ve|re)
        if text.values[start] == 0x27, let end = contraction(text, at: start) { return end }
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        var position = start
        if first.isDisjoint(with: [.newline, .letter, .number]) { position += 1 }
        if position < count, classes[position].contains(.letter) {
            return run(classes, from: position) { $0.contains(.letter) }
        }
        // \p{N}{1,3}+
        if first.contains(.number) { return digits(classes, from: start) }
        // ` ?[^\s\p{L}\p{N}]++[\r\n]*+`
        if let end = punctuation(text, at: start, trailing: [.newline]) { return end }
        let spaceEnd = run(classes, from: start) { $0.contains(.space) }
        // \s++$
        if spaceEnd == count, spaceEnd > start { return spaceEnd }
        // \s*[\r\n]
        if let end = lastNewline(classes, from: start, to: spaceEnd) { return end }
        // \s+(?!\S) then \s
        return trailingSpace(start: start, spaceEnd: spaceEnd, count: count) ?? start + 1
    }

    private static func o200kMatch(_ text: ScalarClasses, at start: Int) -> Int {
        let classes = text.classes
        let count = text.count
        let first = classes[start]
        // The optional prefix is tried first taken, then not, as the engine backtracks.
        let prefixed = first.isDisjoint(with: [.newline, .letter, .number]) && start + 1 < count
        let wordStart = prefixed ? start + 1 : start
        // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
        // then [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:…)?
        if let end = lowerWord(classes, from: wordStart) ?? (prefixed ? lowerWord(classes, from: start) : nil)
            ?? upperWord(classes, from: wordStart) ?? (prefixed ? upperWord(classes, from: start) : nil)
        {
            return contraction(text, at: end) ?? end
        }
        // \p{N}{1,3}
        if first.contains(.number) { return digits(classes, from: start) }
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
        if let end = punctuation(text, at: start, trailing: [.newline], slash: true) { return end }
        let spaceEnd = run(classes, from: start) { $0.contains(.space) }
        // \s*[\r\n]+
        if let end = lastNewline(classes, from: start, to: spaceEnd) { return end }
        // \s+(?!\S) then \s+
        return trailingSpace(start: start, spaceEnd: spaceEnd, count: count) ?? spaceEnd
    }

    private static func isUpperish(_ scalarClass: Class) -> Bool { !scalarClass.isDisjoint(with: [.upper, .otherLetter, .mark]) }
    private static func isLowerish(_ scalarClass: Class) -> Bool { !scalarClass.isDisjoint(with: [.lower, .otherLetter, .mark]) }

    /// `[U]*[Lw]+` from `start`, backtracking as the engine would: the end, or `nil` when it cannot match.
    private static func lowerWord(_ classes: [Class], from start: Int) -> Int? {
        let upperEnd = run(classes, from: start, while: isUpperish)
        if upperEnd < classes.count, isLowerish(classes[upperEnd]) { return run(classes, from: upperEnd, while: isLowerish) }
        // Give back upper-ish scalars until one that is also lower-ish can start `[Lw]+`.
        var position = upperEnd - 1
        while position >= start {
            if isLowerish(classes[position]) { return position + 1 }
            position -= 1
        }
        return nil
    }

    /// `[U]+[Lw]*` from `start`: the end, or `nil` when no upper-ish scalar starts there.
    private static func upperWord(_ classes: [Class], from start: Int) -> Int? {
        guard start < classes.count, isUpperish(classes[start]) else { return nil }
        return run(classes, from: run(classes, from: start, while: isUpperish), while: isLowerish)
    }

    /// The end of the run of scalars from `start` whose class satisfies `test`.
    private static func run(_ classes: [Class], from start: Int, while test: (Class) -> Bool) -> Int {
        var position = start
        while position < classes.count, test(classes[position]) { position += 1 }
        return position
    }

    private static func digits(_ classes: [Class], from start: Int) -> Int {
        var position = start
        while position < classes.count, position - start < 3, classes[position].contains(.number) { position += 1 }
        return position
    }

    /// ` ?[^\s\p{L}\p{N}]+` followed by a run of `trailing` scalars (and `/` when `slash`).
    private static func punctuation(_ text: ScalarClasses, at start: Int, trailing: Class, slash: Bool = false) -> Int? {
        let classes = text.classes
        let isPunctuation: (Class) -> Bool = { $0.isDisjoint(with: [.space, .letter, .number]) }
        var position = start
        if text.values[start] == 0x20, start + 1 < classes.count, isPunctuation(classes[start + 1]) { position += 1 }
        guard isPunctuation(classes[position]) else { return nil }
        position = run(classes, from: position, while: isPunctuation)
        while position < classes.count, !classes[position].isDisjoint(with: trailing) || (slash && text.values[position] == 0x2F) {
            position += 1
        }
        return position
    }

    /// `\s*[\r\n]` (and `[\r\n]+`): up to and including the last newline of the whitespace run.
    private static func lastNewline(_ classes: [Class], from start: Int, to spaceEnd: Int) -> Int? {
        var position = spaceEnd - 1
        while position >= start {
            if classes[position].contains(.newline) { return position + 1 }
            position -= 1
        }
        return nil
    }

    /// `\s+(?!\S)`: the whitespace run but its last scalar when text follows, the whole run at the end.
    private static func trailingSpace(start: Int, spaceEnd: Int, count: Int) -> Int? {
        if spaceEnd == count { return spaceEnd > start ? spaceEnd : nil }
        return spaceEnd - 1 > start ? spaceEnd - 1 : nil
    }

    /// A contraction at `start`: cl100k's `'(?i:[sdmt]|ll|ve|re)`, which is o200k's
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` too. Case-insensitive as the regex crate is (`ſ` is an `s`).
    private static func contraction(_ text: ScalarClasses, at start: Int) -> Int? {
        guard start + 1 < text.count, text.values[start] == 0x27 else { return nil }
        func folded(_ index: Int) -> UInt32? {
            guard index < text.count else { return nil }
            let value = text.values[index]
            if value == 0x17F { return 0x73 }
            return (0x41...0x5A).contains(value) ? value + 0x20 : value
        }
        switch folded(start + 1) {
        case 0x73, 0x64, 0x6D, 0x74: return start + 2  // s d m t
        case 0x6C: return folded(start + 2) == 0x6C ? start + 3 : nil  // ll
        case 0x76, 0x72: return folded(start + 2) == 0x65 ? start + 3 : nil  // ve re
        default: return nil
        }
    }
}
