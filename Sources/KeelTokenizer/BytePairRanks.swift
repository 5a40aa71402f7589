import Foundation

/// The rank of every byte sequence of an encoding (its token id), loaded from a `.tiktoken` file
/// (one `BASE64 RANK` a line) into one open-addressing hash table over a single byte buffer, so that
/// looking up a slice of the text being encoded allocates nothing.
struct BytePairRanks: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [UInt32] = []
    private var lengths: [UInt16] = []
    private var ranks: [UInt32] = []
    /// Entry index + 1 in each slot; 0 for an empty slot.
    private var slots: [UInt32]
    private let mask: Int

    /// The token sequences by rank, for decoding.
    var count: Int { ranks.count }

    init(tiktoken text: String) throws(TokenizerError) {
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"))
        var capacity = 1
        while capacity < lines.count * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        bytes.reserveCapacity(lines.count * 8)
        for (number, line) in lines.enumerated() {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")),
                let rank = UInt32(Substring(line[line.index(after: space)...])),
                let token = Base64.decode(line[..<space])
            else { throw TokenizerError.malformedRanks(line: number + 1) }
            insert(token, rank: rank)
        }
    }

    private mutating func insert(_ token: [UInt8], rank: UInt32) {
        let entry = UInt32(ranks.count)
        starts.append(UInt32(bytes.count))
        lengths.append(UInt16(token.count))
        ranks.append(rank)
        bytes.append(contentsOf: token)
        var slot = token.withUnsafeBufferPointer { Self.hash($0) } & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = entry + 1
    }

    /// The rank of `piece`, or `nil` when it is no token.
    func rank(of piece: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var slot = Self.hash(piece) & mask
        return bytes.withUnsafeBufferPointer { stored -> UInt32? in
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return nil }
                let index = entry - 1
                let length = Int(lengths[index])
                if length == piece.count {
                    let start = Int(starts[index])
                    if memcmp(stored.baseAddress! + start, piece.baseAddress!, length) == 0 { return ranks[index] }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// FNV-1a over the bytes.
    private static func hash(_ piece: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in piece {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}

/// Standard base64, as `.tiktoken` files write their tokens.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for character in text where character != UInt8(ascii: "=") {
            let value = values[Int(character)]
            guard value != 0xFF else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return output
    }
}
