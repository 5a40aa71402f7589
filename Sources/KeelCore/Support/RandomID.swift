/// Random identifiers and secrets in URL-safe base62.
public enum RandomID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// `prefix` followed by `length` base62 characters from the system's secure generator.
    public static func make(prefix: String, length: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = prefix
        text.reserveCapacity(prefix.count + length)
        for _ in 0..<length { text.append(alphabet[Int(generator.next(upperBound: UInt8(alphabet.count)))]) }
        return text
    }
}
