import Foundation
import HTTPTypes
import Hummingbird
import KeelCore

extension Request {
    /// The bearer token of the `Authorization` header.
    var bearerToken: String? {
        guard let authorization = headers[.authorization] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
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
        }
    }
}
