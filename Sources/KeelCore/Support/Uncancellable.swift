/// Runs `work` to its end even when the calling task is cancelled: for writes that record how a
/// request ended, which a client going away must not prevent.
public func uncancellable<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await work() }.value
}
