import Foundation

/// Random identifiers and secrets in URL-safe base62, from the system's secure generator.
public enum RandomID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `prefix` followed by `length` base62 characters.
    ///
    /// Each 64-bit draw yields up to ten characters (six bits each, values of 62 or more skipped),
    /// so an id costs a few calls into the system generator rather than one per character.
    public static func make(prefix: String, length: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        var characters = Array(prefix.utf8)
        characters.reserveCapacity(characters.count + length)
        var remaining = length
        while remaining > 0 {
            var bits = generator.next()
            for _ in 0..<10 where remaining > 0 {
                let value = Int(bits & 0x3F)
                bits >>= 6
                guard value < alphabet.count else { continue }
                characters.append(alphabet[value])
                remaining -= 1
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// `prefix`, the time in milliseconds as eight base62 characters, then `randomLength` random
    /// ones. Ids made later sort after earlier ones, so an index on them grows at its end: the request
    /// log's keys stay as cheap to insert as the log grows as when it was empty.
    public static func timeOrdered(prefix: String, at date: Date, randomLength: Int = 16) -> String {
        var milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var time = [UInt8](repeating: alphabet[0], count: 8)
        for index in time.indices.reversed() {
            time[index] = alphabet[Int(milliseconds % 62)]
            milliseconds /= 62
        }
        return make(prefix: prefix + String(decoding: time, as: UTF8.self), length: randomLength)
    }
}
