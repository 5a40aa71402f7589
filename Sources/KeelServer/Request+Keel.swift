import HTTPTypes
import Hummingbird
import KeelCore
import NIOHTTP1

extension Request {
    /// The bearer token of the `Authorization` header (the scheme matched without regard to case).
    var bearerToken: String? {
        guard let authorization = headers[.authorization] else { return nil }
        let bytes = authorization.utf8
        let scheme = "bearer ".utf8
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        let token = authorization.utf8.dropFirst(scheme.count).drop { $0 == UInt8(ascii: " ") }
        let trimmed = token.reversed().drop { $0 == UInt8(ascii: " ") }.count
        return String(Substring(authorization.utf8[token.startIndex...].prefix(trimmed)))
    }

    /// The query parameter `name` as an integer, `nil` when absent; 400 when it is not one.
    func integerParameter(_ name: String) throws -> Int? {
        guard let text = uri.queryParameters[name[...]] else { return nil }
        guard let value = Int(text) else { throw KeelError(.invalidValue, "Query parameter '\(name)' must be an integer.", param: name) }
        return value
    }

    /// The `days` query parameter of a report: how many UTC days, today included (7 unless given).
    func reportDays() throws -> Int {
        guard let text = uri.queryParameters["days"] else { return 7 }
        guard let days = Int(text), (1...366).contains(days) else {
            throw KeelError(.invalidValue, "Query parameter 'days' must be an integer from 1 to 366.", param: "days")
        }
        return days
    }

    /// The body, refused with 413 when it is larger than `limit`: at once when `Content-Length`
    /// says so, otherwise as soon as the bytes read pass the limit — never read whole first.
    mutating func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw KeelError(.payloadTooLarge, "The request body is \(length) bytes; this server accepts at most \(limit).")
        }
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw KeelError(.payloadTooLarge, "The request body is larger than the \(limit) bytes this server accepts.")
        } catch let error as HTTPParserError {
            throw KeelError(unreadable: error)
        }
    }

    /// The body parsed as JSON: 413 past `limit`, 400 `invalid_json` when it does not parse.
    mutating func jsonBody(limit: Int) async throws -> JSONValue {
        let bytes = try await collectBody(limit: limit)
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw KeelError(.invalidJSON, "We could not parse the JSON body of your request: \(error).")
        }
    }
}
