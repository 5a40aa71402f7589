import Foundation
import KeelCore
import Testing

@Suite struct RandomIDTests {
    @Test func timeOrderedIDsSortInTheOrderTheyWereMade() {
        let start = Date(timeIntervalSince1970: 1_795_000_000.123)
        let dates = [0, 0.001, 0.999, 1, 61.5, 86_400, 86_400 * 365 * 30].map { start.addingTimeInterval($0) }
        let ids = dates.map { RandomID.timeOrdered(prefix: "req_", at: $0) }
        #expect(ids.sorted() == ids)
        #expect(ids.allSatisfy { $0.hasPrefix("req_") && $0.count == 4 + 8 + 16 })
        let sameMillisecond = RandomID.timeOrdered(prefix: "req_", at: start)
        #expect(sameMillisecond.prefix(12) == ids[0].prefix(12) && sameMillisecond != ids[0], "the random part tells apart ids of one millisecond")
    }
}
