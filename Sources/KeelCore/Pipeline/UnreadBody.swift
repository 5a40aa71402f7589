/// A request body not read yet; reading it may fail (for one, when it is larger than allowed).
public struct UnreadBody: Sendable {
    private let reader: @Sendable () async throws -> [UInt8]

    public init(_ reader: @escaping @Sendable () async throws -> [UInt8]) { self.reader = reader }

    public func read() async throws -> [UInt8] { try await reader() }
}
